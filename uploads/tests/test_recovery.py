"""Uploads that stopped moving are carried on; a broker that is down loses nothing; a file that keeps
killing its worker is set aside with a message instead of looping."""

import os
import signal
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from kombu.exceptions import OperationalError

from uploads.models import FileUpload, UploadRow, UploadStatus
from uploads.services import upload_create
from uploads.services.recovery import upload_delivery_begin, uploads_requeue
from uploads.tasks import upload_process_task
from uploads.tests.factories import csv_bytes
from voiceassist.common.testing import wait_until

CSV = csv_bytes([["Name", "Phone", "Loan ID", "Amount"], ["Asha Rao", "9876543210", "LN-1", "1,000"]])
BROKER_DOWN = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def _stored(**kwargs) -> FileUpload:
    return upload_create(
        file=ContentFile(CSV, name="a.csv"), original_name="a.csv", uploaded_by=None, queue=False, **kwargs
    )


# --- The broker down while a file is uploaded -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_api_keeps_the_file_and_says_so_in_its_error_shape_when_the_queue_is_down(back_office_user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(back_office_user)
    with mock.patch.object(upload_process_task, "delay", side_effect=BROKER_DOWN):
        response = client.post("/api/v1/uploads/", {"file": ContentFile(CSV, name="a.csv")}, format="multipart")

    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "queue_unavailable"
    assert "Your file is kept" in error["message"] and "no need to upload it again" in error["message"]
    upload = FileUpload.objects.get(pk=error["details"]["upload_id"])
    assert upload.status == UploadStatus.PENDING and upload.file.read() == CSV

    # Once the broker answers, the periodic requeue sends it.
    with mock.patch.object(upload_process_task, "delay") as sent:
        assert uploads_requeue(now=timezone.now() + timedelta(minutes=5))["requeued"] == 1
    sent.assert_called_once_with(upload.pk)


@pytest.mark.django_db(transaction=True)
def test_the_upload_page_shows_where_the_kept_file_waits(client, back_office_user):
    client.force_login(back_office_user)
    with mock.patch.object(upload_process_task, "delay", side_effect=BROKER_DOWN):
        response = client.post("/uploads/new/", {"file": ContentFile(CSV, name="a.csv"), "mode": "upsert"}, follow=True)

    upload = FileUpload.objects.get()
    assert response.redirect_chain[-1][0].endswith(f"/uploads/{upload.pk}/")
    assert "The processing queue is unavailable right now" in response.content.decode()


@pytest.mark.django_db
def test_only_uploads_that_stopped_moving_are_queued_again():
    moving = _stored()
    stalled = _stored(allow_identical=True)
    FileUpload.objects.filter(pk=stalled.pk).update(
        status=UploadStatus.PROCESSING, updated_at=timezone.now() - timedelta(minutes=10)
    )
    done = _stored(allow_identical=True)
    FileUpload.objects.filter(pk=done.pk).update(
        status=UploadStatus.COMPLETED, updated_at=timezone.now() - timedelta(days=1)
    )

    with mock.patch.object(upload_process_task, "delay") as sent:
        assert uploads_requeue()["requeued"] == 1
        assert uploads_requeue()["requeued"] == 0  # noted: not again before another quiet period

    sent.assert_called_once_with(stalled.pk)
    assert moving.pk != stalled.pk


# --- A delivery that finds the upload alive, or that keeps killing its worker -------------------------


@pytest.mark.django_db
def test_a_second_delivery_steps_aside_while_the_first_is_alive():
    upload = _stored()
    assert upload_delivery_begin(upload_id=upload.pk) == "go"
    FileUpload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)  # and it sends signs of life

    assert upload_delivery_begin(upload_id=upload.pk) == "later"
    assert FileUpload.objects.get(pk=upload.pk).status == UploadStatus.PROCESSING


def _delivery_dies(upload: FileUpload, when, *, reaches_row: int) -> bool:
    """A delivery starts at ``when`` and its worker is killed once the upload reached ``reaches_row``."""
    began = upload_delivery_begin(upload_id=upload.pk, now=when) == "go"
    if began:
        FileUpload.objects.filter(pk=upload.pk).update(
            status=UploadStatus.VALIDATING if reaches_row == 0 else UploadStatus.PROCESSING,
            last_row_number=reaches_row,
            updated_at=when,
        )
    return began


@pytest.mark.django_db
def test_a_file_that_stops_its_worker_twice_without_progress_is_set_aside():
    upload = _stored()
    now = timezone.now()
    assert _delivery_dies(upload, now, reaches_row=0)  # killed while reading it (a bomb)
    assert _delivery_dies(upload, now + timedelta(minutes=10), reaches_row=0)  # again, at the same place

    assert upload_delivery_begin(upload_id=upload.pk, now=now + timedelta(minutes=20)) == "no"

    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED
    assert "stopped its worker 2 times before its first row without getting further" in upload.error_summary


@pytest.mark.django_db
def test_a_worker_killed_while_the_file_moves_on_is_no_reason_to_give_up():
    upload = _stored()
    now = timezone.now()
    for step, row in enumerate((500, 1000, 1500, 2000), start=1):
        assert _delivery_dies(upload, now + timedelta(minutes=10 * step), reaches_row=row)
    assert upload_delivery_begin(upload_id=upload.pk, now=now + timedelta(hours=1)) == "go"


# --- A whole worker killed mid-file, with Redis's redelivery far away ---------------------------------

ROWS = 20_000
BATCH = 200


@pytest.mark.worker
def test_a_killed_worker_and_its_children_are_replaced_within_a_minute(celery_worker_process, settings):
    settings.UPLOAD_STALL_SECONDS = 3
    workers = {
        "UPLOAD_BATCH_SIZE": str(BATCH),
        "UPLOAD_STALL_SECONDS": "3",
        "CELERY_VISIBILITY_TIMEOUT": "3600",  # Redis would give the message back only in an hour
    }
    doomed = celery_worker_process("doomed", pool="prefork", **workers)
    rows = [["Customer Name", "Mobile No.", "Loan Account No", "Outstanding"]]
    rows += [[f"Customer {i}", f"+9170{i:08d}", f"LN-{i:06d}", f"{1000 + i:,}"] for i in range(ROWS)]
    upload = upload_create(file=ContentFile(csv_bytes(rows), name="big.csv"), original_name="big.csv", uploaded_by=None)

    wait_until(lambda: FileUpload.objects.get(pk=upload.pk).rows_done >= 5 * BATCH, interval=0.01)
    os.killpg(os.getpgid(doomed.pid), signal.SIGKILL)  # the main process and its pool, at once
    doomed.wait(timeout=10)
    assert 0 < FileUpload.objects.get(pk=upload.pk).rows_done < ROWS

    celery_worker_process("rescuer", **workers)
    started = timezone.now()
    wait_until(lambda: uploads_requeue()["requeued"], timeout=30, interval=1)
    wait_until(lambda: FileUpload.objects.get(pk=upload.pk).status == UploadStatus.COMPLETED, timeout=60)

    assert timezone.now() - started < timedelta(minutes=2)
    upload.refresh_from_db()
    assert upload.rows_done == ROWS and upload.counts["created"] == ROWS
    assert UploadRow.objects.filter(upload=upload).values("row_number").distinct().count() == ROWS


@pytest.mark.django_db
def test_uploading_again_while_the_first_copy_waits_says_it_is_kept():
    first = _stored()
    again = upload_create(file=ContentFile(CSV, name="a.csv"), original_name="a.csv", uploaded_by=None, queue=False)

    assert again.identical_to == first
    assert f"identical to upload #{first.pk}" in again.identical_warning
    assert "which is kept and waiting to be processed" in again.identical_warning
