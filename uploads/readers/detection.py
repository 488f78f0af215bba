"""How a CSV's bytes are to be read: its encoding and its separator, detected from a sample of the file.

Lenders export from Excel on Windows (Windows-1252, or UTF-16 "Unicode text" with tabs), from core-banking
systems (UTF-8, often with a BOM, often ``;`` or ``|``), so the encoding and the separator are detected, not
configured.
"""

import codecs
import csv

import charset_normalizer

from .headers import HEADER_SEARCH_LINES, header_cells, names_known_columns

# Lines and characters handed to csv.Sniffer: its regexes are slow on long samples and a few lines suffice.
_SNIFF_LINES = 50
_SNIFF_CHARS = 16 * 1024
_DELIMITERS = (",", ";", "\t", "|")

# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf_32"),
    (codecs.BOM_UTF32_BE, "utf_32"),
    (codecs.BOM_UTF8, "utf_8_sig"),
    (codecs.BOM_UTF16_LE, "utf_16"),
    (codecs.BOM_UTF16_BE, "utf_16"),
)
# Guesses charset-normalizer may make that we trust over Windows-1252: multi-byte encodings and single-byte
# code pages for non-Latin scripts. On short Latin samples its other guesses (cp1250, cp775, mac_roman…) are
# coin flips between look-alikes, while Excel on Windows — where non-UTF-8 files come from — writes cp1252.
_TRUSTED_GUESSES = frozenset(
    {
        "utf_16",
        "utf_16_le",
        "utf_16_be",
        "utf_32",
        "utf_32_le",
        "utf_32_be",
        "big5",
        "big5hkscs",
        "cp932",
        "cp949",
        "cp950",
        "euc_jis_2004",
        "euc_jisx0213",
        "euc_jp",
        "euc_kr",
        "gb2312",
        "gb18030",
        "gbk",
        "hz",
        "iso2022_jp",
        "iso2022_kr",
        "johab",
        "shift_jis",
        "shift_jis_2004",
        "shift_jisx0213",
        "cp1251",
        "cp866",
        "koi8_r",
        "koi8_u",
        "iso8859_5",
        "mac_cyrillic",
        "cp1253",
        "iso8859_7",
        "cp1255",
        "iso8859_8",
        "cp1256",
        "iso8859_6",
        "cp874",
        "tis_620",
        "iso8859_11",
    }
)


def _utf8_with_cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode stray bytes of a UTF-8 file as Windows-1252: a file pasted together from two exports.

    The sample can be pure ASCII and row 400,000 hold ``José`` typed on a Windows machine; "replace" would
    make it ``Jos�``, this makes it ``José``.
    """
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("cp1252", errors="replace"), error.end


_UTF8_FALLBACK = "voiceassist_uploads_utf8_cp1252_fallback"
codecs.register_error(_UTF8_FALLBACK, _utf8_with_cp1252_fallback)


def detect_encoding(sample: bytes, *, complete: bool) -> tuple[str, str]:
    """The codec for the file and the error handler for the bytes it still cannot decode."""
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return encoding, (_UTF8_FALLBACK if encoding == "utf_8_sig" else "replace")
    utf_16 = _utf_16_without_bom(sample)
    if utf_16:
        return utf_16, "replace"
    try:
        # Incremental, so a sample cut inside a multi-byte character still counts as UTF-8.
        codecs.getincrementaldecoder("utf_8")().decode(sample, final=complete)
    except UnicodeDecodeError:
        pass
    else:
        return "utf_8", _UTF8_FALLBACK

    best = charset_normalizer.from_bytes(sample if complete else _trim_sample(sample)).best()
    guess = best.encoding if best is not None else None
    if guess in _TRUSTED_GUESSES:
        return guess, "replace"
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError:
        return (guess or "latin_1"), "replace"
    return "cp1252", "replace"


def _utf_16_without_bom(sample: bytes) -> str | None:
    """UTF-16 without its BOM, told by where the NUL bytes fall: ASCII characters have a NUL high byte.

    Checked before UTF-8, which such a file (ASCII and NULs) would otherwise pass.
    """
    if b"\x00" not in sample:
        return None
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2 or 1
    if odd_nuls >= half / 10 and even_nuls * 20 < odd_nuls:
        return "utf_16_le"
    if even_nuls >= half / 10 and odd_nuls * 20 < even_nuls:
        return "utf_16_be"
    return None


def _trim_sample(sample: bytes) -> bytes:
    """Cut a truncated sample at a boundary no character straddles, so detection sees only whole characters."""
    if b"\x00" in sample:  # UTF-16/32 without a BOM: keep whole code units
        return sample[: len(sample) - len(sample) % 4]
    end = sample.rfind(b"\n")
    return sample[: end + 1] if end > 0 else sample


def detect_delimiter(text_sample: str, *, complete: bool, header_line: int | None) -> str:
    """The separator among , ; tab | — the Sniffer's choice when the header agrees, else the header's.

    The header is the line ``header_line`` names, else the first line that names known columns when split by
    one of the separators (title lines above it have no separators, or not the table's), else the first
    non-blank line. Lines are counted here as the sample's lines: a title holding a quoted line break is rare.
    """
    lines = text_sample.split("\n")
    if not complete:
        lines = lines[:-1] or lines  # the last line may be cut short
    lines = [line.rstrip("\r") for line in lines[: _SNIFF_LINES * 4]]
    non_blank = [index for index, line in enumerate(lines) if line.strip()]
    if header_line is not None and header_line <= len(lines) and lines[header_line - 1].strip():
        at, candidates = header_line - 1, _DELIMITERS
    else:
        at, candidates = _header_line_by_columns(lines, non_blank[:HEADER_SEARCH_LINES])
    header = lines[at] if at is not None else ""
    counts = {delimiter: len(next(csv.reader([header], delimiter=delimiter))) for delimiter in _DELIMITERS}
    best = max(candidates, key=counts.__getitem__)  # ties go to the earliest, the comma first
    if counts[best] == 1:
        return ","  # one column: the separator does not matter
    snippet = "\n".join(lines[index] for index in non_blank if at is None or index >= at)
    snippet = "\n".join(snippet[:_SNIFF_CHARS].split("\n")[:_SNIFF_LINES])
    try:
        sniffed = csv.Sniffer().sniff(snippet, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        return best
    return sniffed if sniffed in candidates and counts.get(sniffed) == counts[best] else best


def _header_line_by_columns(lines: list[str], indexes: list[int]) -> tuple[int | None, tuple[str, ...]]:
    """The first of ``lines[indexes]`` that reads as a header with some separator, and the separators that make
    it one; else the first of them and every separator."""
    for index in indexes:
        line = lines[index]
        fits = tuple(
            delimiter
            for delimiter in _DELIMITERS
            if names_known_columns(header_cells(next(csv.reader([line], delimiter=delimiter))))
        )
        if fits:
            return index, fits
    return (indexes[0] if indexes else None), _DELIMITERS
