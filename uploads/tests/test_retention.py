"""Original files (they hold national ids) are deleted once they are no longer needed; the entries stay."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from uploads.models import FileUpload, UploadStatus
from uploads.services import upload_confirm, upload_process, upload_revert
from uploads.services.retention import upload_files_purge
from uploads.tests.factories import csv_bytes, upload_bytes, upload_rows
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditEvent

pytestmark = pytest.mark.django_db

ROWS = [
    ["Name", "Phone", "Loan ID", "Amount", "Aadhaar"],
    ["Asha Rao", "9876543210", "LN-1", "1,000", "2345 6789 0124"],
]


def _age(upload: FileUpload, days: int) -> None:
    FileUpload.objects.filter(pk=upload.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_a_finished_uploads_file_is_deleted_after_the_retention_period_and_its_entries_stay(settings):
    settings.UPLOAD_FILE_RETENTION_DAYS = 30
    young, old = upload_rows(ROWS), upload_bytes(csv_bytes(ROWS), allow_identical=True)
    _age(old, 31)
    _age(young, 29)
    name = old.file.name
    assert default_storage.exists(name)

    assert upload_files_purge() == 1

    old.refresh_from_db()
    assert old.file_purged_at is not None and not old.file and not default_storage.exists(name)
    assert old.entries.count() == 1 and old.counts["created"] + old.counts["unchanged"] == 1
    assert FileUpload.objects.get(pk=young.pk).file_purged_at is None
    event = AuditEvent.objects.get(action="upload.file_purged")
    assert event.target_id == str(old.pk) and event.details["retention_days"] == 30
    assert upload_files_purge() == 0  # once


def test_a_reverted_uploads_file_is_deleted_at_once():
    upload = upload_rows(ROWS)
    upload_revert(upload=upload, actor=None)

    assert upload_files_purge() == 1
    assert FileUpload.objects.get(pk=upload.pk).file_purged_at is not None


def test_files_still_being_processed_are_kept_however_old(settings):
    settings.UPLOAD_FILE_RETENTION_DAYS = 1
    upload = upload_bytes(csv_bytes(ROWS))
    for status in (UploadStatus.PENDING, UploadStatus.VALIDATING, UploadStatus.PROCESSING, UploadStatus.REVERTING):
        FileUpload.objects.filter(pk=upload.pk).update(status=status, created_at=timezone.now() - timedelta(days=90))
        assert upload_files_purge() == 0, status


def test_a_waiting_upload_past_the_period_cannot_be_confirmed_and_says_why(settings, back_office_user):
    settings.UPLOAD_FILE_RETENTION_DAYS = 30
    preview = upload_bytes(csv_bytes(ROWS), dry_run=True)
    assert preview.status == UploadStatus.AWAITING_CONFIRMATION
    _age(preview, 45)
    upload_files_purge()

    with pytest.raises(ApplicationError, match="was deleted on .*files are kept 30 days. Upload the file again"):
        upload_confirm(upload=preview, actor=back_office_user)
    FileUpload.objects.filter(pk=preview.pk).update(status=UploadStatus.PENDING)
    assert "was deleted" in upload_process(upload_id=preview.pk).error_summary


def test_the_upload_page_and_the_api_say_the_file_was_deleted(client, back_office_user):
    upload = upload_rows(ROWS)
    upload_revert(upload=upload, actor=None)
    upload_files_purge()
    client.force_login(back_office_user)

    assert "Deleted on" in client.get(f"/uploads/{upload.pk}/").content.decode()
    assert "Deleted on" in client.get(f"/admin/uploads/fileupload/{upload.pk}/change/", follow=True).content.decode()
    assert client.get(f"/api/v1/uploads/{upload.pk}/").json()["file_purged_at"] is not None
