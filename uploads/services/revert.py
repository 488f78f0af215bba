"""Undo an upload: remove what it created and put back what it changed, where that is still safe.

What one batch undoes, and what it keeps because something depends on it, is in ``revert_undo``; here are the
services that ask for a revert, run it batch by batch, and say how it ended.

The work goes in batches of entries (``REVERT_BATCH_SIZE``), newest row first as before, each batch read and
written with a handful of set-based statements in its own short transaction, so other writers (the
dispatcher, webhooks) get the database between two batches. Each batch commits with it how far the revert
got (``rows_done`` / ``rows_total`` on the upload, as processing does, and its running report): a worker
that dies mid-way is redelivered (acks are late) and carries on from the last committed batch, and the
result is the same as one uninterrupted pass. The customers the upload created go last, once every row
that could still hold them is undone.
"""

import time
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, reset_queries, transaction
from django.utils import timezone

from uploads.models import FINISHED_STATUSES, FileUpload, RowOutcome, UploadStatus
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditAction
from voiceassist.common.services import audit_event_record

from .processing import error_without_row_values
from .revert_undo import RevertReport, remove_customers, undo_entries
from .status import upload_transition

# Entries undone per transaction: large enough for set-based statements to pay, small enough that a batch
# holds the database for well under a second.
REVERT_BATCH_SIZE = 2000
# SQLite has one writer at a time, and a waiting writer polls (every 100 ms at most): without a pause the next
# batch takes the lock again before any of them looks. PostgreSQL locks rows, other writers never wait on these.
SQLITE_PAUSE_SECONDS = 0.1
# The two passes, in order: every entry the upload wrote, then the customers it created.
ENTRIES, CUSTOMERS = "entries", "customers"
_WROTE = (RowOutcome.CREATED, RowOutcome.UPDATED)
# In the report while a revert runs: what the upload was before it (status, error, progress).
_BEFORE = "revert_from"
REVERT_CHANGED_NOTHING = "The revert failed and changed nothing; try again."


def upload_may_be_reverted(upload: FileUpload) -> bool:
    """An import (not a preview) that completed or failed: what a revert may be asked for."""
    return not upload.dry_run and upload.status in FINISHED_STATUSES


@transaction.atomic
def upload_revert_request(*, upload: FileUpload, actor: AbstractBaseUser | None) -> FileUpload:
    """Check the upload can be reverted, mark it and queue the work (large uploads take a while)."""
    from uploads.tasks import upload_revert_task

    upload = FileUpload.objects.select_for_update().get(pk=upload.pk)
    if not upload_may_be_reverted(upload):
        raise ApplicationError(
            f"Upload #{upload.pk} is {upload.get_status_display().lower()}; only a completed or failed "
            "import can be reverted.",
            code="not_revertible",
        )
    _reverting(upload)
    audit_event_record(actor=actor, action=AuditAction.UPLOAD_REVERT_REQUESTED, target=upload)
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    transaction.on_commit(lambda: upload_revert_task.delay(upload.pk, actor_id))
    return upload


def upload_revert(
    *, upload: FileUpload, actor: AbstractBaseUser | None, batch_size: int = REVERT_BATCH_SIZE
) -> dict[str, Any]:
    """Revert the upload, or carry on with a revert that stopped. Returns the revert's report."""
    failure = None
    try:
        if _revert_begin(upload_id=upload.pk):
            while _revert_batch(upload_id=upload.pk, batch_size=batch_size):
                reset_queries()  # with DEBUG on, a long revert must not grow the worker
                if connection.vendor == "sqlite":
                    time.sleep(SQLITE_PAUSE_SECONDS)
            _revert_finish(upload_id=upload.pk, actor=actor)
        return FileUpload.objects.get(pk=upload.pk).report.get("revert", {})
    except ApplicationError:
        raise
    except Exception as exc:
        # Its text may quote values (a database error's ``Key (phone)=(…)``), and the task logs it.
        failure = error_without_row_values(exc, where=f"Revert of upload {upload.pk}")
    raise failure  # outside the handler, so that the original error is not chained to it


@transaction.atomic
def upload_revert_stopped(*, upload_id: int) -> None:
    """After an unexpected error: the batches done stay done, the upload says so and may be reverted again.

    A revert that undid nothing leaves the upload as it was before the revert (completed, or failed with its
    reason), adding that the revert failed; one that undid some rows fails the upload, saying how far it got.
    """
    upload = FileUpload.objects.select_for_update().get(pk=upload_id)
    if upload.status != UploadStatus.REVERTING:
        return
    progress = upload.report.get("revert_progress")
    if progress is None or upload.rows_done == 0:
        before = upload.report.get(_BEFORE) or {}
        # Not known (a revert asked for before this was recorded): failed, never completed on a guess.
        status = before.get("status") if before.get("status") in FINISHED_STATUSES else UploadStatus.FAILED
        # Its own error first (why it failed), then the revert's: said once, however many reverts failed.
        error = before.get("error_summary", "")
        if not error.endswith(REVERT_CHANGED_NOTHING):
            error = f"{error} {REVERT_CHANGED_NOTHING}".strip()
        upload_transition(
            upload=upload,
            to=status,
            error_summary=error,
            rows_total=before.get("rows_total", upload.rows_total),
            rows_done=before.get("rows_done", upload.rows_done),
            # Nothing was undone: a new revert starts from the beginning.
            report={key: value for key, value in upload.report.items() if key not in ("revert_progress", _BEFORE)},
        )
    else:
        upload_transition(
            upload=upload,
            to=UploadStatus.FAILED,
            error_summary=(
                f"The revert stopped after undoing {upload.rows_done} of {upload.rows_total} rows; the rest is as the "
                "upload left it. Revert again to finish it. The error was logged."
            ),
        )


def _reverting(upload: FileUpload, **fields: Any) -> None:
    """Mark a locked upload as being reverted, noting first what it was (what a revert that fails goes back to)."""
    report = fields.pop("report", upload.report)
    if upload.status in FINISHED_STATUSES and _BEFORE not in report:
        before = {
            "status": upload.status,
            "error_summary": upload.error_summary,
            "rows_total": upload.rows_total,
            "rows_done": upload.rows_done,
        }
        report = {**report, _BEFORE: before}
    upload_transition(upload=upload, to=UploadStatus.REVERTING, report=report, **fields)


# --- The passes ---------------------------------------------------------------------------------


@transaction.atomic
def _revert_begin(*, upload_id: int) -> bool:
    """Mark the upload as reverting and count the work; False when it is reverted already."""
    upload = FileUpload.objects.select_for_update().get(pk=upload_id)
    if upload.status == UploadStatus.REVERTED:
        return False
    if upload.dry_run or upload.status not in (*FINISHED_STATUSES, UploadStatus.REVERTING):
        raise ApplicationError(f"Upload #{upload.pk} cannot be reverted.", code="not_revertible")
    fields: dict[str, Any] = {}
    if "revert_progress" not in upload.report:
        wrote = upload.entries.filter(outcome__in=_WROTE, customer__isnull=False)
        fields = {
            "rows_total": wrote.count() + wrote.filter(created_customer=True).count(),
            "rows_done": 0,
            "report": {
                **upload.report,
                "revert_progress": {"pass": ENTRIES, "before_row": None, **RevertReport().as_dict()},
            },
        }
    _reverting(upload, **fields)
    return True


@transaction.atomic
def _revert_batch(*, upload_id: int, batch_size: int) -> bool:
    """Undo the next batch of entries and commit how far the revert got. True while there is more to do."""
    upload = FileUpload.objects.select_for_update().get(pk=upload_id)
    progress = upload.report.get("revert_progress")
    if upload.status != UploadStatus.REVERTING or progress is None:
        return False  # another delivery finished it
    entries = upload.entries.filter(outcome__in=_WROTE, customer__isnull=False)
    if progress["pass"] == CUSTOMERS:
        entries = entries.filter(created_customer=True)
    if progress["before_row"] is not None:
        entries = entries.filter(row_number__lt=progress["before_row"])
    batch = list(
        entries.order_by("-row_number").values(
            "row_number", "customer_id", "loan_id", "created_customer", "created_loan", "changes"
        )[:batch_size]
    )
    report = RevertReport.from_dict(progress)
    if batch:
        undo = undo_entries if progress["pass"] == ENTRIES else remove_customers
        undo(upload, batch, report)
        progress = {**progress, "before_row": batch[-1]["row_number"]}
    elif progress["pass"] == ENTRIES:
        progress = {**progress, "pass": CUSTOMERS, "before_row": None}
    else:
        progress = {**progress, "pass": None}
    upload.report = {**upload.report, "revert_progress": {**progress, **report.as_dict()}}
    upload.rows_done += len(batch)
    upload.save(update_fields=["report", "rows_done", "updated_at"])
    return progress["pass"] is not None


@transaction.atomic
def _revert_finish(*, upload_id: int, actor: AbstractBaseUser | None) -> None:
    upload = FileUpload.objects.select_for_update().get(pk=upload_id)
    progress = upload.report.get("revert_progress")
    if upload.status != UploadStatus.REVERTING or progress is None:
        return  # another delivery finished it
    report = RevertReport.from_dict(progress)
    others = {key: value for key, value in upload.report.items() if key not in ("revert_progress", _BEFORE)}
    upload_transition(
        upload=upload,
        to=UploadStatus.REVERTED,
        report={**others, "revert": {**report.as_dict(), "reverted_at": timezone.now().isoformat()}},
        error_summary="",
    )
    audit_event_record(actor=actor, action=AuditAction.UPLOAD_REVERTED, target=upload, details=report.counts())
