"""Preview and confirm, the identical-file warning, the failed-rows file, and reverting an upload."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from customers.models import Customer, Loan
from customers.tests.factories import CustomerFactory
from uploads.models import FileUpload, RowOutcome, UploadStatus
from uploads.selectors import upload_failed_rows_csv
from uploads.services import upload_confirm, upload_create, upload_process, upload_revert, upload_revert_request
from uploads.tests.factories import csv_bytes, upload_bytes, upload_rows
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditEvent

pytestmark = pytest.mark.django_db

HEADER = ["Name", "Mobile", "Loan ID", "Amount", "Due Date", "State"]


def test_a_preview_writes_nothing_then_one_confirmation_imports(back_office_user):
    CustomerFactory(full_name="Asha Rao", phone="+919876543210", state="Goa")
    rows = [
        HEADER,
        ["Asha Rao", "9876543210", "LN-1", "100", "31/12/2026", "Kerala"],
        ["Ravi Kumar", "9123456789", "LN-2", "200", "31/12/2026", "Goa"],
        ["Ravi Kumar", "9123456789", "LN-3", "300", "31/12/2026", "Goa"],
        ["Bad Phone", "123", "LN-4", "300", "31/12/2026", "Goa"],
    ]

    preview = upload_rows(rows, dry_run=True, user=back_office_user)

    assert preview.status == UploadStatus.AWAITING_CONFIRMATION
    assert preview.counts == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "invalid": 1,
        "duplicates": 0,
        "name_conflicts": 0,
    }
    assert Customer.objects.count() == 1 and not Loan.objects.exists()
    entries = {e.row_number: e for e in preview.entries.all()}
    assert entries[2].changes["state"] == ["Goa", "Kerala"]
    assert entries[4].created_customer is False  # the preview knows row 3 would have added Ravi

    upload_confirm(upload=preview, actor=back_office_user)
    upload = upload_process(upload_id=preview.pk)

    assert upload.status == UploadStatus.COMPLETED
    assert upload.counts == preview.counts
    assert upload.entries.count() == 4
    assert Customer.objects.get(phone="+919876543210").state == "Kerala"
    assert Loan.objects.count() == 3
    assert AuditEvent.objects.filter(action="upload.confirmed", actor=back_office_user).exists()


def test_confirming_twice_is_refused():
    upload = upload_rows([HEADER, ["Asha Rao", "9876543210", "", "", "", ""]])

    with pytest.raises(ApplicationError, match="nothing to confirm"):
        upload_confirm(upload=upload, actor=None)


def test_an_identical_file_is_held_naming_the_earlier_upload_until_confirmed():
    content = csv_bytes([HEADER, ["Asha Rao", "9876543210", "LN-1", "100", "", ""]])
    first = upload_bytes(content)

    second = upload_create(
        file=ContentFile(content, name="again.csv"), original_name="again.csv", uploaded_by=None, queue=False
    )

    assert second.status == UploadStatus.AWAITING_CONFIRMATION
    assert second.identical_to == first
    assert second.identical_warning == f"This file is identical to upload #{first.pk} of {first.created_at:%-d %b %Y}."
    assert not second.entries.exists()

    upload_confirm(upload=second, actor=None)
    second = upload_process(upload_id=second.pk)
    assert second.status == UploadStatus.COMPLETED
    assert second.counts["unchanged"] == 1


def test_a_different_file_is_not_flagged():
    upload_rows([HEADER, ["Asha Rao", "9876543210", "LN-1", "100", "", ""]])
    upload = upload_create(
        file=ContentFile(csv_bytes([HEADER, ["Asha Rao", "9876543210", "LN-1", "200", "", ""]]), name="b.csv"),
        original_name="b.csv",
        uploaded_by=None,
        queue=False,
    )
    assert upload.status == UploadStatus.PENDING and upload.identical_to is None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("customers.pdf", b"%PDF", "not a file we can read"),
        ("customers.csv", b"", "is empty"),
    ],
)
def test_files_we_cannot_take_are_refused_with_a_clear_message(name, content, message):
    with pytest.raises(ApplicationError, match=message):
        upload_create(file=ContentFile(content, name=name), original_name=name, uploaded_by=None, queue=False)
    assert not FileUpload.objects.exists()


def test_the_failed_rows_file_can_be_fixed_and_uploaded_again():
    upload = upload_rows(
        [
            HEADER,
            ["Asha Rao", "9876543210", "LN-1", "100", "31/12/2026", "Goa"],
            ["Ravi Kumar", "12345", "LN-2", "200", "31/12/2026", "Goa"],
            ['=HYPERLINK("x")', "+91 91234 56700", "LN-3", "abc", "31/12/2026", "@SUM(A1)"],
        ]
    )
    failed = list(csv.reader(io.StringIO("".join(upload_failed_rows_csv(upload=upload)).lstrip("\ufeff"))))

    assert failed[0] == [*HEADER, "error"]
    assert [row[1] for row in failed[1:]] == ["12345", "+91 91234 56700"]  # phones are not mangled
    assert "12345" in failed[1][-1]
    assert failed[2][0].startswith("'=")  # a formula stays text in a spreadsheet
    assert failed[2][5] == "'@SUM(A1)"
    assert failed[2][-1].startswith("amount:")

    fixed = [row[:-1] for row in failed]
    fixed[1][1] = "9123456789"
    fixed[2][0] = "Meera Nair"
    fixed[2][3] = "300"
    fixed[2][5] = "Goa"
    again = upload_rows(fixed)

    assert again.counts["created"] == 2 and again.counts["invalid"] == 0
    assert Customer.objects.count() == 3
    assert Loan.objects.get(loan_id="LN-3").outstanding_amount == Decimal("300.00")


def test_revert_removes_what_an_upload_created_and_restores_what_it_changed(back_office_user):
    asha = CustomerFactory(full_name="Asha Rao", phone="+919876543210", state="Goa")
    upload = upload_rows(
        [
            HEADER,
            ["Asha Rao", "9876543210", "LN-1", "100", "31/12/2026", "Kerala"],
            ["Ravi Kumar", "9123456789", "LN-2", "200", "31/12/2026", "Goa"],
        ]
    )

    upload_revert_request(upload=upload, actor=back_office_user)
    assert FileUpload.objects.get(pk=upload.pk).status == UploadStatus.REVERTING
    report = upload_revert(upload=upload, actor=back_office_user)

    assert report["customers_removed"] == 1
    assert report["loans_removed"] == 2
    assert report["values_restored"] == 1
    assert report["conflicts"] == 0
    assert list(Customer.objects.all()) == [asha]
    asha.refresh_from_db()
    assert asha.state == "Goa"
    assert not Loan.objects.exists()
    assert FileUpload.objects.get(pk=upload.pk).status == UploadStatus.REVERTED
    assert AuditEvent.objects.filter(action="upload.reverted").exists()


def test_revert_leaves_values_a_later_upload_changed_and_keeps_what_it_uses():
    CustomerFactory(full_name="Asha Rao", phone="+919876543210", state="Goa")
    first = upload_rows(
        [
            HEADER,
            ["Asha Rao", "9876543210", "LN-1", "100", "31/12/2026", "Kerala"],
            ["Ravi Kumar", "9123456789", "LN-2", "200", "31/12/2026", "Goa"],
        ]
    )
    upload_rows(
        [
            HEADER,
            ["Asha Rao", "9876543210", "LN-1", "100", "31/12/2026", "Punjab"],
            ["Ravi Kumar", "9123456789", "LN-2", "200", "31/12/2026", "Goa"],
        ]
    )

    report = upload_revert(upload=first, actor=None)

    assert report["conflicts"] == 1
    assert report["conflict_notes"][0] == {"row": 2, "field": "state", "set_by_upload": "Kerala", "now": "Punjab"}
    assert Customer.objects.get(phone="+919876543210").state == "Punjab"
    # Ravi, his loan LN-2 and Asha's new loan LN-1 are all used by the later upload.
    assert report["kept"] == 3
    assert {note.get("loan_id") or note.get("phone") for note in report["kept_notes"]} == {
        "LN-1",
        "LN-2",
        "+919123456789",
    }
    assert Customer.objects.filter(phone="+919123456789").exists()
    assert Loan.objects.filter(loan_id="LN-2").exists()
    assert Loan.objects.get(loan_id="LN-1").outstanding_amount == Decimal("100.00")


def test_only_completed_imports_can_be_reverted():
    preview = upload_rows([HEADER, ["Asha Rao", "9876543210", "", "", "", ""]], dry_run=True)

    with pytest.raises(ApplicationError, match="only a completed or failed import"):
        upload_revert_request(upload=preview, actor=None)


def test_entries_keep_the_row_as_the_file_had_it():
    upload = upload_rows([HEADER, ["  Asha Rao ", "098765 43210", "LN-1", "₹1,00,000", "31-12-2026", " Goa "]])

    entry = upload.entries.get()
    assert entry.values == {
        "Name": "  Asha Rao ",
        "Mobile": "098765 43210",
        "Loan ID": "LN-1",
        "Amount": "₹1,00,000",
        "Due Date": "31-12-2026",
        "State": " Goa ",
    }
    assert entry.outcome == RowOutcome.CREATED
    assert entry.changes["amount"] == [None, "100000.00"]
    assert entry.changes["due_date"] == [None, "2026-12-31"]
