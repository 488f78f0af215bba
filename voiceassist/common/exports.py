"""Streamed exports as CSV or XLSX, with the columns declared by django-import-export resources.

Rows are read in chunks and written as they come: a million-row export never sits in memory (CSV is
streamed to the client; XLSX is written row by row to a temporary file by openpyxl's write-only mode).
Cells a spreadsheet would run as a formula are neutralised.
"""

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from import_export.resources import Resource
from openpyxl import Workbook

FORMATS = ("csv", "xlsx")
_PLAIN_NUMBER = re.compile(r"[+\-]?[\d\s().,\-]*")


def safe_cell(value: Any) -> Any:
    """Text starting with = + - @ gets a leading ``'`` unless it is a plain number or phone.

    ``+91 98765 43210`` and ``-500`` must survive a round trip; ``=HYPERLINK(…)`` must not run.
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None:
        return ""
    return value


def export_rows(resource: Resource, queryset: QuerySet) -> Iterator[list]:
    """The header row, then one row per object, read through import-export's chunked iterator."""
    yield resource.get_export_headers()
    for instance in resource.iter_queryset(queryset):
        yield [safe_cell(_plain(value)) for value in resource.export_resource(instance)]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterable[list]) -> Iterator[str]:
    """CSV text, line by line, for a ``StreamingHttpResponse``."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # Excel reads the file as UTF-8
    for row in rows:
        yield writer.writerow([f"{v:.2f}" if isinstance(v, Decimal) else v for v in row])


@dataclass(frozen=True)
class Export:
    resource: type[Resource]
    permission: str


def export_response(*, export: Export, queryset: QuerySet, fmt: str, name: str):
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"{name}-{stamp}.{fmt}"
    rows = export_rows(export.resource(), queryset)
    if fmt == "csv":
        response = StreamingHttpResponse(csv_stream(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(name[:31])
    for row in rows:
        sheet.append(row)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_registry() -> dict[str, tuple[Export, callable]]:
    """Each export by name: its columns, the permission it needs, and the rows it reads."""
    from calls.models import Call, PromiseToPay
    from calls.resources import CallExportResource, PromiseExportResource
    from customers.models import Customer
    from customers.resources import CustomerExportResource
    from uploads.models import UploadRow
    from uploads.resources import UploadRowExportResource

    return {
        "customers": (
            Export(CustomerExportResource, "customers.view_customer"),
            lambda: Customer.objects.with_do_not_call().prefetch_related("loans").order_by("id"),
        ),
        "entries": (
            Export(UploadRowExportResource, "uploads.view_uploadrow"),
            lambda: UploadRow.objects.select_related("upload").order_by("upload_id", "row_number"),
        ),
        "calls": (
            Export(CallExportResource, "calls.view_call"),
            lambda: Call.objects.select_related("customer", "loan", "campaign", "disposition").order_by("id"),
        ),
        "promises": (
            Export(PromiseExportResource, "calls.view_promisetopay"),
            lambda: PromiseToPay.objects.select_related("customer", "loan").order_by("id"),
        ),
    }
