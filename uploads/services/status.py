"""An upload's status moves along one map; a move the map does not allow raises.

An upload is created *pending*, or *awaiting confirmation* when the same file was imported before
(``upload_create``). From there every write of ``FileUpload.status`` goes through ``upload_transition``, and a
failure of processing through ``upload_fail``. The groups of statuses (moving, waiting for a person, finished…)
are defined once, in ``uploads/models.py``.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

from uploads.models import MOVING_STATUSES, FileUpload, UploadStatus
from voiceassist.common.exceptions import ApplicationError

S = UploadStatus
UPLOAD_TRANSITIONS: dict[str, frozenset[str]] = {
    # A worker picks it up and checks its columns first; or it fails before that (its file was deleted).
    S.PENDING: frozenset({S.VALIDATING, S.FAILED}),
    # Validating again: a redelivered task checks the columns again. A file whose phone (or name) column has a
    # header nobody recognised waits for a person to say which column is which.
    S.VALIDATING: frozenset({S.VALIDATING, S.PROCESSING, S.AWAITING_MAPPING, S.FAILED}),
    # A preview waits for its confirmation, an import completes; either may stop with why.
    S.PROCESSING: frozenset({S.AWAITING_CONFIRMATION, S.COMPLETED, S.FAILED}),
    # Confirmed, or its columns chosen: queued to be read again from its first row.
    S.AWAITING_CONFIRMATION: frozenset({S.PENDING}),
    S.AWAITING_MAPPING: frozenset({S.PENDING}),
    S.COMPLETED: frozenset({S.REVERTING}),
    S.FAILED: frozenset({S.REVERTING}),
    # Reverting again: a redelivered revert carries on. A revert stopped by an error goes back to what the upload
    # was when it had undone nothing, and to failed (saying how far it got) when it had.
    S.REVERTING: frozenset({S.REVERTING, S.REVERTED, S.COMPLETED, S.FAILED}),
    S.REVERTED: frozenset(),
}


class IllegalUploadTransition(ApplicationError):
    code = "illegal_transition"


@transaction.atomic
def upload_transition(*, upload: FileUpload, to: str, **fields: Any) -> FileUpload:
    """Move ``upload`` to ``to`` and set ``fields`` (saving only those), or raise ``IllegalUploadTransition``.

    ``upload.status`` is taken as it is on the instance: callers pass an upload they read (or locked) for the move.
    """
    if to not in UPLOAD_TRANSITIONS[upload.status]:
        raise IllegalUploadTransition(
            f"Upload #{upload.pk} cannot go from {upload.get_status_display().lower()} to {S(to).label.lower()}.",
            details={"from": upload.status, "to": to},
        )
    upload.status = to
    for name, value in fields.items():
        setattr(upload, name, value)
    upload.save(update_fields=["status", *fields, "updated_at"])
    return upload


@transaction.atomic
def upload_fail(*, upload_id: int, message: str) -> bool:
    """Stop the processing of an upload, saying why in ``message`` (a person reads it on the upload).

    Only an upload that is being processed (``MOVING_STATUSES``) fails: one that completed, waits for a person or
    is being reverted meanwhile is left as it is, so a late failure never overwrites an outcome. True when it
    failed.
    """
    upload = FileUpload.objects.select_for_update().filter(pk=upload_id).first()
    if upload is None or upload.status not in MOVING_STATUSES:
        return False
    upload_transition(upload=upload, to=S.FAILED, error_summary=message, finished_at=timezone.now())
    return True
