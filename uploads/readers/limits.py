"""What one file may hold, and the checks and messages that refuse a file holding more.

What one file may hold is bounded (settings ``UPLOAD_MAX_ROWS``, ``UPLOAD_MAX_COLUMNS``, ``UPLOAD_MAX_CELL_CHARS``
and, for workbooks, ``UPLOAD_XLSX_MAX_*``): a 600 KB workbook can unpack to gigabytes, and one stray quote can
turn the rest of a CSV into a single cell. Such files are refused, with where and why, before any row is written.
"""

import os
import struct
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from openpyxl.utils import get_column_letter

from .table import UnreadableFile

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


@dataclass(frozen=True, slots=True)
class Limits:
    """What one file may hold: the ``UPLOAD_MAX_*`` settings, read as each file is opened."""

    rows: int
    columns: int
    cell_chars: int
    unpacked_bytes: int
    part_bytes: int
    ratio: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            rows=settings.UPLOAD_MAX_ROWS,
            columns=settings.UPLOAD_MAX_COLUMNS,
            cell_chars=settings.UPLOAD_MAX_CELL_CHARS,
            unpacked_bytes=settings.UPLOAD_XLSX_MAX_UNPACKED_MB * _MB,
            part_bytes=settings.UPLOAD_XLSX_MAX_PART_MB * _MB,
            ratio=settings.UPLOAD_XLSX_MAX_RATIO,
        )


def check_cells(cells: list | tuple, *, row: int, headers: list[str] | None, limit: int) -> None:
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


def too_many_rows(limit: int) -> UnreadableFile:
    return UnreadableFile(
        f"This file goes on past row {limit:,}, the most an upload may have. Split it into smaller files and "
        "upload them one after the other."
    )


def check_workbook_size(handle: BinaryIO, limits: Limits) -> None:
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
