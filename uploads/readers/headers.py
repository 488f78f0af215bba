"""Which row of a file is its header, and the title lines above it.

Core-banking reports print title lines above the header ("ABC Finance Ltd", "Overdue report as on …"), so the
header is the first line whose cells name known columns, not simply the first line; the lines above it are
kept aside (``Table.title_lines``) for the upload's report, never imported. Blank rows are skipped and listed.
"""

import datetime
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass

from customers.headers import header_column

from .table import EMPTY_MESSAGE, MAX_LISTED_ROWS, UnreadableFile

# The header is looked for among this many non-blank lines at the top of the file.
HEADER_SEARCH_LINES = 30
# Characters of a title line kept: enough to recognise it in the report.
_TITLE_LINE_CHARS = 500
_TITLE_SEPARATOR = " | "


@dataclass(frozen=True, slots=True)
class Header:
    number: int
    headers: list[str]
    title_lines: list[tuple[int, str]]


def find_header(records: Iterator[tuple[int, Sequence[object]]], *, header_line: int | None) -> Header:
    """The header row — the one ``header_line`` names, else the one that names known columns — and the lines
    above it."""
    with closing(records):
        if header_line is not None:
            return _header_at(records, header_line)
        first: Header | None = None
        title_lines: list[tuple[int, str]] = []
        for number, cells in records:
            headers = header_cells(cells)
            if not headers:
                continue
            if names_known_columns(headers):
                return Header(number, headers, title_lines)
            first = first or Header(number, headers, [])
            title_lines.append(_title_line(number, cells))
            if len(title_lines) == HEADER_SEARCH_LINES:
                break
    if first is None:
        raise UnreadableFile(EMPTY_MESSAGE)
    return first  # no line names known columns: the pipeline will say which columns are missing


def _header_at(records: Iterator[tuple[int, Sequence[object]]], header_line: int) -> Header:
    title_lines: list[tuple[int, str]] = []
    last = 0
    for number, cells in records:
        last = number
        if number < header_line:
            if len(title_lines) < MAX_LISTED_ROWS and any(not is_blank_cell(cell) for cell in cells):
                title_lines.append(_title_line(number, cells))
            continue
        headers = header_cells(cells)
        if not headers:
            raise UnreadableFile(
                f"Row {header_line:,} was given as the header row, but it is blank. Check which row names the "
                "columns, set that row as the header row, and upload the file again."
            )
        return Header(number, headers, title_lines)
    if not last:
        raise UnreadableFile(EMPTY_MESSAGE)
    raise UnreadableFile(
        f"Row {header_line:,} was given as the header row, but the file ends at row {last:,}. Check which row "
        "names the columns, set that row as the header row, and upload the file again."
    )


def header_cells(cells: Sequence[object]) -> list[str]:
    headers = ["" if cell is None else str(cell).replace("\ufeff", "").strip() for cell in cells]
    while headers and not headers[-1]:
        headers.pop()  # trailing empty columns: formatting, or separators at the end of the line
    return headers


def names_known_columns(headers: list[str]) -> bool:
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


def is_blank_cell(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


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
