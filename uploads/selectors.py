"""Reads on uploads: entries, timelines, the failed rows as a file to fix."""

import itertools
import re
from collections.abc import Iterator
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from customers.models import Customer
from customers.phones import phone_try_normalize
from uploads.models import COUNT_FIELDS, FileUpload, RowOutcome, UploadRow, UploadStatus
from voiceassist.common.exports import CONTENT_TYPES, csv_stream, safe_cell

FAILED_OUTCOMES = (RowOutcome.INVALID, RowOutcome.DUPLICATE)
# The outcome tabs of an upload's page, in the order a clerk works through them: what needs fixing first.
OUTCOME_TABS = {
    RowOutcome.INVALID: "Invalid",
    RowOutcome.DUPLICATE: "Duplicates in file",
    RowOutcome.NAME_CONFLICT: "Name conflicts",
    RowOutcome.SKIPPED: "Skipped",
    RowOutcome.CREATED: "Created",
    RowOutcome.UPDATED: "Updated",
    RowOutcome.UNCHANGED: "Unchanged",
}
_LONG_EXPONENT = re.compile(r"[eE]\+?\d{3,}")
# Never shown from an entry's changes (entries written before it left them held the national id's fingerprint).
HIDDEN_CHANGES = frozenset({"national_id_fingerprint"})


# Entries that describe changes the data does not hold: a preview nobody confirmed, the check of a file set to
# stop on any invalid row (its entries are replaced when the import proper starts), an upload undone since.
_PREVIEW = Q(upload__dry_run=True) | Q(upload__status=UploadStatus.AWAITING_CONFIRMATION)
# A subquery, not ``upload__report__phase``: negated, a key comparison is unknown where the key is missing.
_CHECK_ONLY = Q(upload__in=FileUpload.objects.filter(report__phase="validation").values("pk"))
_REVERTED = Q(upload__status=UploadStatus.REVERTED)
ENTRIES_NOT_IN_FORCE = _PREVIEW | _CHECK_ONLY | _REVERTED


def customer_entries(*, customer: Customer, show_all: bool = True) -> QuerySet[UploadRow]:
    """The customer's timeline: every upload row that named them, newest first.

    ``show_all=False`` leaves out the entries whose changes are not in the data (see ``entry_standing``).
    """
    entries = UploadRow.objects.filter(customer=customer)
    if not show_all:
        entries = entries.exclude(ENTRIES_NOT_IN_FORCE)
    return entries.select_related("upload", "upload__uploaded_by").order_by("-created_at", "-upload_id", "-row_number")


def customer_entries_hidden_count(*, customer: Customer) -> int:
    """How many of the customer's entries ``customer_entries(show_all=False)`` leaves out."""
    return UploadRow.objects.filter(customer=customer).filter(ENTRIES_NOT_IN_FORCE).count()


def upload_reverted_at(*, upload: FileUpload) -> datetime | None:
    if upload.status != UploadStatus.REVERTED:
        return None
    recorded = parse_datetime(upload.report.get("revert", {}).get("reverted_at") or "")
    return recorded or upload.updated_at  # reverts recorded before the date was kept: their last save


def entry_standing(*, upload: FileUpload) -> str:
    """Why the entries of ``upload`` changed nothing that stands today, or ``""`` when their changes are in force.

    One sentence for every place that lists entries (the customer page, the admin), so they all say the same.
    """
    if upload.status == UploadStatus.REVERTED:
        reverted_at = upload_reverted_at(upload=upload)
        return f"reverted on {timezone.localtime(reverted_at):%-d %b %Y}"
    if upload.dry_run or upload.status == UploadStatus.AWAITING_CONFIRMATION:
        return "preview, never confirmed"
    if upload.report.get("phase") == "validation":
        if upload.status == UploadStatus.FAILED:
            return "checked only, nothing imported (the file had invalid rows)"
        return "checked only, not imported yet"
    if upload.status == UploadStatus.REVERTING:
        return "being reverted"
    return ""


def upload_entries(*, upload: FileUpload, outcome: str | None = None, search: str = "") -> QuerySet[UploadRow]:
    """The upload's entries in row order: of one ``outcome``, and those ``search`` finds (``entries_matching``)."""
    entries = upload.entries.order_by("row_number")
    if outcome:
        entries = entries.filter(outcome=outcome)
    if search.strip():
        entries = entries.filter(entries_matching(search))
    return entries


def entries_matching(search: str) -> Q:
    """Entries of a phone written in any format, or of a loan id.

    The phone is compared as it is stored (E.164); text that is no phone is compared as it is, and is looked for
    in the rows whose phone could not be read, as the file had them (a clerk searching for the bad number).
    """
    text = " ".join(search.split())
    # A phone has no exponent of hundreds of digits: such text would keep the parser busy for minutes.
    phone = None if _LONG_EXPONENT.search(text) else phone_try_normalize(text)
    if phone is None:
        return Q(phone=text) | Q(loan_id=text) | Q(phone="", values__icontains=text)
    return Q(phone=phone) | Q(loan_id=text)


def upload_outcome_tabs(*, upload: FileUpload, search: str = "") -> list[dict]:
    """The tabs of an upload's page: all rows, then each outcome of ``OUTCOME_TABS`` with how many rows it has
    (of those ``search`` finds, when given). ``outcome`` is None for all rows."""
    if search.strip():
        grouped = upload_entries(upload=upload, search=search).order_by().values_list("outcome")
        counts = dict(grouped.annotate(rows=Count("pk")))
    else:  # the upload keeps its counts: no rows need counting
        counts = {outcome: getattr(upload, field) for outcome, field in COUNT_FIELDS.items()}
    tabs = [
        {"outcome": outcome, "label": label, "count": counts.get(outcome, 0)} for outcome, label in OUTCOME_TABS.items()
    ]
    return [{"outcome": None, "label": "All rows", "count": sum(counts.values())}, *tabs]


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


def upload_failed_rows_download(*, upload: FileUpload) -> StreamingHttpResponse:
    """``upload_failed_rows_csv`` as a file to download: what the API and the upload's page both answer."""
    response = StreamingHttpResponse(upload_failed_rows_csv(upload=upload), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="upload-{upload.pk}-failed-rows.csv"'
    return response
