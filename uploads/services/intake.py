"""Taking a file in: store it first, flag an identical earlier upload, queue the processing."""

import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db import transaction

from uploads.models import FileUpload, UploadMode, UploadStatus
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.services import audit_event_record

ACCEPTED_EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")


def _queue_processing(upload: FileUpload) -> None:
    from uploads.tasks import upload_process_task

    transaction.on_commit(lambda: upload_process_task.delay(upload.pk))


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


@transaction.atomic
def upload_create(
    *,
    file: File,
    original_name: str,
    uploaded_by: AbstractBaseUser | None,
    mode: str = UploadMode.UPSERT,
    dry_run: bool = False,
    stop_on_error: bool = False,
    allow_identical: bool = False,
    queue: bool = True,
) -> FileUpload:
    """Store the file and queue it; an identical earlier upload holds it for confirmation instead.

    ``queue=False`` leaves a pending upload for the caller to process in-process (the shell command).
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
    )
    upload.file.save(original_name, file, save=False)
    upload.identical_to = upload_identical_earlier(checksum=checksum)
    if upload.identical_to and not allow_identical:
        upload.status = UploadStatus.AWAITING_CONFIRMATION
    upload.save()
    audit_event_record(
        actor=upload.uploaded_by,
        action="upload.started",
        target=upload,
        details={"mode": mode, "dry_run": dry_run, "stop_on_error": stop_on_error, "size": size},
    )
    if upload.status == UploadStatus.PENDING and queue:
        _queue_processing(upload)
    return upload


@transaction.atomic
def upload_confirm(*, upload: FileUpload, actor: AbstractBaseUser | None) -> FileUpload:
    """Go on with an upload held for confirmation: after a preview, or despite an identical file."""
    upload = FileUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.status != UploadStatus.AWAITING_CONFIRMATION:
        raise ApplicationError(
            f"Upload #{upload.pk} is {upload.get_status_display().lower()}; there is nothing to confirm.",
            code="not_awaiting_confirmation",
        )
    preview_done = upload.dry_run and upload.finished_at is not None
    if preview_done:
        # The preview's entries make way for the real ones; the file is read again from the start.
        upload.entries.all().delete()
        upload.dry_run = False
        upload.rows_total = None
        upload.reset_progress()
        upload.started_at = upload.finished_at = None
    upload.status = UploadStatus.PENDING
    upload.report = {**upload.report, "confirmed_identical": bool(upload.identical_to_id)}
    upload.save()
    audit_event_record(actor=actor, action="upload.confirmed", target=upload, details={"after_preview": preview_done})
    _queue_processing(upload)
    return upload
