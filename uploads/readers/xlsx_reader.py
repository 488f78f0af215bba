"""Reading an Excel workbook's first sheet as a ``Table``, one row at a time, each row let go once read.

The sheet is parsed with openpyxl's own row parser, but opened without ``load_workbook`` and its rows dropped
from the tree as they are read, so a million-row sheet is read once and memory stays flat.
"""

import datetime
import zipfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import DATA_TAG as _SHEET_DATA_TAG
from openpyxl.worksheet._reader import ROW_TAG as _ROW_TAG
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.functions import iterparse

from .headers import find_header, is_blank_cell
from .limits import Limits, check_cells, check_workbook_size, too_many_rows
from .table import EMPTY_MESSAGE, Table, UnreadableFile

_BROKEN_WORKBOOK_MESSAGE = (
    "The Excel workbook could not be opened: it is damaged or not really an .xlsx file. Open it in Excel, "
    "save it again as .xlsx or .csv, and upload it again."
)


@contextmanager
def open_xlsx(handle: BinaryIO, limits: Limits, *, header_line: int | None) -> Iterator[Table]:
    check_workbook_size(handle, limits)
    handle.seek(0)
    sheet = _first_sheet(handle)
    try:
        header = find_header(_xlsx_records(sheet, limits=limits), header_line=header_line)
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
        raise UnreadableFile(EMPTY_MESSAGE)
    workbook = reader.wb
    return _Sheet(
        archive=reader.archive,
        path=path,
        shared_strings=reader.shared_strings,
        epoch=workbook.epoch,
        date_formats=workbook._date_formats,
        timedelta_formats=workbook._timedelta_formats,
    )


def _workbook_failure_message(handle: BinaryIO) -> str:
    try:
        handle.seek(0)
        names = zipfile.ZipFile(handle).namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return _BROKEN_WORKBOOK_MESSAGE
    if not any(name.startswith("xl/") for name in names):
        return "This file is a ZIP archive, not an Excel workbook. Unzip it and upload the .xlsx or .csv file inside."
    return _BROKEN_WORKBOOK_MESSAGE


def _xlsx_records(
    sheet: _Sheet, *, limits: Limits, headers: list[str] | None = None
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
                    raise too_many_rows(limits.rows)
                yield number, []
            number = number_read
            if number > limits.rows:
                raise too_many_rows(limits.rows)
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
                        check_cells(row, row=number, headers=headers, limit=cell_chars)
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
            if all(is_blank_cell(value) for value in values):
                yield number, None
                continue
            yield number, values


def _workbook_damaged(number: int) -> UnreadableFile:
    where = f"after row {number}" if number else "at its first row"
    return UnreadableFile(
        f"The Excel workbook could not be read {where}: it is damaged. Open it in Excel, save it again as .xlsx "
        "or .csv, and upload it again."
    )
