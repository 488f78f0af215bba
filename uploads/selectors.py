"""Reads on uploads: entries, timelines, the failed rows as a file to fix."""

import csv
import re
from collections.abc import Iterator

from django.db.models import QuerySet

from customers.models import Customer
from uploads.models import FileUpload, RowOutcome, UploadRow

FAILED_OUTCOMES = (RowOutcome.INVALID, RowOutcome.DUPLICATE)


def customer_entries(*, customer: Customer) -> QuerySet[UploadRow]:
    """The customer's timeline: every upload row that named them, newest first."""
    return (
        UploadRow.objects.filter(customer=customer)
        .select_related("upload", "upload__uploaded_by")
        .order_by("-created_at", "-upload_id", "-row_number")
    )


def upload_entries(*, upload: FileUpload, outcome: str | None = None) -> QuerySet[UploadRow]:
    entries = upload.entries.order_by("row_number")
    return entries.filter(outcome=outcome) if outcome else entries


class _Echo:
    def write(self, value: str) -> str:
        return value


def upload_failed_rows_csv(*, upload: FileUpload) -> Iterator[str]:
    """The rows that were not imported, with the file's own columns and an ``error`` column.

    Fix the values in a spreadsheet and upload the file again: the rows that went in before are
    unchanged on the second pass, the fixed ones go in. Streamed, so a large file never sits in memory.
    """
    headers = upload.report.get("headers") or []
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so that Excel opens the file as UTF-8
    yield writer.writerow([*headers, "error"])
    failed = upload.entries.filter(outcome__in=FAILED_OUTCOMES).order_by("row_number")
    for entry in failed.values_list("values", "errors").iterator(chunk_size=2000):
        values, errors = entry
        yield writer.writerow([_safe_cell(values.get(header, "")) for header in headers] + ["; ".join(errors)])


_PLAIN_NUMBER = re.compile(r"[+\-]?[\d\s().,\-]*")


def _safe_cell(value: object) -> object:
    """Cells a spreadsheet would run as a formula get a leading ``'`` so they stay text.

    Numbers and phones (``+91 98765 43210``, ``-500``) are left alone: they must survive the round trip.
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value
