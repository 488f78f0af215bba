"""An upload's status moves along one map: every allowed move works, any other is refused, and the real flows
(import, preview, mapping, failures, revert) make only moves the map allows — and between them, all of them."""

from itertools import product

import pytest
from django.core.files.base import ContentFile
from django.db.models.signals import pre_save

from uploads.models import (
    FINISHED_STATUSES,
    MOVING_STATUSES,
    RUNNING_STATUSES,
    STARTED_STATUSES,
    WAITING_FOR_A_PERSON,
    FileUpload,
    UploadStatus,
)
from uploads.services import (
    batches,
    upload_columns_map,
    upload_confirm,
    upload_create,
    upload_process,
    upload_revert_request,
)
from uploads.services import revert as revert_module
from uploads.services.status import UPLOAD_TRANSITIONS, IllegalUploadTransition, upload_fail, upload_transition
from uploads.tasks import upload_process_task, upload_revert_task
from uploads.tests.factories import csv_bytes, upload_rows

pytestmark = pytest.mark.django_db

S = UploadStatus
ROWS = [["Customer Name", "Mobile No.", "Loan Account No", "Outstanding"], ["Asha Rao", "9876543210", "LN-1", "500"]]
ALLOWED = [(origin, to) for origin, targets in UPLOAD_TRANSITIONS.items() for to in targets]
REFUSED = [(origin, to) for origin, to in product(S.values, S.values) if to not in UPLOAD_TRANSITIONS[origin]]


def _upload(status: str) -> FileUpload:
    return FileUpload.objects.create(original_name="customers.csv", checksum="0" * 64, status=status)


def test_the_map_names_every_status_and_the_groups_split_them_once():
    assert set(UPLOAD_TRANSITIONS) == set(S.values)
    assert all(targets <= set(S.values) for targets in UPLOAD_TRANSITIONS.values())
    groups = [MOVING_STATUSES, WAITING_FOR_A_PERSON, FINISHED_STATUSES, (S.REVERTING,), (S.REVERTED,)]
    assert sorted(status for group in groups for status in group) == sorted(S.values)
    assert set(STARTED_STATUSES) < set(MOVING_STATUSES) < set(RUNNING_STATUSES)
    assert UPLOAD_TRANSITIONS[S.REVERTED] == frozenset()  # undone for good


@pytest.mark.parametrize(("origin", "to"), ALLOWED)
def test_every_move_the_map_allows_is_made_with_its_fields(origin, to):
    upload = _upload(origin)

    upload_transition(upload=upload, to=to, error_summary=f"{origin} → {to}")

    upload.refresh_from_db()
    assert (upload.status, upload.error_summary) == (to, f"{origin} → {to}")


@pytest.mark.parametrize(("origin", "to"), REFUSED)
def test_every_other_move_is_refused_and_changes_nothing(origin, to):
    upload = _upload(origin)

    with pytest.raises(IllegalUploadTransition, match=f"Upload #{upload.pk} cannot go from"):
        upload_transition(upload=upload, to=to, error_summary="changed")

    upload.refresh_from_db()
    assert (upload.status, upload.error_summary) == (origin, "")


def test_the_refusal_says_which_move_in_words():
    upload = _upload(S.REVERTED)

    with pytest.raises(IllegalUploadTransition) as refused:
        upload_transition(upload=upload, to=S.PENDING)

    assert refused.value.message == f"Upload #{upload.pk} cannot go from reverted to queued."
    assert refused.value.code == "illegal_transition"
    assert refused.value.details == {"from": S.REVERTED, "to": S.PENDING}


@pytest.mark.parametrize("status", S.values)
def test_only_an_upload_being_processed_fails_and_a_late_failure_overwrites_nothing(status):
    upload = _upload(status)
    FileUpload.objects.filter(pk=upload.pk).update(error_summary="as it was")

    failed = upload_fail(upload_id=upload.pk, message="The file could not be read.")

    upload.refresh_from_db()
    assert failed is (status in MOVING_STATUSES)
    if failed:
        assert (upload.status, upload.error_summary) == (S.FAILED, "The file could not be read.")
        assert upload.finished_at is not None
    else:
        assert (upload.status, upload.error_summary) == (status, "as it was")


@pytest.fixture
def moves():
    """Every change of an upload's status saved to the database, as (from, to)."""
    seen: list[tuple[str, str]] = []

    def record(sender, instance, update_fields=None, **kwargs):
        if not instance.pk or (update_fields is not None and "status" not in update_fields):
            return
        before = FileUpload.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
        # A save of the whole upload is a move only when the status changed; a named one always is (a step again).
        if before is not None and (update_fields is not None or before != instance.status):
            seen.append((before, instance.status))

    pre_save.connect(record, sender=FileUpload, weak=False)
    yield seen
    pre_save.disconnect(record, sender=FileUpload)


def _new(rows, **kwargs) -> FileUpload:
    return upload_create(
        file=ContentFile(csv_bytes(rows), name="customers.csv"),
        original_name="customers.csv",
        uploaded_by=None,
        allow_identical=True,
        queue=False,
        **kwargs,
    )


def test_the_real_flows_make_only_moves_the_map_allows_and_use_every_one(moves, monkeypatch):
    # Imported, then reverted (the revert asked for, then carried on by the task).
    upload_revert_request(upload=upload_rows(ROWS), actor=None)
    upload_revert_task(FileUpload.objects.get(status=S.REVERTING).pk)
    # A preview, confirmed; a file waiting for its columns, mapped.
    preview = upload_rows(ROWS, dry_run=True)
    upload_confirm(upload=preview, actor=None)
    upload_process(upload_id=preview.pk)
    waiting = upload_rows([["Customer Name", "Contact 1", "Branch"], ["Asha Rao", "9876543210", "Pune"]])
    assert waiting.status == S.AWAITING_MAPPING
    upload_columns_map(upload=waiting, columns={"Contact 1": "phone"}, actor=None)
    # A redelivered task checks the columns again.
    redelivered = _new(ROWS)
    FileUpload.objects.filter(pk=redelivered.pk).update(status=S.VALIDATING)
    upload_process(upload_id=redelivered.pk)
    # Failures: before the worker began (the file deleted), at the columns, at the rows.
    purged = _new(ROWS)
    FileUpload.objects.filter(pk=purged.pk).update(file_purged_at=purged.created_at)
    upload_process(upload_id=purged.pk)
    upload_rows([["Customer Name", "Loan Account No"], ["Asha Rao", "LN-1"]])
    stopped = upload_rows([*ROWS, ["Ravi Kumar", "12345", "LN-2", "100"]], stop_on_error=True)
    assert stopped.status == S.FAILED
    # A failed upload reverted; a revert that fails before undoing anything, and one that fails half-way.
    upload_revert_request(upload=stopped, actor=None)
    upload_revert_task(stopped.pk)
    monkeypatch.setattr(revert_module, "_revert_batch", lambda **kwargs: 1 / 0)
    upload_revert_request(upload=FileUpload.objects.get(pk=redelivered.pk), actor=None)
    with pytest.raises(Exception, match="ZeroDivisionError"):
        upload_revert_task(redelivered.pk)
    half_way = FileUpload.objects.get(pk=redelivered.pk)
    upload_revert_request(upload=half_way, actor=None)
    FileUpload.objects.filter(pk=half_way.pk).update(rows_done=1, report={**half_way.report, "revert_progress": {}})
    with pytest.raises(Exception, match="ZeroDivisionError"):
        upload_revert_task(half_way.pk)

    assert set(moves) - set(ALLOWED) == set()
    assert set(ALLOWED) - set(moves) == set()


# --- The revert of a failed upload that itself fails ---------------------------------------------------------


@pytest.fixture
def failed_half_way(settings, monkeypatch):
    """An upload whose processing stopped on an unexpected error after its first batch: failed, one row imported."""
    settings.UPLOAD_BATCH_SIZE = 1
    upload = _new([*ROWS, ["Ravi Kumar", "9876500000", "LN-2", "900"]])
    process = batches.BatchProcessor.process
    calls = []

    def process_then_stop(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the disk is full")
        return process(self, *args, **kwargs)

    monkeypatch.setattr(batches.BatchProcessor, "process", process_then_stop)
    with pytest.raises(Exception, match="RuntimeError"):
        upload_process_task(upload.pk)
    monkeypatch.setattr(batches.BatchProcessor, "process", process)
    upload.refresh_from_db()
    assert upload.status == S.FAILED and upload.created_count == 1
    assert upload.error_summary.startswith("Processing stopped on an unexpected error.")
    return upload


def test_a_failed_upload_whose_revert_fails_before_undoing_anything_is_failed_again_never_completed(
    failed_half_way, monkeypatch
):
    before = FileUpload.objects.get(pk=failed_half_way.pk)
    monkeypatch.setattr(revert_module, "_revert_batch", lambda **kwargs: 1 / 0)
    upload_revert_request(upload=failed_half_way, actor=None)

    with pytest.raises(Exception, match="ZeroDivisionError"):
        upload_revert_task(failed_half_way.pk)

    after = FileUpload.objects.get(pk=failed_half_way.pk)
    assert after.status == S.FAILED
    assert after.error_summary == f"{before.error_summary} The revert failed and changed nothing; try again."
    # Its own progress is back (not the revert's), and nothing of the revert is left to resume from.
    assert (after.rows_done, after.rows_total) == (before.rows_done, before.rows_total)
    assert "revert_progress" not in after.report and "revert_from" not in after.report

    # A second revert that fails says so once, after the upload's own error.
    upload_revert_request(upload=after, actor=None)
    with pytest.raises(Exception, match="ZeroDivisionError"):
        upload_revert_task(after.pk)
    again = FileUpload.objects.get(pk=after.pk)
    assert (again.status, again.error_summary) == (S.FAILED, after.error_summary)

    # Reverted again once the error is gone: it goes all the way.
    monkeypatch.undo()
    upload_revert_request(upload=after, actor=None)
    upload_revert_task(after.pk)
    reverted = FileUpload.objects.get(pk=after.pk)
    assert reverted.status == S.REVERTED and reverted.error_summary == ""
    assert reverted.report["revert"]["customers_removed"] == 1
    assert "revert_from" not in reverted.report


def test_a_completed_upload_whose_revert_fails_before_undoing_anything_is_completed_again(monkeypatch):
    upload = upload_rows(ROWS)
    monkeypatch.setattr(revert_module, "_revert_batch", lambda **kwargs: 1 / 0)
    upload_revert_request(upload=upload, actor=None)

    with pytest.raises(Exception, match="ZeroDivisionError"):
        upload_revert_task(upload.pk)

    after = FileUpload.objects.get(pk=upload.pk)
    assert (after.status, after.error_summary) == (S.COMPLETED, "The revert failed and changed nothing; try again.")
    assert (after.rows_done, after.rows_total, after.progress_percent) == (1, 1, 100)


def test_a_revert_whose_upload_was_not_noted_fails_it_rather_than_guess_it_completed(failed_half_way, monkeypatch):
    """A revert asked for before uploads noted what they were: failed with the message, never completed."""
    monkeypatch.setattr(revert_module, "_revert_batch", lambda **kwargs: 1 / 0)
    upload_revert_request(upload=failed_half_way, actor=None)
    upload = FileUpload.objects.get(pk=failed_half_way.pk)
    not_noted = {key: value for key, value in upload.report.items() if key != "revert_from"}
    FileUpload.objects.filter(pk=upload.pk).update(report=not_noted)

    with pytest.raises(Exception, match="ZeroDivisionError"):
        upload_revert_task(upload.pk)

    after = FileUpload.objects.get(pk=upload.pk)
    assert (after.status, after.error_summary) == (S.FAILED, "The revert failed and changed nothing; try again.")
