"""Rows as CSV or XLSX: the one writer of each format, for direct downloads and export jobs alike.

The columns are declared by django-import-export resources (``exports/registry.py`` names each export).
Rows are produced one at a time from a chunked read and written as they come, so a million rows never sit
in memory: CSV is streamed (to the client, or into a file), XLSX is written row by row by openpyxl's
write-only mode. Every cell a spreadsheet would run as a formula is neutralised, headers included.
"""

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from import_export.resources import Resource
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# What makes a spreadsheet read a cell as a formula (OWASP, "CSV injection"). Tab and carriage return are
# on the list because Excel and LibreOffice drop them and read what follows, so "\t=HYPERLINK(…)" runs.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+\-][\d\s().,\-]*")


def safe_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading ``'``; plain numbers and phones do not.

    ``+91 98765 43210`` and ``-500`` must survive a round trip; ``=HYPERLINK(…)``, ``@SUM(…)`` and
    ``\\t=1+1`` must not run. Only ``+`` and ``-`` can start a number, so only they are let through.
    """
    if not isinstance(value, str) or not value.startswith(_FORMULA_STARTS):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None:
        return ""
    return value


def export_rows(resource: Resource, objects: Iterable) -> Iterator[list]:
    """The header row, then one row per object: every cell made safe for a spreadsheet.

    ``objects`` is read lazily (``exports.selectors.export_objects`` reads them in chunks).
    """
    yield [safe_cell(header) for header in resource.get_export_headers()]
    for instance in objects:
        yield [safe_cell(_plain(value)) for value in resource.export_resource(instance)]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterable[list]) -> Iterator[str]:
    """CSV text, line by line: for a ``StreamingHttpResponse`` or ``csv_write``."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # Excel reads the file as UTF-8
    for row in rows:
        yield writer.writerow([f"{v:.2f}" if isinstance(v, Decimal) else v for v in row])


def csv_write(rows: Iterable[list], file: IO[bytes]) -> None:
    """The same CSV as ``csv_stream``, into a binary file."""
    for line in csv_stream(rows):
        file.write(line.encode("utf-8"))


def _xlsx_cell(value: Any) -> Any:
    # openpyxl refuses control characters (a stray \x0b in a name) and would stop the whole file on one cell.
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def xlsx_write(rows: Iterable[list], file: IO[bytes], *, title: str) -> None:
    """One sheet, written row by row (openpyxl's write-only mode keeps no rows in memory)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in row])
    workbook.save(file)


def rows_write(rows: Iterable[list], file: IO[bytes], *, fmt: str, title: str) -> None:
    """``rows`` into ``file`` as ``fmt``: what an export job stores."""
    if fmt == "csv":
        csv_write(rows, file)
    else:
        xlsx_write(rows, file, title=title)


def export_filename(name: str, fmt: str, when: datetime | None = None) -> str:
    return f"{name}-{timezone.localtime(when):%Y%m%d-%H%M}.{fmt}"


def export_response(*, rows: Iterable[list], fmt: str, name: str) -> StreamingHttpResponse | FileResponse:
    """A direct download: CSV streamed as it is written; XLSX spooled to a temporary file, then sent."""
    filename = export_filename(name, fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(csv_stream(rows), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    xlsx_write(rows, spool, title=name)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=CONTENT_TYPES["xlsx"])
