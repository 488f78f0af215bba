"""Streaming readers for the customer files lenders upload: CSV (any common encoding and separator) and XLSX.

Files reach a million rows, so nothing here holds a whole file in memory: a CSV is decoded and split as it is
read, and a workbook's first sheet is parsed one row at a time with openpyxl's parser, each row let go once
read. Both give the same ``Table``, so the pipeline never cares which format a lender chose. Files come from
Django's storage API as open binary files, never as paths, so web and workers need not share a disk.

Core-banking reports print title lines above the header ("ABC Finance Ltd", "Overdue report as on …"), so the
header is the first line whose cells name known columns, not simply the first line; the lines above it are
kept aside (``Table.title_lines``) for the upload's report, never imported. Blank rows are skipped and listed.

Lenders export from Excel on Windows (Windows-1252, or UTF-16 "Unicode text" with tabs), from core-banking
systems (UTF-8, often with a BOM, often ``;`` or ``|``), so the encoding and the separator are detected, not
configured. Every failure a clerk can fix becomes ``UnreadableFile`` with a message saying what to do.

What one file may hold is bounded (settings ``UPLOAD_MAX_ROWS``, ``UPLOAD_MAX_COLUMNS``, ``UPLOAD_MAX_CELL_CHARS``
and, for workbooks, ``UPLOAD_XLSX_MAX_*``): a 600 KB workbook can unpack to gigabytes, and one stray quote can
turn the rest of a CSV into a single cell. Such files are refused, with where and why, before any row is written.
"""

import codecs
import csv
import datetime
import io
import os
import re
import struct
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import BinaryIO

import charset_normalizer
from django.conf import settings
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import DATA_TAG as _SHEET_DATA_TAG
from openpyxl.worksheet._reader import ROW_TAG as _ROW_TAG
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.functions import iterparse

from customers.headers import header_column
from voiceassist.common.exceptions import ApplicationError

_SAMPLE_SIZE = 64 * 1024
# Lines and characters handed to csv.Sniffer: its regexes are slow on long samples and a few lines suffice.
_SNIFF_LINES = 50
_SNIFF_CHARS = 16 * 1024
_DELIMITERS = (",", ";", "\t", "|")

# More control characters (NUL, …) than this share of a text sample, and than a handful, means binary data;
# fewer are stray bytes in an export, and NULs are dropped as the file is read (PostgreSQL cannot store them).
_BINARY_SHARE = 0.01
_STRAY_CONTROL_CHARACTERS = 16
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1f]")
# No customer row is anywhere near this long: a longer line is damage, or a file that is not a list at all, and
# reading it whole could take gigabytes (a 200 MB "line" of separators).
_MAX_LINE_CHARS = 1_000_000
# A row runs over several lines only where a quoted cell holds line breaks (an address): a few lines. A row
# running on longer is a quote that opened a cell and was never closed, swallowing the rows after it.
_MAX_ROW_LINES = 100

_MB = 1024 * 1024
# A customer workbook has a dozen parts; the zip directory costs about 0.5 KB of memory a part, so the count is
# checked (from the end record) before the directory is read.
_MAX_WORKBOOK_PARTS = 10_000
# The compression ratio is judged on parts that unpack to at least this much; small ones can be very repetitive.
_RATIO_CHECKED_FROM = _MB
# The sheets are streamed; every other part (shared strings, styles…) openpyxl reads whole, at ~5x its size.
_STREAMED_PARTS = "xl/worksheets/"
_END_OF_DIRECTORY = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_END_OF_DIRECTORY = b"PK\x06\x06"

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


# Blank rows and title lines listed at most, each; the count of blank rows is always complete.
MAX_LISTED_ROWS = 1_000
# The header is looked for among this many non-blank lines at the top of the file.
HEADER_SEARCH_LINES = 30
# Characters of a title line kept: enough to recognise it in the report.
_TITLE_LINE_CHARS = 500
_TITLE_SEPARATOR = " | "


class UnreadableFile(ApplicationError):
    """The uploaded file cannot be read at all; the message says what the clerk should do about it."""

    code = "unreadable_file"


@dataclass
class Table:
    """An opened customer file: its header row and a way to walk its data rows, whatever the format.

    ``header_line`` is the header's row number and ``title_lines`` the non-blank lines above it, as
    ``(row number, cells joined with " | ")``. ``blank_rows`` (the first ``MAX_LISTED_ROWS``) and
    ``blank_row_count`` are the blank rows between the header and the last data row, filled in as ``rows()``
    walks the file.
    """

    headers: list[str]
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    header_line: int = 1
    title_lines: list[tuple[int, str]] = field(default_factory=list)
    blank_rows: list[int] = field(default_factory=list)
    blank_row_count: int = 0
    # Yields every row after the header, ``(number, values)``, with ``None`` for the values of a blank row.
    _read_rows: Callable[[], Iterator[tuple[int, list[object] | None]]] | None = field(
        default=None, repr=False, compare=False
    )

    def rows(self) -> Iterator[tuple[int, list[object]]]:
        """Yield ``(row_number, values)`` for each non-blank data row, numbered as Excel shows them.

        Each call starts again from the first data row, and lists the blank rows afresh; use one iteration at a
        time, inside ``open_table``.
        """
        return self._data_rows()

    def _data_rows(self) -> Iterator[tuple[int, list[object]]]:
        # Blank rows wait until a data row follows them: those at the end of a file (a sheet formatted down to
        # row 1,048,576) are not gaps in the data and are not listed.
        listed = self.blank_rows = []
        self.blank_row_count = 0
        if self._read_rows is None:
            return
        waiting: list[int] = []
        waiting_count = 0
        with closing(self._read_rows()) as records:
            for number, values in records:
                if values is None:
                    if len(listed) + waiting_count < MAX_LISTED_ROWS:
                        waiting.append(number)
                    waiting_count += 1
                    continue
                if waiting_count:
                    listed.extend(waiting)
                    self.blank_row_count += waiting_count
                    waiting.clear()
                    waiting_count = 0
                yield number, values


@dataclass(frozen=True, slots=True)
class _Limits:
    """What one file may hold: the ``UPLOAD_MAX_*`` settings, read as each file is opened."""

    rows: int
    columns: int
    cell_chars: int
    unpacked_bytes: int
    part_bytes: int
    ratio: int

    @classmethod
    def from_settings(cls) -> "_Limits":
        return cls(
            rows=settings.UPLOAD_MAX_ROWS,
            columns=settings.UPLOAD_MAX_COLUMNS,
            cell_chars=settings.UPLOAD_MAX_CELL_CHARS,
            unpacked_bytes=settings.UPLOAD_XLSX_MAX_UNPACKED_MB * _MB,
            part_bytes=settings.UPLOAD_XLSX_MAX_PART_MB * _MB,
            ratio=settings.UPLOAD_XLSX_MAX_RATIO,
        )


@contextmanager
def open_table(file: BinaryIO, *, name: str = "", header_line: int | None = None) -> Iterator[Table]:
    """Read ``file`` as a ``Table``; ``name`` is the name it was uploaded with (for its extension).

    ``file`` is open in binary mode and seekable, as Django's storage API gives it (``upload.file.open("rb")``);
    the caller closes it. What the bytes are wins over what the name says where the two disagree in a way only
    one reading can survive: a workbook renamed ``.csv`` is read as a workbook, an ``.xls`` is refused whatever
    its name.

    ``header_line`` is the header's row number, as a spreadsheet numbers rows (a saved column profile may fix
    it); without it the header is found: the first of the top ``HEADER_SEARCH_LINES`` non-blank lines with two
    cells naming known columns, or one naming the phone column, else the first non-blank line.
    """
    if header_line is not None and (isinstance(header_line, bool) or not isinstance(header_line, int)):
        raise TypeError(f"header_line must be a row number, not {header_line!r}")
    if header_line is not None and header_line < 1:
        raise ValueError(f"header_line is a row number, counted from 1, not {header_line}")
    limits = _Limits.from_settings()
    if header_line is not None and header_line > limits.rows:
        raise UnreadableFile(
            f"Row {header_line:,} was given as the header row, but an upload has at most {limits.rows:,} rows. "
            "Check which row names the columns, set that row as the header row, and upload the file again."
        )
    extension = os.path.splitext(name)[1].lower()
    file.seek(0)
    signature = file.read(len(_OLE2_SIGNATURE))
    file.seek(0)
    if _choose_format(extension, signature) == "xlsx":
        with _open_xlsx(file, limits, header_line=header_line) as table:
            yield table
    else:
        yield _open_csv(file, limits, header_line=header_line)


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


def _open_csv(handle: BinaryIO, limits: _Limits, *, header_line: int | None) -> Table:
    sample = handle.read(_SAMPLE_SIZE)
    complete = len(sample) < _SAMPLE_SIZE
    if not sample.strip():
        raise UnreadableFile(_EMPTY_MESSAGE)
    encoding, errors = _detect_encoding(sample, complete=complete)
    text_sample = codecs.getincrementaldecoder(encoding)(errors=errors).decode(sample, final=complete)
    controls = len(_CONTROL_CHARACTERS.findall(text_sample))
    if controls > _STRAY_CONTROL_CHARACTERS and controls > len(text_sample) * _BINARY_SHARE:
        raise UnreadableFile(
            "This file is not a CSV or Excel file: it holds binary data. Upload the customer list as .xlsx or .csv."
        )
    delimiter = _detect_delimiter(text_sample.replace("\x00", ""), complete=complete, header_line=header_line)
    records = partial(_csv_records, handle, encoding=encoding, errors=errors, delimiter=delimiter, limits=limits)
    header = _find_header(records(), header_line=header_line)
    headers = header.headers
    if len(headers) > limits.columns:
        raise UnreadableFile(
            f"The header row (row {header.number:,}) names {len(headers):,} columns, more than the "
            f"{limits.columns:,} an upload may have. Delete the columns the upload does not need and upload the "
            "file again."
        )

    def read_rows() -> Iterator[tuple[int, list[object] | None]]:
        return _csv_rows(records(headers=headers), header_number=header.number, width=len(headers))

    return Table(
        headers=headers,
        format="csv",
        encoding=encoding,
        delimiter=delimiter,
        header_line=header.number,
        title_lines=header.title_lines,
        _read_rows=read_rows,
    )


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


def _detect_delimiter(text_sample: str, *, complete: bool, header_line: int | None) -> str:
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
            if _names_known_columns(_header_cells(next(csv.reader([line], delimiter=delimiter))))
        )
        if fits:
            return index, fits
    return (indexes[0] if indexes else None), _DELIMITERS


def _header_cells(cells: Sequence[object]) -> list[str]:
    headers = ["" if cell is None else str(cell).replace("\ufeff", "").strip() for cell in cells]
    while headers and not headers[-1]:
        headers.pop()  # trailing empty columns: formatting, or separators at the end of the line
    return headers


def _names_known_columns(headers: list[str]) -> bool:
    """Whether a line reads as the header: two cells naming known columns, or one naming the phone column."""
    known = 0
    for header in headers:
        column = header_column(header) if header else None
        if column == "phone":
            return True
        if column is not None:
            known += 1
            if known == 2:
                return True
    return False


@dataclass(frozen=True, slots=True)
class _Header:
    number: int
    headers: list[str]
    title_lines: list[tuple[int, str]]


def _find_header(records: Iterator[tuple[int, Sequence[object]]], *, header_line: int | None) -> _Header:
    """The header row — the one ``header_line`` names, else the one that names known columns — and the lines
    above it."""
    with closing(records):
        if header_line is not None:
            return _header_at(records, header_line)
        first: _Header | None = None
        title_lines: list[tuple[int, str]] = []
        for number, cells in records:
            headers = _header_cells(cells)
            if not headers:
                continue
            if _names_known_columns(headers):
                return _Header(number, headers, title_lines)
            first = first or _Header(number, headers, [])
            title_lines.append(_title_line(number, cells))
            if len(title_lines) == HEADER_SEARCH_LINES:
                break
    if first is None:
        raise UnreadableFile(_EMPTY_MESSAGE)
    return first  # no line names known columns: the pipeline will say which columns are missing


def _header_at(records: Iterator[tuple[int, Sequence[object]]], header_line: int) -> _Header:
    title_lines: list[tuple[int, str]] = []
    last = 0
    for number, cells in records:
        last = number
        if number < header_line:
            if len(title_lines) < MAX_LISTED_ROWS and any(not _is_blank_cell(cell) for cell in cells):
                title_lines.append(_title_line(number, cells))
            continue
        headers = _header_cells(cells)
        if not headers:
            raise UnreadableFile(
                f"Row {header_line:,} was given as the header row, but it is blank. Check which row names the "
                "columns, set that row as the header row, and upload the file again."
            )
        return _Header(number, headers, title_lines)
    if not last:
        raise UnreadableFile(_EMPTY_MESSAGE)
    raise UnreadableFile(
        f"Row {header_line:,} was given as the header row, but the file ends at row {last:,}. Check which row "
        "names the columns, set that row as the header row, and upload the file again."
    )


def _title_line(number: int, cells: Sequence[object]) -> tuple[int, str]:
    text = _TITLE_SEPARATOR.join(text for cell in cells if (text := _cell_text(cell)))
    if len(text) > _TITLE_LINE_CHARS:
        text = text[: _TITLE_LINE_CHARS - 1] + "…"
    return number, text


def _cell_text(value: object) -> str:
    """A cell as a title line shows it: text trimmed, a date without a midnight time, 5.0 as 5."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\ufeff", "").strip()
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Lines:
    """The lines of a text, handed to ``csv.reader`` one by one, keeping those of the record being read.

    NUL characters are dropped, a line longer than ``max_chars`` is refused, a record running over more than
    ``_MAX_ROW_LINES`` lines stops the read (``_RowRunsOn``), and a last line without its line break is given
    one: so ``csv.reader`` asks for a line past the end only when the text ends inside a quoted cell.
    """

    def __init__(self, read_line: Callable[[], str], *, max_chars: int):
        self._read_line = read_line
        self._max_chars = max_chars
        self.number = 0  # lines read so far
        self.ended = False
        self.record: list[str] = []  # the lines of the record being read; the reader clears it after each

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        line = self._read_line()
        if not line:
            self.ended = True
            raise StopIteration
        if len(self.record) >= _MAX_ROW_LINES:
            raise _RowRunsOn
        self.number += 1
        if len(line) >= self._max_chars and line[-1] not in "\r\n":
            raise UnreadableFile(
                f"Line {self.number:,} of the file is longer than {self._max_chars:,} characters, which no customer "
                "row is: the file is damaged or not a customer list. Check that it opens as a table with one "
                "customer a row, save it again as .csv or .xlsx, and upload it again."
            )
        if "\x00" in line or "\x1a" in line:
            # Stray NULs, and the Ctrl-Z end-of-file marker of old DOS exports: bytes, never cells or rows.
            line = line.replace("\x00", "").replace("\x1a", "") or "\n"
        if line[-1] not in "\r\n":
            line += "\n"
        self.record.append(line)
        return line


class _RowRunsOn(Exception):
    """A record has run over more than ``_MAX_ROW_LINES`` lines: a quote opened and never closed."""


def _csv_records(
    handle: BinaryIO, *, encoding: str, errors: str, delimiter: str, limits: _Limits, headers: list[str] | None = None
) -> Iterator[tuple[int, list[str]]]:
    """Every record of the file, blank ones too, numbered as Excel numbers rows, each checked against the limits.

    ``headers`` only name columns in messages.
    """
    handle.seek(0)
    text = io.TextIOWrapper(handle, encoding=encoding, errors=errors, newline="")
    line_chars = max(_MAX_LINE_CHARS, 2 * limits.cell_chars)
    lines = _Lines(partial(text.readline, line_chars), max_chars=line_chars)
    cell_chars = min(limits.cell_chars, csv.field_size_limit())  # csv refuses longer fields anyway
    number = 0
    try:
        for record in csv.reader(lines, delimiter=delimiter):
            number += 1
            if number > limits.rows:
                raise _too_many_rows(limits.rows)
            raw = lines.record
            if len(raw) > 1:
                _check_quotes(
                    raw, first_line=lines.number - len(raw) + 1, row=number, delimiter=delimiter, ended=lines.ended
                )
                if sum(map(len, raw)) > cell_chars:
                    _check_cells(record, row=number, headers=headers, limit=cell_chars)
            elif len(raw[0]) > cell_chars:
                _check_cells(record, row=number, headers=headers, limit=cell_chars)
            raw.clear()
            yield number, record
    except _RowRunsOn:
        opened = _record_open_quote(lines, delimiter=delimiter) or lines.number - len(lines.record) + 1
        raise _quote_message(opened, row=number + 1, what=f"runs on for more than {_MAX_ROW_LINES} lines") from None
    except csv.Error as exc:
        if "field larger than field limit" not in str(exc):
            raise _csv_error(number + 1, exc) from exc
        opened = _record_open_quote(lines, delimiter=delimiter)
        if opened is not None:
            raise _quote_message(
                opened, row=number + 1, what=f"runs on for more than {cell_chars:,} characters"
            ) from exc
        raise UnreadableFile(
            f"Row {number + 1:,} holds a cell of more than {cell_chars:,} characters, more than a cell may have. "
            "Shorten that cell, or delete the column if the upload does not need it, and upload the file again."
        ) from exc
    finally:
        if not handle.closed:
            text.detach()


def _csv_rows(
    records: Iterator[tuple[int, list[str]]], *, header_number: int, width: int
) -> Iterator[tuple[int, list[object] | None]]:
    """The records after the header, cut or padded to its width; ``None`` for a blank one."""
    with closing(records):
        for number, record in records:
            if number <= header_number:
                continue
            size = len(record)
            if size < width:
                record.extend([""] * (width - size))
            elif size > width:
                del record[width:]
            first = record[0]
            if (not first or first.isspace()) and not "".join(record).strip():
                yield number, None
                continue
            yield number, record


def _check_quotes(raw: list[str], *, first_line: int, row: int, delimiter: str, ended: bool) -> None:
    """Refuse a record that runs over line breaks because of a quote left open, naming the line it opened on.

    A quoted cell may hold line breaks (an address), so a record of several lines is fine as long as each quote
    that opens a cell closes it properly — followed by the separator or the end of the line. A stray quote closes
    instead at the next quote in the file, wherever that is, or never: the rows between become one cell.
    """
    if ended:
        opened = _open_quote_line(raw, first_line=first_line, delimiter=delimiter) or first_line
        raise _quote_message(opened, row=row, what="is never closed")
    strict = csv.reader(raw, delimiter=delimiter, strict=True)
    try:
        for _ in strict:
            pass
    except csv.Error:
        closing_index = strict.line_num - 1
        opened = _open_quote_line(raw[:closing_index], first_line=first_line, delimiter=delimiter)
        if opened is not None and not _closes_properly(raw[closing_index], delimiter):
            raise _quote_message(
                opened, row=row, what=f"is closed only on line {first_line + closing_index:,}, by another quote"
            ) from None


def _open_quote_line(raw: list[str], *, first_line: int, delimiter: str) -> int | None:
    """The line a quoted cell opened on, if one is still open at the end of ``raw``."""
    lines = _Lines(partial(next, iter(raw), ""), max_chars=_MAX_LINE_CHARS)
    start = 0
    try:
        for fields in csv.reader(lines, delimiter=delimiter):
            if lines.ended:  # csv asked past the end inside a quoted cell: the record's last one
                return first_line + start + sum(_line_breaks(value) for value in fields[:-1])
            start = lines.number
            lines.record.clear()
    except csv.Error:  # a cell too long for csv even to parse again: say where its record starts
        return first_line + start
    return None


def _closes_properly(line: str, delimiter: str) -> bool:
    """Whether the quoted cell open at the start of ``line`` closes there with a quote then a separator or the end."""
    at = 0
    while (at := line.find('"', at)) >= 0:
        if line.startswith('""', at):
            at += 2  # a quote written twice is a quote inside the cell
            continue
        return line[at + 1 : at + 2] in ("", delimiter, "\r", "\n")
    return True


def _line_breaks(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _record_open_quote(lines: _Lines, *, delimiter: str) -> int | None:
    """The line a quoted cell opened on, if one is still open in the record being read."""
    if len(lines.record) < 2:
        return None
    return _open_quote_line(lines.record, first_line=lines.number - len(lines.record) + 1, delimiter=delimiter)


def _quote_message(line: int, *, row: int, what: str) -> UnreadableFile:
    return UnreadableFile(
        f'The quote (") that opens a cell on line {line:,} of the file (row {row:,}) {what}, so the lines after '
        "it would be read as part of that one cell and their customers lost. Open the file in a text editor, "
        "remove that quote or close it where the cell ends, and upload the file again."
    )


def _csv_error(number: int, exc: csv.Error) -> UnreadableFile:
    return UnreadableFile(
        f'Row {number} of the file could not be read ({exc}). This usually comes from a quote (") that is '
        "opened and never closed: fix that row and upload the file again."
    )


def _check_cells(cells: list | tuple, *, row: int, headers: list[str] | None, limit: int) -> None:
    for index, value in enumerate(cells):
        if value.__class__ is str and len(value) > limit:
            raise UnreadableFile(
                f"Row {row:,}, {_column_label(index, headers)}, holds {len(value):,} characters, more than the "
                f"{limit:,} a cell may have. Shorten that cell, or delete the column if the upload does not need it, "
                "and upload the file again."
            )


def _column_label(index: int, headers: list[str] | None) -> str:
    label = f"column {get_column_letter(index + 1)}" if index < 18_278 else f"column {index + 1:,}"
    header = headers[index] if headers and index < len(headers) else ""
    return f"{label} (“{header[:40]}”)" if header else label


def _too_many_rows(limit: int) -> UnreadableFile:
    return UnreadableFile(
        f"This file goes on past row {limit:,}, the most an upload may have. Split it into smaller files and "
        "upload them one after the other."
    )


# --- XLSX --------------------------------------------------------------------------------------------------


@contextmanager
def _open_xlsx(handle: BinaryIO, limits: _Limits, *, header_line: int | None) -> Iterator[Table]:
    _check_workbook_size(handle, limits)
    handle.seek(0)
    sheet = _first_sheet(handle)
    try:
        header = _find_header(_xlsx_records(sheet, limits=limits), header_line=header_line)
        headers = header.headers

        def read_rows() -> Iterator[tuple[int, list[object] | None]]:
            records = _xlsx_records(sheet, limits=limits, headers=headers)
            return _xlsx_rows(records, header_number=header.number, width=len(headers))

        yield Table(
            headers=headers,
            format="xlsx",
            header_line=header.number,
            title_lines=header.title_lines,
            _read_rows=read_rows,
        )
    finally:
        sheet.archive.close()


@dataclass(frozen=True, slots=True)
class _Sheet:
    """The first worksheet of an open workbook, and what reading its cells needs."""

    archive: zipfile.ZipFile
    path: str
    shared_strings: list
    epoch: datetime.datetime
    date_formats: set[int]
    timedelta_formats: set[int]


def _first_sheet(handle: BinaryIO) -> _Sheet:
    """Open the workbook as openpyxl's ``load_workbook`` does, all but its worksheets.

    Read-only ``load_workbook`` opens every worksheet to learn its size, and one without a ``<dimension>``
    (openpyxl's own write-only files, some exporters) is parsed whole for it: a second full read of a
    million-row sheet, and of every other sheet, which is never imported.
    """
    try:
        reader = ExcelReader(handle, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:
        raise UnreadableFile(_workbook_failure_message(handle)) from exc
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        path = next(
            (
                rel.target
                for _sheet, rel in reader.parser.find_sheets()
                if rel.target in reader.valid_files and "chartsheet" not in rel.Type
            ),
            None,
        )
    except Exception as exc:
        reader.archive.close()
        raise UnreadableFile(_workbook_failure_message(handle)) from exc
    if path is None:
        reader.archive.close()
        raise UnreadableFile(_EMPTY_MESSAGE)
    workbook = reader.wb
    return _Sheet(
        archive=reader.archive,
        path=path,
        shared_strings=reader.shared_strings,
        epoch=workbook.epoch,
        date_formats=workbook._date_formats,
        timedelta_formats=workbook._timedelta_formats,
    )


def _check_workbook_size(handle: BinaryIO, limits: _Limits) -> None:
    """Refuse a workbook that would unpack to more than the limits allow, judging by its zip directory alone.

    Nothing is inflated here. The directory's sizes also bound what is read afterwards: zipfile stops each part
    at the size the directory declares (and then checks its CRC), so a part that would inflate to more is cut
    there and the workbook is reported as damaged.
    """
    handle.seek(0, os.SEEK_END)
    file_size = handle.tell()
    parts = _zip_part_count(handle, file_size)
    if parts is not None and parts > _MAX_WORKBOOK_PARTS:
        raise UnreadableFile(
            f"This file holds {parts:,} parts, far more than an Excel workbook of customers does: it is damaged or "
            "not a customer list. Open it in Excel, save it again as .xlsx or .csv, and upload it again."
        )
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a zip openpyxl can open either: it refuses it with the damaged-workbook message
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.unpacked_bytes:
        raise UnreadableFile(
            f"This workbook unpacks to {_size(unpacked)}, more than the {_size(limits.unpacked_bytes)} allowed. "
            "Save it as CSV, or split it into smaller workbooks, and upload again."
        )
    for member in members:
        if member.file_size >= _RATIO_CHECKED_FROM and member.file_size > limits.ratio * max(member.compress_size, 1):
            raise UnreadableFile(
                f"This workbook unpacks to {_size(unpacked)} from a file of {_size(file_size)}, far more than any "
                "customer list does: it is probably filled with empty or repeated rows. Open it in Excel, keep only "
                "the customer rows, save it as CSV, and upload that file."
            )
        if member.file_size > limits.part_bytes and not member.filename.startswith(_STREAMED_PARTS):
            raise UnreadableFile(
                f"This workbook holds {_size(member.file_size)} of shared text or formatting "
                f"({member.filename}), more than the {_size(limits.part_bytes)} that can be read at once. Save it as "
                "CSV, or split it into smaller workbooks, and upload again."
            )


def _zip_part_count(handle: BinaryIO, file_size: int) -> int | None:
    """How many parts the zip's end record announces (zip64 too), or None when it has none to read."""
    tail_size = min(file_size, 22 + 0xFFFF)  # the end record is 22 bytes, followed by a comment of up to 64 KB
    handle.seek(file_size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(_END_OF_DIRECTORY)
    if at < 0 or len(tail) - at < 22:
        return None
    (parts,) = struct.unpack_from("<H", tail, at + 10)
    locator = at - 20
    if parts != 0xFFFF or locator < 0 or not tail.startswith(_ZIP64_LOCATOR, locator):
        return parts
    (offset,) = struct.unpack_from("<Q", tail, locator + 8)
    handle.seek(offset)
    record = handle.read(40)
    if len(record) < 40 or not record.startswith(_ZIP64_END_OF_DIRECTORY):
        return None
    return struct.unpack_from("<Q", record, 32)[0]


def _size(size: int) -> str:
    return f"{size / _MB:,.0f} MB" if size >= _MB else f"{size / 1024:,.0f} KB"


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


def _xlsx_records(
    sheet: _Sheet, *, limits: _Limits, headers: list[str] | None = None
) -> Iterator[tuple[int, list[object]]]:
    """Every row of the sheet, empty ones too, numbered as Excel shows them, each checked against the limits.

    Each row holds the values up to its last cell. Rows the sheet leaves out are given empty, and a row
    repeating or going back on a row number is skipped, as openpyxl's ``iter_rows`` does. The width is checked
    before a row is built: a stray cell in column XFD would make it 16,384 values long, and every row like it.
    """
    number = 0
    cell_chars = limits.cell_chars
    try:
        for number_read, cells in _sheet_rows(sheet):
            if number_read <= number:
                continue
            while number < number_read - 1:
                number += 1
                if number > limits.rows:
                    raise _too_many_rows(limits.rows)
                yield number, []
            number = number_read
            if number > limits.rows:
                raise _too_many_rows(limits.rows)
            width = cells[-1]["column"] if cells else 0
            if width > limits.columns:
                raise UnreadableFile(
                    f"Row {number:,} of the workbook has cells as far right as column {get_column_letter(width)}, "
                    f"more than the {limits.columns:,} columns an upload may have. Delete the columns to the right "
                    "of the customer table (even empty ones that only carry formatting), or save the sheet as CSV, "
                    "and upload it again."
                )
            row: list[object] = [None] * width
            for cell in cells:
                column = cell["column"]
                if 0 < column <= width:
                    value = cell["value"]
                    row[column - 1] = value
                    if value.__class__ is str and len(value) > cell_chars:
                        _check_cells(row, row=number, headers=headers, limit=cell_chars)
            yield number, row
    except UnreadableFile:
        raise
    except Exception as exc:
        raise _workbook_damaged(number) from exc


def _sheet_rows(sheet: _Sheet) -> Iterator[tuple[int, list[dict]]]:
    """The sheet's ``<row>`` elements, each as openpyxl's parser reads it: its number and its cells.

    openpyxl's own read-only loop empties each row once read but leaves it in the tree, about 90 bytes a row
    (90 MB for a million); here a row is dropped from the tree as soon as it is read, so memory stays flat.
    """
    with sheet.archive.open(sheet.path) as source:
        parser = WorkSheetParser(
            source,
            sheet.shared_strings,
            data_only=True,
            epoch=sheet.epoch,
            date_formats=sheet.date_formats,
            timedelta_formats=sheet.timedelta_formats,
        )
        sheet_data = None
        for event, element in iterparse(source, events=("start", "end")):
            tag = element.tag
            if tag != _ROW_TAG:
                if tag == _SHEET_DATA_TAG and event == "start":
                    sheet_data = element
                continue
            if event == "end":
                row = parser.parse_row(element)
                if sheet_data is not None:
                    sheet_data.clear()
                else:
                    element.clear()
                parser.row_dimensions.clear()  # row heights and styles: not needed, and one entry a row
                yield row


def _xlsx_rows(
    records: Iterator[tuple[int, list[object]]], *, header_number: int, width: int
) -> Iterator[tuple[int, list[object] | None]]:
    """The rows after the header, cut or padded to its width; ``None`` for a blank one."""
    padding = [None] * width
    with closing(records):
        for number, row in records:
            if number <= header_number:
                continue
            values = row[:width] if len(row) > width else row
            if len(values) < width:
                values.extend(padding[len(values) :])
            if all(_is_blank_cell(value) for value in values):
                yield number, None
                continue
            yield number, values


def _workbook_damaged(number: int) -> UnreadableFile:
    where = f"after row {number}" if number else "at its first row"
    return UnreadableFile(
        f"The Excel workbook could not be read {where}: it is damaged. Open it in Excel, save it again as .xlsx "
        "or .csv, and upload it again."
    )
