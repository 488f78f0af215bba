"""Taking a file in: store it first, flag an identical earlier upload, queue the processing.

The file is committed before the task is sent. If the broker is down the upload stays pending — the
file is kept — and the caller hears so (``QueueUnavailable``, a 503 in the API); ``uploads_requeue``
queues it once the broker answers again.
"""

import hashlib
import logging
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

from uploads.models import ColumnProfile, FileUpload, UploadMode, UploadStatus
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditAction
from voiceassist.common.services import audit_event_record

from .status import upload_transition

logger = logging.getLogger(__name__)

ACCEPTED_EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")


class QueueUnavailable(ApplicationError):
    """The upload is stored but could not be queued; it will be, by the periodic requeue."""

    code = "queue_unavailable"
    status_code = 503


def upload_queue_send(upload: FileUpload) -> bool:
    """Send the processing task now; False (logged, by id only) when the broker cannot take it."""
    from uploads.tasks import upload_process_task

    try:
        upload_process_task.delay(upload.pk)
    except (BrokerError, OSError) as exc:
        logger.warning("Upload %s could not be queued (%s); it stays pending.", upload.pk, type(exc).__name__)
        return False
    return True


def upload_queue_on_commit(upload: FileUpload) -> None:
    """Once the upload is committed, queue it; remember on the instance whether the broker took it."""

    def send() -> None:
        upload.queue_failed = not upload_queue_send(upload)

    transaction.on_commit(send)


def committed_then_queued(service: Callable[..., FileUpload]) -> Callable[..., FileUpload]:
    """Run ``service`` in a transaction; once it is committed and the task sent, say if the broker refused it."""

    @wraps(service)
    def run(**kwargs: Any) -> FileUpload:
        with transaction.atomic():
            upload = service(**kwargs)
        if getattr(upload, "queue_failed", False):
            raise QueueUnavailable(
                f"The processing queue is unavailable right now. Your file is kept (upload #{upload.pk}) and "
                "will be processed as soon as the queue is back: there is no need to upload it again.",
                details={"upload_id": upload.pk},
            )
        return upload

    return run


def _checksum(file: File) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    for chunk in file.chunks():
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    return digest.hexdigest(), size


def upload_identical_earlier(*, checksum: str, exclude_pk: int | None = None) -> FileUpload | None:
    """The latest earlier upload of the same bytes that imported (or is importing) something."""
    return (
        FileUpload.objects.filter(checksum=checksum, dry_run=False)
        .exclude(status__in=[UploadStatus.FAILED, UploadStatus.REVERTED])
        .exclude(pk=exclude_pk)
        .order_by("-created_at", "-pk")
        .first()
    )


@committed_then_queued
def upload_create(
    *,
    file: File,
    original_name: str,
    uploaded_by: AbstractBaseUser | None,
    mode: str = UploadMode.UPSERT,
    dry_run: bool = False,
    stop_on_error: bool = False,
    allow_identical: bool = False,
    profile: ColumnProfile | None = None,
    queue: bool = True,
) -> FileUpload:
    """Store the file and queue it; an identical earlier upload holds it for confirmation instead.

    ``profile`` is a saved column profile to read the file with (its columns are copied into the upload's own
    mapping, which the upload keeps whatever becomes of the profile). ``queue=False`` leaves a pending upload
    for the caller to process in-process (the shell command).
    Raises ``QueueUnavailable`` (the upload is stored, and will be processed) when the broker is down.
    """
    original_name = Path(original_name or "upload.csv").name[:255]
    if mode not in UploadMode.values:
        raise ApplicationError(f"“{mode}” is not an upload mode. Use one of: {', '.join(UploadMode.values)}.")
    if not original_name.lower().endswith(ACCEPTED_EXTENSIONS):
        raise ApplicationError(
            f"“{original_name}” is not a file we can read. Upload a CSV or an Excel .xlsx file.",
            code="unsupported_file",
        )
    checksum, size = _checksum(file)
    if size == 0:
        raise ApplicationError(f"“{original_name}” is empty.", code="empty_file")
    if size > settings.UPLOAD_MAX_FILE_MB * 1024 * 1024:
        raise ApplicationError(
            f"“{original_name}” is larger than {settings.UPLOAD_MAX_FILE_MB} MB; split it into smaller files.",
            code="file_too_large",
        )

    upload = FileUpload(
        original_name=original_name,
        checksum=checksum,
        size=size,
        uploaded_by=uploaded_by if uploaded_by is not None and uploaded_by.is_authenticated else None,
        mode=mode,
        dry_run=dry_run,
        stop_on_error=stop_on_error,
        profile=profile,
        column_overrides=dict(profile.columns) if profile is not None else {},
    )
    upload.file.save(original_name, file, save=False)
    upload.identical_to = upload_identical_earlier(checksum=checksum)
    if upload.identical_to and not allow_identical:
        upload.status = UploadStatus.AWAITING_CONFIRMATION
    upload.save()
    audit_event_record(
        actor=upload.uploaded_by,
        action=AuditAction.UPLOAD_STARTED,
        target=upload,
        details={
            "mode": mode,
            "dry_run": dry_run,
            "stop_on_error": stop_on_error,
            "size": size,
            **({"profile": profile.name} if profile is not None else {}),
        },
    )
    if upload.status == UploadStatus.PENDING and queue:
        upload_queue_on_commit(upload)
    return upload


@committed_then_queued
def upload_confirm(*, upload: FileUpload, actor: AbstractBaseUser | None) -> FileUpload:
    """Go on with an upload held for confirmation: after a preview, or despite an identical file."""
    upload = FileUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.status != UploadStatus.AWAITING_CONFIRMATION:
        raise ApplicationError(
            f"Upload #{upload.pk} is {upload.get_status_display().lower()}; there is nothing to confirm.",
            code="not_awaiting_confirmation",
        )
    if upload.file_purged_at is not None:
        raise ApplicationError(
            f"The file of upload #{upload.pk} was deleted on {upload.file_purged_at:%-d %b %Y}: files are kept "
            f"{settings.UPLOAD_FILE_RETENTION_DAYS} days. Upload the file again to import it.",
            code="file_purged",
        )
    preview_done = upload.dry_run and upload.finished_at is not None
    fields: dict[str, Any] = {}
    if preview_done:
        # The preview's entries make way for the real ones; the file is read again from the start.
        upload.entries.all().delete()
        fields = {
            **upload.reset_progress(),
            "dry_run": False,
            "rows_total": None,
            "started_at": None,
            "finished_at": None,
        }
    upload_transition(
        upload=upload,
        to=UploadStatus.PENDING,
        report={**upload.report, "confirmed_identical": bool(upload.identical_to_id)},
        **fields,
    )
    audit_event_record(
        actor=actor, action=AuditAction.UPLOAD_CONFIRMED, target=upload, details={"after_preview": preview_done}
    )
    upload_queue_on_commit(upload)
    return upload
