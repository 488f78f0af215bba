"""A revert goes in batches, each its own transaction: any batch size, and any stop between (or inside) batches
followed by a redelivery, end exactly as one uninterrupted pass; its progress is on the upload as it goes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calls.models import Call
from calls.tests.factories import CallFactory
from customers.models import Customer, Loan, Payment
from uploads.models import FileUpload, UploadRow, UploadStatus
from uploads.services import revert as revert_module
from uploads.services import revert_undo, upload_revert, upload_revert_request
from uploads.tasks import upload_revert_task
from uploads.tests.factories import upload_rows

pytestmark = pytest.mark.django_db

HEADER = ["Customer Name", "Mobile No.", "Loan Account No", "Outstanding", "State", "UTR", "Amount Paid", "Paid On"]
PAID_ON = f"{timezone.localdate() - timedelta(days=1):%d/%m/%Y}"
NEW = 12  # customers the reverted upload creates, one loan each


@pytest.fixture(autouse=True)
def _no_pause_between_batches(monkeypatch):
    monkeypatch.setattr(revert_module, "SQLITE_PAUSE_SECONDS", 0)


class WorkerDied(BaseException):
    """The worker process gone: no ``except Exception`` runs, the open transaction is rolled back."""


def _history() -> FileUpload:
    """Existing customers, the upload to revert (updates, a payment, new customers), then what came after it."""
    upload_rows(
        [
            HEADER,
            ["Asha Rao", "9876543210", "LN-A", "50,000", "Goa", "", "", ""],
            ["Bina Shah", "9876543211", "LN-B", "30,000", "Goa", "", "", ""],
        ]
    )
    target = upload_rows(
        [
            HEADER,
            ["Asha Rao", "9876543210", "LN-A", "45,000", "Kerala", "UTR-1", "5,000", PAID_ON],
            ["Bina Shah", "9876543211", "LN-B", "0", "Kerala", "", "", ""],
            *[[f"New {i}", f"91234567{i:02d}", f"LN-N{i}", "1,000", "Goa", "", "", ""] for i in range(NEW)],
        ]
    )
    # Later: Asha's state changes again (a conflict); New 0's loan and New 1 appear in a later file.
    upload_rows(
        [
            HEADER,
            ["Asha Rao", "9876543210", "LN-A", "45,000", "Punjab", "", "", ""],
            ["New 0", "9123456700", "LN-N0", "900", "Goa", "", "", ""],
            ["New 1", "9123456701", "LN-LATER", "700", "Goa", "", "", ""],
        ]
    )
    # And the bot called New 2 about their loan.
    new_2 = Customer.objects.get(phone="+919123456702")
    CallFactory(customer=new_2, loan=new_2.loans.get())
    return target


def _state(upload: FileUpload) -> dict:
    upload.refresh_from_db()
    report = {key: value for key, value in upload.report["revert"].items() if key != "reverted_at"}
    return {
        "status": upload.status,
        "rows": (upload.rows_done, upload.rows_total),
        "report": report,
        "customers": sorted(Customer.objects.values_list("phone", "full_name", "state")),
        "loans": sorted(
            Loan.objects.values_list("loan_id", "customer__phone", "outstanding_amount", "status", "principal_amount")
        ),
        "payments": sorted(Payment.objects.values_list("loan__loan_id", "amount", "reference", "source")),
        "entries_without_customer": UploadRow.objects.filter(customer__isnull=True).count(),
    }


def _wipe() -> None:
    Call.objects.all().delete()
    Payment.objects.all().delete()
    FileUpload.objects.all().delete()
    Loan.objects.all().delete()
    Customer.objects.all().delete()


@pytest.fixture
def one_pass() -> dict:
    """What a revert in one batch leaves; the database is empty again afterwards."""
    target = _history()
    upload_revert(upload=target, actor=None, batch_size=10_000)
    state = _state(target)
    _wipe()
    return state


def test_the_history_reverts_as_it_always_did(one_pass):
    report = one_pass["report"]
    assert report["payments_removed"] == 1
    assert report["conflicts"] == 1 and report["conflict_notes"][0]["now"] == "Punjab"
    assert report["values_restored"] == 3  # Asha's amount, Bina's state and amount
    kept = {note.get("loan_id") or note.get("phone"): note["reason"] for note in report["kept_notes"]}
    assert kept == {
        "LN-N0": "used by a later upload",
        "LN-N2": "used by calls",
        "+919123456700": "used by a later upload, loans that are kept",
        "+919123456701": "used by a later upload, loans that are kept",
        "+919123456702": "used by calls, loans that are kept",
    }
    assert report["loans_removed"] == NEW - 2 and report["customers_removed"] == NEW - 3
    assert ("LN-B", "+919876543211", 30000, "active", None) in [
        (loan, phone, int(amount), status, principal) for loan, phone, amount, status, principal in one_pass["loans"]
    ]
    assert one_pass["status"] == UploadStatus.REVERTED
    assert one_pass["rows"] == (2 + NEW + NEW, 2 + NEW + NEW)  # every entry, then every customer it created


@pytest.mark.parametrize("batch_size", [1, 3, 5])
def test_a_revert_in_many_batches_ends_as_one_in_a_single_batch(one_pass, batch_size):
    target = _history()

    upload_revert(upload=target, actor=None, batch_size=batch_size)

    assert _state(target) == one_pass


def test_each_batch_records_its_progress_on_the_upload(monkeypatch):
    target = _history()
    seen = []
    real_batch = revert_module._revert_batch

    def batch_then_look(**kwargs):
        more = real_batch(**kwargs)
        upload = FileUpload.objects.get(pk=target.pk)
        seen.append((upload.status, upload.rows_done, upload.rows_total, upload.progress_percent))
        return more

    monkeypatch.setattr(revert_module, "_revert_batch", batch_then_look)

    upload_revert(upload=target, actor=None, batch_size=4)

    total = 2 + NEW + NEW
    assert {status for status, *_ in seen} == {UploadStatus.REVERTING}
    assert {rows_total for _, _, rows_total, _ in seen} == {total}
    done = [rows_done for _, rows_done, _, _ in seen]
    assert done == sorted(done) and done[0] == 4 and done[-1] == total
    assert [percent for *_, percent in seen][:2] == [int(4 * 100 / total), int(8 * 100 / total)]
    assert FileUpload.objects.get(pk=target.pk).progress_percent == 100


def test_the_upload_page_and_the_api_show_a_reverts_progress(client, back_office_user):
    target = _history()
    FileUpload.objects.filter(pk=target.pk).update(status=UploadStatus.REVERTING, rows_done=7, rows_total=28)
    client.force_login(back_office_user)

    assert client.get(f"/api/v1/uploads/{target.pk}/").json()["progress_percent"] == 25
    assert 'value="25"' in client.get(f"/uploads/{target.pk}/").content.decode()


# Batches of 3: the entries' pass is 14 rows (5 batches, then one that finds none), the customers' pass 12.
@pytest.mark.parametrize(("dies_before_batch", "rows_done"), [(2, 3), (6, 14), (9, 20)])
def test_a_revert_whose_worker_died_between_batches_carries_on_where_it_stopped(
    one_pass, monkeypatch, dies_before_batch, rows_done
):
    target = _history()
    real_batch = revert_module._revert_batch
    calls = []

    def dying_batch(**kwargs):
        calls.append(1)
        if len(calls) == dies_before_batch:
            raise WorkerDied
        return real_batch(**kwargs)

    monkeypatch.setattr(revert_module, "_revert_batch", dying_batch)
    with pytest.raises(WorkerDied):
        upload_revert(upload=target, actor=None, batch_size=3)
    stopped = FileUpload.objects.get(pk=target.pk)
    assert stopped.status == UploadStatus.REVERTING
    assert (stopped.rows_done, stopped.rows_total) == (rows_done, 2 + NEW + NEW)

    monkeypatch.setattr(revert_module, "_revert_batch", real_batch)
    upload_revert(upload=target, actor=None, batch_size=3)  # the redelivered task

    assert _state(target) == one_pass


def test_a_batch_interrupted_half_way_is_undone_whole_and_done_again(one_pass, monkeypatch):
    target = _history()
    real_save = revert_undo._bulk_save
    calls = []

    def dying_save(dirty):
        calls.append(1)
        real_save(dirty)  # this batch's restores are written…
        if len(calls) == 2:
            raise WorkerDied  # …and the worker dies before the batch commits

    monkeypatch.setattr(revert_undo, "_bulk_save", dying_save)
    with pytest.raises(WorkerDied):
        upload_revert(upload=target, actor=None, batch_size=1)
    assert FileUpload.objects.get(pk=target.pk).rows_done == 1

    monkeypatch.setattr(revert_undo, "_bulk_save", real_save)
    upload_revert(upload=target, actor=None, batch_size=1)

    assert _state(target) == one_pass


def test_a_revert_stopped_by_an_error_says_how_far_it_got_and_a_new_request_finishes_it(one_pass, monkeypatch):
    target = _history()
    real_batch = revert_module._revert_batch
    calls = []

    def failing_batch(**kwargs):
        calls.append(1)
        if len(calls) == 2:  # the entries are undone (one batch), the customers not yet
            raise RuntimeError("disk full")
        return real_batch(**kwargs)

    monkeypatch.setattr(revert_module, "_revert_batch", failing_batch)
    upload_revert_request(upload=target, actor=None)
    with pytest.raises(Exception, match="RuntimeError"):
        upload_revert_task(target.pk)

    stopped = FileUpload.objects.get(pk=target.pk)
    assert stopped.status == UploadStatus.FAILED
    assert stopped.error_summary.startswith("The revert stopped after undoing 14 of 26 rows")
    monkeypatch.setattr(revert_module, "_revert_batch", real_batch)
    upload_revert_request(upload=stopped, actor=None)
    upload_revert(upload=stopped, actor=None, batch_size=5)

    state = _state(target)
    assert state == one_pass
    assert FileUpload.objects.get(pk=target.pk).error_summary == ""


def test_a_revert_that_failed_before_changing_anything_leaves_the_upload_as_it_was(monkeypatch):
    target = _history()
    monkeypatch.setattr(revert_module, "_revert_batch", lambda **kwargs: 1 / 0)
    upload_revert_request(upload=target, actor=None)

    with pytest.raises(Exception, match="ZeroDivisionError"):
        upload_revert_task(target.pk)

    upload = FileUpload.objects.get(pk=target.pk)
    assert upload.status == UploadStatus.COMPLETED
    assert upload.error_summary == "The revert failed and changed nothing; try again."
