"""Streaming readers for the customer files lenders upload: CSV (any common encoding and separator) and XLSX.

Files reach a million rows, so nothing here holds a whole file in memory: a CSV is decoded and split as it is
read, and a workbook's first sheet is parsed one row at a time with openpyxl's parser, each row let go once
read. Both give the same ``Table``, so the pipeline never cares which format a lender chose. Files come from
Django's storage API as open binary files, never as paths, so web and workers need not share a disk.

``open_table`` is the way in: it tells the format from the file's bytes and name and hands the file to
``csv_reader`` or ``xlsx_reader``. Both find the header with ``headers``, refuse what ``limits`` forbids and
give back ``table.Table``; ``detection`` finds a CSV's encoding and separator.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from .csv_reader import open_csv
from .headers import HEADER_SEARCH_LINES
from .limits import Limits
from .table import Table, UnreadableFile
from .xlsx_reader import open_xlsx

__all__ = ["HEADER_SEARCH_LINES", "Table", "UnreadableFile", "open_table"]

_ZIP_SIGNATURE = b"PK\x03\x04"
_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and also password-protected .xlsx
_XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm"})

_OLD_EXCEL_MESSAGE = (
    "This is an old-format Excel workbook (.xls), which cannot be read. Open it in Excel, save it as .xlsx "
    "or .csv, and upload it again."
)
_OLE2_MESSAGE = (
    "This file is an old-format Excel workbook (.xls) or a password-protected one, which cannot be read. "
    "Open it in Excel, remove any password, save it as .xlsx or .csv, and upload it again."
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
    limits = Limits.from_settings()
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
        with open_xlsx(file, limits, header_line=header_line) as table:
            yield table
    else:
        yield open_csv(file, limits, header_line=header_line)


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
