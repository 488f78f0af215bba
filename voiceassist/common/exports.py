"""Exports: the registry of what may be exported, and the one writer of each format (CSV, XLSX).

Each app declares its own exports in its ``exports.py`` (loaded by its ``AppConfig.ready``) with
``exports_register``: a name, the columns (a django-import-export resource), the permission it needs and the
rows it reads. The ``exports`` app (jobs, API) and the admin's export actions read them from ``EXPORTS``; this
package imports no app.

Rows are produced one at a time from a chunked read and written as they come, so a million rows never sit
in memory: CSV is streamed (to the client, or into a file), XLSX is written row by row by openpyxl's
write-only mode. Every cell a spreadsheet would run as a formula is neutralised, headers included.
"""

import csv
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from import_export.resources import Resource
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


@dataclass(frozen=True)
class Export:
    name: str
    label: str  # what a clerk calls the rows: "customers", "upload entries"
    resource: type[Resource]
    permission: str
    # Every row, in the file's order; an admin selection is a filter on it. Ordered by a unique key, so
    # the chunks of a long read neither repeat nor skip a row.
    rows: Callable[[], QuerySet]


# Every export by name, in the order the apps declared them (``INSTALLED_APPS``).
EXPORTS: dict[str, Export] = {}


def exports_register(
    name: str, *, label: str, resource: type[Resource], permission: str, rows: Callable[[], QuerySet]
) -> Export:
    """Declare the export ``name``: what an app offers the exports API, export jobs and the admin's actions."""
    if name in EXPORTS:
        raise ImproperlyConfigured(f"Two exports are called “{name}”.")
    export = Export(name=name, label=label, resource=resource, permission=permission, rows=rows)
    EXPORTS[name] = export
    return export


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
