"""The original files of uploads are kept only as long as they are needed, because they hold national ids.

A file is deleted (through the storage API) ``UPLOAD_FILE_RETENTION_DAYS`` after its upload, once the
upload is finished — completed, failed, or left waiting for a confirmation — and at once when the upload
has been reverted: nothing in it is needed any more. The upload keeps its entries (what each row was,
with ids masked, and what it changed), so the timeline, the failed-rows file and a revert still work;
it says when its file was deleted.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from uploads.models import FINISHED_STATUSES, WAITING_FOR_A_PERSON, FileUpload, UploadStatus
from voiceassist.common.models import AuditAction
from voiceassist.common.services import audit_event_record


def uploads_files_due(*, now: datetime) -> Q:
    """The uploads whose original file should be deleted by ``now``."""
    cutoff = now - timedelta(days=settings.UPLOAD_FILE_RETENTION_DAYS)
    return (
        Q(file_purged_at__isnull=True)
        & ~Q(file="")
        # Finished, or waiting for a person: nothing reads the file again (a waiting upload would, if confirmed:
        # past the retention period it is refused with a message instead).
        & (
            Q(status=UploadStatus.REVERTED)
            | Q(status__in=(*FINISHED_STATUSES, *WAITING_FOR_A_PERSON), created_at__lt=cutoff)
        )
    )


def upload_files_purge(*, now: datetime | None = None) -> int:
    """Delete every original file that is due; returns how many were deleted."""
    now = now or timezone.now()
    purged = 0
    for upload_id in FileUpload.objects.filter(uploads_files_due(now=now)).values_list("pk", flat=True):
        purged += _purge(upload_id, now)
    return purged


@transaction.atomic
def _purge(upload_id: int, now: datetime) -> int:
    upload = FileUpload.objects.select_for_update().filter(uploads_files_due(now=now), pk=upload_id).first()
    if upload is None:
        return 0  # confirmed, or purged, meanwhile
    name = upload.file.name
    upload.file.delete(save=False)  # the storage's own delete: a local disk or a bucket alike
    upload.file_purged_at = now
    upload.save(update_fields=["file", "file_purged_at", "updated_at"])
    audit_event_record(
        actor=None,
        action=AuditAction.UPLOAD_FILE_PURGED,
        target=upload,
        details={"file": name, "status": upload.status, "retention_days": settings.UPLOAD_FILE_RETENTION_DAYS},
    )
    return 1
