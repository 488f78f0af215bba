"""Thin tasks: fetch by id, call the service. Both are safe to run again (acks are late)."""

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model

from uploads.models import FileUpload
from uploads.services import upload_process, upload_revert
from uploads.services.recovery import LATER, NO, upload_delivery_begin, uploads_requeue
from uploads.services.retention import upload_files_purge
from uploads.services.revert import upload_revert_stopped
from uploads.services.status import upload_fail

logger = logging.getLogger(__name__)


@shared_task(name="uploads.process", bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def upload_process_task(self, upload_id: int) -> None:
    verdict = upload_delivery_begin(upload_id=upload_id)
    if verdict == LATER:  # another delivery is alive on it: look again once it could have died
        raise self.retry(countdown=settings.UPLOAD_STALL_SECONDS)
    if verdict == NO:
        return  # nothing to do, or this file keeps killing its worker (the upload says so)
    try:
        upload_process(upload_id=upload_id)
    except Exception:
        # Only the id is logged: rows hold personal data.
        logger.exception("Upload %s stopped on an unexpected error", upload_id)
        upload_fail(
            upload_id=upload_id,
            message="Processing stopped on an unexpected error. Rows up to the last one counted were imported; "
            "revert the upload or upload the rest again. The error was logged.",
        )
        raise


@shared_task(name="uploads.revert", acks_late=True, reject_on_worker_lost=True)
def upload_revert_task(upload_id: int, actor_id: int | None = None) -> None:
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        upload_revert(upload=FileUpload.objects.get(pk=upload_id), actor=actor)
    except Exception:
        logger.exception("Revert of upload %s failed", upload_id)
        upload_revert_stopped(upload_id=upload_id)  # the batches done stay done: say how far it got
        raise


@shared_task(name="uploads.requeue")
def uploads_requeue_task() -> dict:
    return uploads_requeue()


@shared_task(name="uploads.purge_files")
def upload_files_purge_task() -> int:
    return upload_files_purge()
