"""Reading a CSV as a ``Table``: decoded and split as it is read, each record checked against the limits.

A quoted cell may run over several lines (an address); a quote opened and never closed would swallow the rows
after it into one cell, so such a file is refused, naming the line the quote opened on.
"""

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from contextlib import closing
from functools import partial
from typing import BinaryIO

from .detection import detect_delimiter, detect_encoding
from .headers import find_header
from .limits import Limits, check_cells, too_many_rows
from .table import EMPTY_MESSAGE, Table, UnreadableFile

_SAMPLE_SIZE = 64 * 1024

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


def open_csv(handle: BinaryIO, limits: Limits, *, header_line: int | None) -> Table:
    sample = handle.read(_SAMPLE_SIZE)
    complete = len(sample) < _SAMPLE_SIZE
    if not sample.strip():
        raise UnreadableFile(EMPTY_MESSAGE)
    encoding, errors = detect_encoding(sample, complete=complete)
    text_sample = codecs.getincrementaldecoder(encoding)(errors=errors).decode(sample, final=complete)
    controls = len(_CONTROL_CHARACTERS.findall(text_sample))
    if controls > _STRAY_CONTROL_CHARACTERS and controls > len(text_sample) * _BINARY_SHARE:
        raise UnreadableFile(
            "This file is not a CSV or Excel file: it holds binary data. Upload the customer list as .xlsx or .csv."
        )
    delimiter = detect_delimiter(text_sample.replace("\x00", ""), complete=complete, header_line=header_line)
    records = partial(_csv_records, handle, encoding=encoding, errors=errors, delimiter=delimiter, limits=limits)
    header = find_header(records(), header_line=header_line)
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
    handle: BinaryIO, *, encoding: str, errors: str, delimiter: str, limits: Limits, headers: list[str] | None = None
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
                raise too_many_rows(limits.rows)
            raw = lines.record
            if len(raw) > 1:
                _check_quotes(
                    raw, first_line=lines.number - len(raw) + 1, row=number, delimiter=delimiter, ended=lines.ended
                )
                if sum(map(len, raw)) > cell_chars:
                    check_cells(record, row=number, headers=headers, limit=cell_chars)
            elif len(raw[0]) > cell_chars:
                check_cells(record, row=number, headers=headers, limit=cell_chars)
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
