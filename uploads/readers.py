"""Streaming readers for the customer files lenders upload: CSV (any common encoding and separator) and XLSX.

Files reach a million rows, so nothing here holds a whole file in memory: a CSV is decoded and split as it is
read, and a workbook is read with openpyxl's read-only mode, one row at a time. Both give the same ``Table``,
so the pipeline never cares which format a lender chose.

Lenders export from Excel on Windows (Windows-1252, or UTF-16 "Unicode text" with tabs), from core-banking
systems (UTF-8, often with a BOM, often ``;`` or ``|``), so the encoding and the separator are detected, not
configured. Every failure a clerk can fix becomes ``UnreadableFile`` with a message saying what to do.
"""

import codecs
import csv
import io
import os
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from typing import BinaryIO

import charset_normalizer
import openpyxl

from voiceassist.common.exceptions import ApplicationError

_SAMPLE_SIZE = 64 * 1024
# Lines and characters handed to csv.Sniffer: its regexes are slow on long samples and a few lines suffice.
_SNIFF_LINES = 50
_SNIFF_CHARS = 16 * 1024
_DELIMITERS = (",", ";", "\t", "|")

_ZIP_SIGNATURE = b"PK\x03\x04"
_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and also password-protected .xlsx
_CSV_EXTENSIONS = frozenset({".csv", ".txt", ".tsv"})
_XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm"})

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

_EMPTY_MESSAGE = (
    "The file is empty: no row has any content. Upload a file whose first row names the columns "
    "(for example name, phone, loan id, amount) and whose next rows hold one customer each."
)
_OLD_EXCEL_MESSAGE = (
    "This is an old-format Excel workbook (.xls), which cannot be read. Open it in Excel, save it as .xlsx "
    "or .csv, and upload it again."
)
_OLE2_MESSAGE = (
    "This file is an old-format Excel workbook (.xls) or a password-protected one, which cannot be read. "
    "Open it in Excel, remove any password, save it as .xlsx or .csv, and upload it again."
)
_BROKEN_WORKBOOK_MESSAGE = (
    "The Excel workbook could not be opened: it is damaged or not really an .xlsx file. Open it in Excel, "
    "save it again as .xlsx or .csv, and upload it again."
)


class UnreadableFile(ApplicationError):
    """The uploaded file cannot be read at all; the message says what the clerk should do about it."""

    code = "unreadable_file"


@dataclass
class Table:
    """An opened customer file: its header row and a way to walk its data rows, whatever the format."""

    headers: list[str]
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    _read_rows: Callable[[], Iterator[tuple[int, list[object]]]] | None = field(default=None, repr=False, compare=False)

    def rows(self) -> Iterator[tuple[int, list[object]]]:
        """Yield ``(row_number, values)`` for each non-blank data row, numbered as Excel shows them.

        Each call starts again from the first data row; use one iteration at a time, inside ``open_table``.
        """
        if self._read_rows is None:
            return iter(())
        return self._read_rows()


@contextmanager
def open_table(path: str | os.PathLike, *, name: str = "") -> Iterator[Table]:
    """Open the file at ``path`` as a ``Table``; ``name`` is the name it was uploaded with (for its extension).

    What the bytes are wins over what the name says where the two disagree in a way only one reading can
    survive: a workbook renamed ``.csv`` is read as a workbook, an ``.xls`` is refused whatever its name.
    """
    extension = os.path.splitext(name or os.fspath(path))[1].lower()
    with open(path, "rb") as handle:
        signature = handle.read(len(_OLE2_SIGNATURE))
        handle.seek(0)
        if _choose_format(extension, signature) == "xlsx":
            with _open_xlsx(handle) as table:
                yield table
        else:
            yield _open_csv(handle)


def _choose_format(extension: str, signature: bytes) -> str:
    is_zip = signature.startswith(_ZIP_SIGNATURE)
    if signature.startswith(_OLE2_SIGNATURE):
        raise UnreadableFile(_OLD_EXCEL_MESSAGE if extension == ".xls" else _OLE2_MESSAGE)
    if extension == ".xls":
        if is_zip:
            return "xlsx"  # a modern workbook that was given the old name
        raise UnreadableFile(_OLD_EXCEL_MESSAGE)
    if extension in _XLSX_EXTENSIONS:
        if not is_zip:
            raise UnreadableFile(
                f"This file is named {extension} but is not an Excel workbook. Open it in Excel, save it as "
                ".xlsx or .csv, and upload it again."
            )
        return "xlsx"
    # .csv, .txt, .tsv or an unknown extension: a ZIP cannot be a text file, so it can only be a workbook.
    return "xlsx" if is_zip else "csv"


# --- CSV ---------------------------------------------------------------------------------------------------


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


def _open_csv(handle: BinaryIO) -> Table:
    sample = handle.read(_SAMPLE_SIZE)
    complete = len(sample) < _SAMPLE_SIZE
    if not sample.strip():
        raise UnreadableFile(_EMPTY_MESSAGE)
    encoding, errors = _detect_encoding(sample, complete=complete)
    text_sample = codecs.getincrementaldecoder(encoding)(errors=errors).decode(sample, final=complete)
    if "\x00" in text_sample:
        raise UnreadableFile(
            "This file is not a CSV or Excel file: it holds binary data. Upload the customer list as .xlsx or .csv."
        )
    delimiter = _detect_delimiter(text_sample, complete=complete)
    header_number, headers = _csv_header(handle, encoding=encoding, errors=errors, delimiter=delimiter)

    def read_rows() -> Iterator[tuple[int, list[object]]]:
        return _csv_rows(
            handle,
            encoding=encoding,
            errors=errors,
            delimiter=delimiter,
            header_number=header_number,
            width=len(headers),
        )

    return Table(headers=headers, format="csv", encoding=encoding, delimiter=delimiter, _read_rows=read_rows)


def _detect_encoding(sample: bytes, *, complete: bool) -> tuple[str, str]:
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


def _detect_delimiter(text_sample: str, *, complete: bool) -> str:
    """The separator among , ; tab | — the Sniffer's choice when the header agrees, else the header's."""
    lines = text_sample.split("\n")
    if not complete:
        lines = lines[:-1] or lines  # the last line may be cut short
    lines = [line.rstrip("\r") for line in lines[: _SNIFF_LINES * 4]]
    header_line = next((line for line in lines if line.strip()), "")
    counts = {delimiter: len(next(csv.reader([header_line], delimiter=delimiter))) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=counts.__getitem__)  # ties go to the earliest, the comma first
    if counts[best] == 1:
        return ","  # one column: the separator does not matter
    snippet = "\n".join(line for line in lines if line.strip())
    snippet = "\n".join(snippet[:_SNIFF_CHARS].split("\n")[:_SNIFF_LINES])
    try:
        sniffed = csv.Sniffer().sniff(snippet, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        return best
    return sniffed if counts.get(sniffed) == counts[best] else best


def _header_cells(cells: list[object]) -> list[str]:
    headers = ["" if cell is None else str(cell).replace("\ufeff", "").strip() for cell in cells]
    while headers and not headers[-1]:
        headers.pop()  # trailing empty columns: formatting, or separators at the end of the line
    return headers


def _csv_header(handle: BinaryIO, *, encoding: str, errors: str, delimiter: str) -> tuple[int, list[str]]:
    handle.seek(0)
    text = io.TextIOWrapper(handle, encoding=encoding, errors=errors, newline="")
    number = 0
    try:
        for number, record in enumerate(csv.reader(text, delimiter=delimiter), start=1):
            headers = _header_cells(record)
            if headers:
                return number, headers
    except csv.Error as exc:
        raise _csv_error(number + 1, exc) from exc
    finally:
        text.detach()
    raise UnreadableFile(_EMPTY_MESSAGE)


def _csv_rows(
    handle: BinaryIO, *, encoding: str, errors: str, delimiter: str, header_number: int, width: int
) -> Iterator[tuple[int, list[object]]]:
    handle.seek(0)
    text = io.TextIOWrapper(handle, encoding=encoding, errors=errors, newline="")
    number = header_number
    try:
        reader = csv.reader(text, delimiter=delimiter)
        for _ in islice(reader, header_number):
            pass
        for record in reader:
            number += 1
            size = len(record)
            if size < width:
                record.extend([""] * (width - size))
            elif size > width:
                del record[width:]
            first = record[0]
            if (not first or first.isspace()) and not "".join(record).strip():
                continue
            yield number, record
    except csv.Error as exc:
        raise _csv_error(number + 1, exc) from exc
    finally:
        if not handle.closed:
            text.detach()


def _csv_error(number: int, exc: csv.Error) -> UnreadableFile:
    return UnreadableFile(
        f'Row {number} of the file could not be read ({exc}). This usually comes from a quote (") that is '
        "opened and never closed: fix that row and upload the file again."
    )


# --- XLSX --------------------------------------------------------------------------------------------------


@contextmanager
def _open_xlsx(handle: BinaryIO) -> Iterator[Table]:
    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:
        raise UnreadableFile(_workbook_failure_message(handle)) from exc
    try:
        if not workbook.worksheets:
            raise UnreadableFile(_EMPTY_MESSAGE)
        sheet = workbook.worksheets[0]
        # Some programs write a wrong size into the sheet; read-only mode would believe it and drop rows.
        sheet.reset_dimensions()
        header_number, headers = _xlsx_header(sheet)

        def read_rows() -> Iterator[tuple[int, list[object]]]:
            return _xlsx_rows(sheet, header_number=header_number, width=len(headers))

        table = Table(headers=headers, format="xlsx", encoding=None, delimiter=None, _read_rows=read_rows)
        yield table
    finally:
        workbook.close()


def _workbook_failure_message(handle: BinaryIO) -> str:
    try:
        handle.seek(0)
        names = zipfile.ZipFile(handle).namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return _BROKEN_WORKBOOK_MESSAGE
    if not any(name.startswith("xl/") for name in names):
        return "This file is a ZIP archive, not an Excel workbook. Unzip it and upload the .xlsx or .csv file inside."
    return _BROKEN_WORKBOOK_MESSAGE


def _is_blank_cell(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _xlsx_header(sheet) -> tuple[int, list[str]]:
    number = 0
    try:
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            headers = _header_cells(list(row))
            if headers:
                return number, headers
    except Exception as exc:
        raise _workbook_damaged(number) from exc
    raise UnreadableFile(_EMPTY_MESSAGE)


def _xlsx_rows(sheet, *, header_number: int, width: int) -> Iterator[tuple[int, list[object]]]:
    number = header_number
    padding = [None] * width
    try:
        rows = sheet.iter_rows(values_only=True)
        for _ in islice(rows, header_number):
            pass
        for row in rows:
            number += 1
            values = list(row[:width])
            if len(values) < width:
                values.extend(padding[len(values) :])
            if all(_is_blank_cell(value) for value in values):
                continue
            yield number, values
    except UnreadableFile:
        raise
    except Exception as exc:
        raise _workbook_damaged(number) from exc


def _workbook_damaged(number: int) -> UnreadableFile:
    where = f"after row {number}" if number else "at its first row"
    return UnreadableFile(
        f"The Excel workbook could not be read {where}: it is damaged. Open it in Excel, save it again as .xlsx "
        "or .csv, and upload it again."
    )
