"""Uploads that stopped moving: carry them on, and stop the ones that keep killing their worker.

- A pending upload whose task never reached a worker (the broker was down), or one whose worker died
  mid-file (the whole worker, not just a pool process: Redis would hand the message back only after its
  visibility timeout), stops moving. ``uploads_requeue`` (every ``UPLOAD_REQUEUE_EVERY_SECONDS``) queues
  any upload whose last sign of life is older than ``UPLOAD_STALL_SECONDS``. That is safe: batches are
  idempotent, and a second delivery that finds the upload alive steps aside.
- A file that kills its worker (out of memory, say) would be delivered again and again. Each delivery
  notes where it started; the third to start at the same row without progress fails the upload with a
  message instead of looping.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from uploads.models import RUNNING_STATUSES, STARTED_STATUSES, FileUpload, UploadStatus

from .intake import upload_queue_send
from .status import upload_fail

# Deliveries that started at the same row, without getting further, before the upload is given up.
MAX_DELIVERIES_WITHOUT_PROGRESS = 2
# What ``upload_delivery_begin`` says a delivery should do.
GO, LATER, NO = "go", "later", "no"


def upload_heartbeat(*, upload_id: int) -> None:
    """A sign of life during long work that commits nothing (counting a file's rows)."""
    FileUpload.objects.filter(pk=upload_id).update(updated_at=timezone.now())


def uploads_requeue(*, now: datetime | None = None) -> dict[str, int]:
    """Queue again every upload that stopped moving, and every revert that did. Returns counts."""
    from uploads.tasks import upload_revert_task

    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.UPLOAD_STALL_SECONDS)
    counts = {"requeued": 0, "reverts_requeued": 0}
    for upload in FileUpload.objects.filter(status__in=RUNNING_STATUSES, updated_at__lt=stale):
        requeued_at = parse_datetime(upload.report.get("requeued_at") or "")
        if requeued_at is not None and requeued_at > stale:
            continue  # queued again lately: give that message its time
        # Noted without touching ``updated_at``: that is the upload's sign of life, which a delivery reads.
        noted = FileUpload.objects.filter(pk=upload.pk, updated_at=upload.updated_at).update(
            report={**upload.report, "requeued_at": now.isoformat()}
        )
        if not noted:
            continue  # it moved meanwhile
        if upload.status == UploadStatus.REVERTING:
            upload_revert_task.delay(upload.pk, None)
            counts["reverts_requeued"] += 1
        else:
            counts["requeued"] += upload_queue_send(upload)
    return counts


@transaction.atomic
def upload_delivery_begin(*, upload_id: int, now: datetime | None = None) -> str:
    """May this delivery of the processing task work on the upload? Notes where it starts.

    ``"go"``; ``"later"`` when another delivery is alive on it (a sign of life within
    ``UPLOAD_STALL_SECONDS``: ask again after that); ``"no"`` when there is nothing to do, or when this
    file has already stopped its worker twice at the same row (the upload is failed, with why).
    """
    now = now or timezone.now()
    upload = FileUpload.objects.select_for_update().filter(pk=upload_id).first()
    if upload is None:
        return NO
    in_progress = upload.status in STARTED_STATUSES
    if in_progress and upload.updated_at > now - timedelta(seconds=settings.UPLOAD_STALL_SECONDS):
        return LATER
    here = upload.last_row_number
    starts = list(upload.report.get("deliveries", [])) if in_progress else []
    if in_progress and starts[-MAX_DELIVERIES_WITHOUT_PROGRESS:] == [here] * MAX_DELIVERIES_WITHOUT_PROGRESS:
        where = f"after row {here}" if here else "before its first row"
        upload_fail(
            upload_id=upload.pk,
            message=f"Processing this file stopped its worker {MAX_DELIVERIES_WITHOUT_PROGRESS} times {where} "
            "without getting further (it ran out of memory or time), so it was set aside. Rows before that point "
            "were imported. Check the file — an Excel workbook can hide a huge sheet — then save it as CSV or "
            "split it, and upload the rest again.",
        )
        return NO
    upload.report = {**upload.report, "deliveries": [*starts, here][-5:]}
    upload.save(update_fields=["report", "updated_at"])
    return GO
