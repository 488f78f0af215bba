"""Export jobs: asked for, written by a worker into storage, deleted when they expire.

A job's status moves along one map (queued → running → completed or failed). The file is written to a
temporary file on the worker, then saved through Django's storage API, so the web process that serves it
need not share the worker's disk. Progress (``rows_done``) is committed every ``PROGRESS_EVERY`` rows.

The task is safe to run again. A delivery that finds the job finished does nothing; one that finds it
running (its worker was lost mid-file) starts the file over as the next attempt, and the earlier attempt,
should it still be writing, notices at its next progress step and stops. A job that keeps killing its
worker is failed after ``MAX_ATTEMPTS``, with a message, rather than tried for ever.
"""

import logging
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.exports import EXPORTS, FORMATS, export_filename, export_rows, rows_write
from voiceassist.common.models import AuditAction
from voiceassist.common.services import audit_event_record

from .errors import ExportQueueUnavailable, IllegalTransition
from .models import ExportJob, ExportJobStatus
from .selectors import export_get, export_objects, export_permission_check

logger = logging.getLogger(__name__)

S = ExportJobStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.QUEUED: frozenset({S.RUNNING, S.FAILED}),
    # Running → running: a new delivery of the task, after its worker was lost, starts the file over.
    S.RUNNING: frozenset({S.RUNNING, S.COMPLETED, S.FAILED}),
    S.COMPLETED: frozenset(),
    S.FAILED: frozenset(),
}
PROGRESS_EVERY = 1000
MAX_ATTEMPTS = 3
# An Excel sheet holds 1,048,576 rows, the header included; a longer one would not open.
XLSX_MAX_ROWS = 1_048_576


def _retention() -> timedelta:
    return timedelta(hours=settings.EXPORT_RETENTION_HOURS)


def export_job_transition(*, job: ExportJob, to: str, **fields) -> ExportJob:
    """Move a locked ``job`` to ``to`` along the map (and set ``fields``), or raise ``IllegalTransition``."""
    if to not in TRANSITIONS[job.status]:
        raise IllegalTransition(
            f"Export #{job.pk} cannot go from {job.get_status_display().lower()} to {S(to).label.lower()}.",
            details={"from": job.status, "to": to},
        )
    job.status = to
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["status", *fields, "updated_at"])
    return job


# --- Asking for a job -------------------------------------------------------------------------------------


def export_job_create(*, user: AbstractBaseUser, name: str, fmt: str, ids: Sequence[int] | None = None) -> ExportJob:
    """Record the job and queue it once committed. ``ids`` (in the export's order) narrow it to those rows.

    Raises ``ExportQueueUnavailable`` (the job is failed, saying so) when the broker cannot take it.
    """
    with transaction.atomic():
        job = _create(user=user, name=name, fmt=fmt, ids=ids)
    if getattr(job, "queue_failed", False):
        raise ExportQueueUnavailable(job.error_message, details={"job_id": job.pk})
    return job


def _create(*, user: AbstractBaseUser, name: str, fmt: str, ids: Sequence[int] | None) -> ExportJob:
    export = export_get(name=name)
    export_permission_check(user=user, export=export)
    if fmt not in FORMATS:
        raise ApplicationError(f"“{fmt}” is not an export format. Use one of: {', '.join(FORMATS)}.", code="invalid")
    job = ExportJob.objects.create(
        requested_by=user,
        name=name,
        format=fmt,
        selection={} if ids is None else {"ids": list(ids)},
        rows_total=None if ids is None else len(ids),
        expires_at=timezone.now() + _retention(),
    )
    audit_event_record(
        actor=user,
        action=AuditAction.EXPORT_REQUESTED,
        target=job,
        details={"export": name, "format": fmt, "rows_selected": None if ids is None else len(ids)},
    )
    transaction.on_commit(lambda: _queue(job))
    return job


def _queue(job: ExportJob) -> None:
    from .tasks import export_job_run_task

    try:
        export_job_run_task.delay(job.pk)
    except (BrokerError, OSError) as exc:
        logger.warning("Export job %s could not be queued (%s).", job.pk, type(exc).__name__)
        job.queue_failed = True
        job.error_message = (
            f"The export queue is unavailable right now, so export #{job.pk} could not start. "
            "Try again in a few minutes."
        )
        with transaction.atomic():
            locked = ExportJob.objects.select_for_update().get(pk=job.pk)
            if locked.status == S.QUEUED:
                export_job_transition(
                    job=locked, to=S.FAILED, error_message=job.error_message, finished_at=timezone.now()
                )


# --- Running it (the worker) -------------------------------------------------------------------------------


class _Superseded(Exception):
    """A later delivery of the task took the job over (or it was finished meanwhile): stop writing."""


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Write the job's file and store it; None when this delivery has nothing to do.

    Every failure leaves the job failed with a message for the clerk; the error itself is logged (by id
    only: rows hold personal data).
    """
    attempt = _begin(job_id=job_id)
    if attempt is None:
        return None
    job = ExportJob.objects.get(pk=job_id)
    try:
        stored_name, written = _write(job=job, attempt=attempt)
    except _Superseded:
        return None
    except ApplicationError as exc:
        return _fail(job_id=job_id, attempt=attempt, message=exc.message)
    except SoftTimeLimitExceeded:
        minutes = settings.CELERY_TASK_SOFT_TIME_LIMIT // 60
        return _fail(
            job_id=job_id,
            attempt=attempt,
            message=f"The export took longer than the {minutes} minutes a job may run, and was stopped. Export "
            "fewer rows at a time (filter the list in the admin, then select the rows), or ask your "
            "administrator to allow longer jobs.",
        )
    except Exception:
        logger.exception("Export job %s stopped on an unexpected error", job_id)
        return _fail(
            job_id=job_id,
            attempt=attempt,
            message=f"The export stopped on an unexpected error and no file was kept. Start it again; if it "
            f"fails again, tell your administrator (export #{job_id}: the error was logged).",
        )
    return _complete(job_id=job_id, attempt=attempt, stored_name=stored_name, written=written)


@transaction.atomic
def _begin(*, job_id: int) -> int | None:
    """Take the job for this delivery: its attempt number, or None when there is nothing to do."""
    job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.status not in (S.QUEUED, S.RUNNING):
        return None
    now = timezone.now()
    if job.attempts >= MAX_ATTEMPTS:
        export_job_transition(
            job=job,
            to=S.FAILED,
            finished_at=now,
            error_message=f"The export stopped its worker {job.attempts} times without finishing (it ran out of "
            "memory or time), so it was set aside. Export fewer rows at a time, or tell your administrator.",
        )
        return None
    if job.name not in EXPORTS:
        export_job_transition(
            job=job,
            to=S.FAILED,
            finished_at=now,
            error_message=f"There is no “{job.name}” export any more. Start a new export.",
        )
        return None
    export_job_transition(job=job, to=S.RUNNING, attempts=job.attempts + 1, rows_done=0, started_at=now)
    return job.attempts


def _write(*, job: ExportJob, attempt: int) -> tuple[str, int]:
    """The rows into a temporary file, then into storage. Returns the stored name and the rows written."""
    export = EXPORTS[job.name]
    ids = job.selection.get("ids")
    total = len(ids) if ids is not None else export.rows().count()
    _progress(job_id=job.pk, attempt=attempt, rows_total=total)
    if job.format == "xlsx" and total >= XLSX_MAX_ROWS:
        raise ApplicationError(
            f"The {export.label} export has {total:,} rows, more than an Excel sheet holds "
            f"({XLSX_MAX_ROWS - 1:,} under its header). Export it as CSV instead."
        )
    counter = _RowCounter(job_id=job.pk, attempt=attempt)
    rows = counter.count(export_rows(export.resource(), export_objects(export=export, ids=ids)))
    filename = export_filename(job.name, job.format, job.created_at)
    file_field = job.file.field
    with tempfile.TemporaryFile() as spool:
        rows_write(rows, spool, fmt=job.format, title=job.name)
        _progress(job_id=job.pk, attempt=attempt, rows_done=counter.done)
        spool.seek(0)
        stored_name = file_field.storage.save(file_field.generate_filename(job, filename), File(spool))
    return stored_name, counter.done


class _RowCounter:
    """Counts the data rows handed to the writer, committing the count every ``PROGRESS_EVERY`` rows."""

    def __init__(self, *, job_id: int, attempt: int):
        self.job_id = job_id
        self.attempt = attempt
        self.done = 0

    def count(self, rows: Iterable[list]) -> Iterator[list]:
        rows = iter(rows)
        yield next(rows)  # the header
        for row in rows:
            yield row
            self.done += 1
            if self.done % PROGRESS_EVERY == 0:
                _progress(job_id=self.job_id, attempt=self.attempt, rows_done=self.done)


def _progress(*, job_id: int, attempt: int, **fields) -> None:
    """Commit progress, unless another delivery has taken the job over (then stop this one)."""
    mine = ExportJob.objects.filter(pk=job_id, attempts=attempt, status=S.RUNNING)
    if not mine.update(**fields, updated_at=timezone.now()):
        raise _Superseded


@transaction.atomic
def _complete(*, job_id: int, attempt: int, stored_name: str, written: int) -> ExportJob | None:
    job = ExportJob.objects.select_for_update().get(pk=job_id)
    if job.attempts != attempt or job.status != S.RUNNING:
        # Another delivery owns the job now; its file, not this one, is the job's.
        transaction.on_commit(lambda: job.file.storage.delete(stored_name))
        return None
    now = timezone.now()
    return export_job_transition(
        job=job,
        to=S.COMPLETED,
        file=stored_name,
        rows_done=written,
        rows_total=written,
        finished_at=now,
        expires_at=now + _retention(),
        error_message="",
    )


@transaction.atomic
def _fail(*, job_id: int, attempt: int, message: str) -> ExportJob | None:
    job = ExportJob.objects.select_for_update().get(pk=job_id)
    if job.attempts != attempt or job.status != S.RUNNING:
        return None
    return export_job_transition(job=job, to=S.FAILED, error_message=message, finished_at=timezone.now())


# --- Retention ------------------------------------------------------------------------------------------


def export_jobs_expire(*, now: datetime | None = None) -> dict[str, int]:
    """Delete the files of expired jobs (through the storage API), and fail jobs that never finished.

    The jobs stay, without their file, as the record of who exported what. Returns counts.
    """
    now = now or timezone.now()
    counts = {"files_deleted": 0, "jobs_failed": 0}
    for job in ExportJob.objects.filter(expires_at__lte=now).exclude(file="").only("pk", "file"):
        try:
            job.file.storage.delete(job.file.name)
        except OSError as exc:
            # Left for the next round; the download refuses it meanwhile (it has expired).
            logger.warning("The file of export job %s could not be deleted (%s).", job.pk, type(exc).__name__)
            continue
        ExportJob.objects.filter(pk=job.pk).update(file="", updated_at=now)
        counts["files_deleted"] += 1
    for job_id in ExportJob.objects.filter(expires_at__lte=now, status__in=[S.QUEUED, S.RUNNING]).values_list(
        "pk", flat=True
    ):
        counts["jobs_failed"] += _fail_unfinished(job_id=job_id, now=now)
    return counts


@transaction.atomic
def _fail_unfinished(*, job_id: int, now: datetime) -> bool:
    job = ExportJob.objects.select_for_update().get(pk=job_id)
    if job.status not in (S.QUEUED, S.RUNNING):
        return False
    export_job_transition(
        job=job,
        to=S.FAILED,
        finished_at=now,
        error_message=f"The export did not finish within {settings.EXPORT_RETENTION_HOURS} hours (no worker "
        "took it, or its worker was lost). Start it again.",
    )
    return True
