"""Reads on uploads: entries, timelines, the failed rows as a file to fix."""

import itertools
from collections.abc import Iterator

from django.db.models import QuerySet

from customers.models import Customer
from uploads.models import FileUpload, RowOutcome, UploadRow
from voiceassist.common.exports import csv_stream, safe_cell

FAILED_OUTCOMES = (RowOutcome.INVALID, RowOutcome.DUPLICATE)
# Never shown from an entry's changes (entries written before it left them held the national id's fingerprint).
HIDDEN_CHANGES = frozenset({"national_id_fingerprint"})


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


def upload_failed_rows_csv(*, upload: FileUpload) -> Iterator[str]:
    """The rows that were not imported, with the file's own columns and an ``error`` column.

    Fix the values in a spreadsheet and upload the file again: the rows that went in before are
    unchanged on the second pass, the fixed ones go in. Streamed, so a large file never sits in memory.
    Every cell is neutralised against spreadsheet formulas, the header row too: it came from the file.
    """
    headers = upload.report.get("headers") or []
    failed = upload.entries.filter(outcome__in=FAILED_OUTCOMES).order_by("row_number")
    rows = (
        [safe_cell(values.get(header, "")) for header in headers] + [safe_cell("; ".join(errors))]
        for values, errors in failed.values_list("values", "errors").iterator(chunk_size=2000)
    )
    return csv_stream(itertools.chain([[*(safe_cell(header) for header in headers), "error"]], rows))
