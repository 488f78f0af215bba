"""Reads for the agents' pages: today's figures, the work queue, a customer's page, uploads' progress.

Writes never happen here; the pages call the services of ``customers``, ``uploads`` and ``calls``.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour
from django.utils import timezone

from calls.models import Call, Disposition, DispositionLayer, PromiseToPay, WorkItem
from customers.models import Customer, Loan
from customers.selectors import customer_find
from uploads.models import RUNNING_STATUSES as RUNNING_UPLOAD_STATUSES
from uploads.models import FileUpload, UploadRow, UploadStatus
from uploads.selectors import customer_entries, customer_entries_hidden_count, entry_standing

SEARCH_LIMIT = 50


def _today_bounds(now: datetime | None = None) -> tuple[datetime, datetime]:
    """Midnight to midnight of the current local day (``TIME_ZONE``)."""
    day = timezone.localdate(now or timezone.now())
    start = timezone.make_aware(datetime.combine(day, time(0)))
    return start, start + timedelta(days=1)


# --- Dashboard ----------------------------------------------------------------------------------


def _by_hour_today(queryset: QuerySet, field: str, now: datetime | None) -> list[int]:
    start, end = _today_bounds(now)
    counts = [0] * 24
    rows = (
        queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})
        .annotate(hour=ExtractHour(field, tzinfo=timezone.get_current_timezone()))
        .values("hour")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["hour"]] = row["n"]
    return counts


def calls_by_hour_today(*, now: datetime | None = None) -> list[int]:
    """How many calls started in each local hour of today: 24 counts, index = hour."""
    return _by_hour_today(Call.objects.all(), "started_at", now)


def promises_by_hour_today(*, now: datetime | None = None) -> list[int]:
    """How many promises to pay were recorded in each local hour of today."""
    return _by_hour_today(PromiseToPay.objects.all(), "created_at", now)


def dashboard_figures(*, user: AbstractBaseUser, now: datetime | None = None) -> dict:
    """Today's calls, connects and promises; the queue (open, due now, claimed by ``user``)."""
    now = now or timezone.now()
    start, end = _today_bounds(now)
    calls = Call.objects.filter(started_at__gte=start, started_at__lt=end).aggregate(
        calls=Count("id"),
        connects=Count("id", filter=Q(disposition__is_contact=True)),
    )
    promises = PromiseToPay.objects.filter(created_at__gte=start, created_at__lt=end).aggregate(
        promises=Count("id"), promised_amount=Sum("amount")
    )
    queue = WorkItem.objects.filter(done_at__isnull=True).aggregate(
        queue_open=Count("id"),
        queue_due=Count("id", filter=Q(due_at__lte=now)),
        queue_mine=Count("id", filter=Q(claimed_by=user.pk)),
    )
    return {
        **calls,
        "promises": promises["promises"],
        "promised_amount": promises["promised_amount"] or Decimal("0.00"),
        **queue,
    }


def uploads_for_dashboard(*, now: datetime | None = None, limit: int = 10) -> list[FileUpload]:
    """Uploads still running, then those that finished in the last hour (so a bar is seen reaching 100 %)."""
    now = now or timezone.now()
    running = list(FileUpload.objects.filter(status__in=RUNNING_UPLOAD_STATUSES).order_by("created_at", "id")[:limit])
    finished = FileUpload.objects.filter(finished_at__gte=now - timedelta(hours=1)).exclude(
        status__in=RUNNING_UPLOAD_STATUSES
    )
    return running + list(finished.order_by("-finished_at", "-id")[: max(0, limit - len(running))])


def upload_progress(*, upload: FileUpload) -> dict:
    """What a progress bar needs; the same field names as ``GET /api/v1/uploads/{id}/``."""
    return {
        "id": upload.pk,
        "original_name": upload.original_name,
        "status": upload.status,
        "status_display": upload.get_status_display(),
        "dry_run": upload.dry_run,
        "running": upload.status in RUNNING_UPLOAD_STATUSES,
        "rows_done": upload.rows_done,
        "rows_total": upload.rows_total,
        "progress_percent": upload.progress_percent,
        "counts": upload.counts,
    }


def upload_get(*, upload_id: int) -> FileUpload:
    return FileUpload.objects.select_related("identical_to", "uploaded_by").get(pk=upload_id)


def upload_state(*, upload: FileUpload) -> dict:
    """What the upload page may offer: still running (poll), confirm, download the failed rows."""
    return {
        "running": upload.status in RUNNING_UPLOAD_STATUSES,
        "can_confirm": upload.status == UploadStatus.AWAITING_CONFIRMATION and upload.file_purged_at is None,
        "has_failed_rows": upload.invalid_count + upload.duplicate_count > 0,
        "retention_days": settings.UPLOAD_FILE_RETENTION_DAYS,
        "entries_standing": entry_standing(upload=upload),
    }


# --- Customers ----------------------------------------------------------------------------------


def customer_search(*, query: str, limit: int = SEARCH_LIMIT) -> list[Customer]:
    """``customers.selectors.customer_find`` with each customer's loans, at most ``limit``."""
    customers = customer_find(query=query).with_do_not_call().prefetch_related("loans")
    return list(customers.order_by("full_name", "id")[:limit])


def customer_get(*, customer_id: int) -> Customer:
    loans = Prefetch("loans", queryset=Loan.objects.order_by("due_date", "id"))
    return Customer.objects.with_do_not_call().prefetch_related(loans).get(pk=customer_id)


def customer_timeline(*, customer: Customer, show_all: bool, limit: int) -> dict:
    """The customer's upload entries, newest first, each with its ``standing`` ("" when its changes are in force).

    By default the entries of previews never confirmed and of reverted uploads are left out (``hidden`` counts
    them): they describe changes the customer's data does not hold.
    """
    entries: list[UploadRow] = list(customer_entries(customer=customer, show_all=show_all)[:limit])
    for entry in entries:
        entry.standing = entry_standing(upload=entry.upload)
    return {
        "entries": entries,
        "show_all": show_all,
        "hidden": customer_entries_hidden_count(customer=customer),
    }


def customer_promises(*, customer: Customer) -> QuerySet[PromiseToPay]:
    return customer.promises.select_related("loan").order_by("-created_at", "-id")


def customer_open_work(*, customer: Customer) -> QuerySet[WorkItem]:
    return customer.work_items.filter(done_at__isnull=True).select_related("claimed_by").order_by("due_at", "id")


def conversation_dispositions() -> QuerySet[Disposition]:
    """What an agent may log as the outcome of their own call."""
    return Disposition.objects.filter(layer=DispositionLayer.CONVERSATION).order_by("label")
