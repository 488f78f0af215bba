"""A worker killed in the middle of a file: another picks the task up and the result is exact."""

import signal

import pytest
from django.core.files.base import ContentFile

from customers.models import Customer, Loan
from uploads.models import FileUpload, UploadRow, UploadStatus
from uploads.services import upload_create, upload_process
from uploads.tests.factories import csv_bytes
from voiceassist.common.testing import wait_until

pytestmark = pytest.mark.worker

ROWS = 30_000
BATCH = 250


def _file() -> bytes:
    rows = [["Customer Name", "Mobile No.", "Loan Account No", "Outstanding", "EMI Due Date", "State"]]
    for i in range(ROWS):
        rows.append([f"Customer {i}", f"+9170{i:08d}", f"LN-{i:06d}", f"{1000 + i:,}", "31/12/2026", "Goa"])
    rows.insert(ROWS // 2, ["Broken Row", "12345", "LN-X", "1", "31/12/2026", "Goa"])
    return csv_bytes(rows)


def _snapshot(upload: FileUpload) -> dict:
    upload.refresh_from_db()
    return {
        "status": upload.status,
        "rows_done": upload.rows_done,
        "counts": upload.counts,
        "entries": list(
            UploadRow.objects.filter(upload=upload)
            .order_by("row_number")
            .values_list("row_number", "outcome", "phone", "loan_id", "changes", "errors")
        ),
        "customers": list(Customer.objects.order_by("phone").values_list("phone", "full_name", "state")),
        "loans": list(
            Loan.objects.order_by("loan_id").values_list("loan_id", "customer__phone", "outstanding_amount", "due_date")
        ),
    }


def test_a_killed_worker_is_replaced_and_the_import_ends_exactly_as_an_uninterrupted_one(celery_worker_process):
    settings_for_workers = {
        "UPLOAD_BATCH_SIZE": str(BATCH),
        # A delivery that finds the upload with a recent sign of life waits this long before looking again.
        "UPLOAD_STALL_SECONDS": "2",
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
    }
    first_worker = celery_worker_process("doomed", **settings_for_workers)
    content = _file()
    upload = upload_create(file=ContentFile(content, name="big.csv"), original_name="big.csv", uploaded_by=None)

    # Kill the worker (no warm shutdown: the task is neither finished nor acknowledged) mid-file.
    wait_until(lambda: FileUpload.objects.get(pk=upload.pk).rows_done >= 5 * BATCH, interval=0.01)
    first_worker.send_signal(signal.SIGKILL)
    first_worker.wait(timeout=10)
    interrupted_at = FileUpload.objects.get(pk=upload.pk).rows_done
    assert 0 < interrupted_at < ROWS

    celery_worker_process("rescuer", **settings_for_workers)
    wait_until(lambda: FileUpload.objects.get(pk=upload.pk).status == UploadStatus.COMPLETED, timeout=120)
    resumed = _snapshot(upload)

    assert resumed["rows_done"] == ROWS + 1
    assert resumed["counts"]["created"] == ROWS and resumed["counts"]["invalid"] == 1
    assert len(resumed["entries"]) == ROWS + 1
    assert len({entry[0] for entry in resumed["entries"]}) == ROWS + 1

    # The same file on a clean database, uninterrupted, in this process.
    UploadRow.objects.all().delete()
    Loan.objects.all().delete()
    Customer.objects.all().delete()
    clean = upload_create(
        file=ContentFile(content, name="big.csv"),
        original_name="big.csv",
        uploaded_by=None,
        allow_identical=True,
        queue=False,
    )
    clean = _snapshot(upload_process(upload_id=clean.pk))

    assert resumed == clean
