from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest

from customers.models import Customer, Loan
from customers.tests.factories import CustomerFactory, LoanFactory
from uploads.models import RowOutcome, UploadMode, UploadRow, UploadStatus
from uploads.selectors import customer_entries
from uploads.tests.factories import csv_bytes, upload_bytes, upload_rows

pytestmark = pytest.mark.django_db

HEADER = ["Customer Name", "Mobile No.", "Loan Account No", "Outstanding", "EMI Due Date", "DPD", "State"]


def test_the_same_customer_on_three_days_is_one_customer_with_three_entries():
    phones = ["98765 43210", "+919876543210", "9876543210.0"]
    amounts = ["50,000", "42,000.00", "₹42,000"]
    uploads = [
        upload_rows([HEADER, ["Asha Rao", phone, "LN-1", amount, "31/12/2026", "5", "Goa"]])
        for phone, amount in zip(phones, amounts, strict=True)
    ]

    assert Customer.objects.count() == 1
    assert Loan.objects.count() == 1
    customer = Customer.objects.get()
    entries = list(customer_entries(customer=customer))
    assert len(entries) == 3
    assert [e.outcome for e in entries] == [RowOutcome.UNCHANGED, RowOutcome.UPDATED, RowOutcome.CREATED]
    assert entries[1].changes == {"amount": ["50000.00", "42000.00"]}
    assert entries[2].changes["name"] == [None, "Asha Rao"]
    assert entries[0].values["Outstanding"] == "₹42,000"
    assert Loan.objects.get().outstanding_amount == Decimal("42000.00")
    assert customer.first_uploaded_at == uploads[0].created_at
    assert customer.last_uploaded_at == uploads[2].created_at
    assert {e.upload_id for e in entries} == {u.pk for u in uploads}


def test_first_uploaded_at_stays_and_last_uploaded_at_moves():
    first = upload_rows([HEADER, ["Asha Rao", "9876543210", "LN-1", "100", "", "", "Goa"]])
    customer = Customer.objects.get()
    first_seen = customer.first_uploaded_at
    assert first_seen == first.created_at

    second = upload_rows([HEADER, ["Asha Rao", "+919876543210", "LN-1", "100", "", "", "Kerala"]])

    customer.refresh_from_db()
    assert customer.first_uploaded_at == first_seen
    assert customer.last_uploaded_at == second.created_at
    assert customer.state == "Kerala"


@pytest.mark.parametrize(
    "phone", ["+919876543210", "919876543210", "09876543210", "98765 43210", "0091 98765 43210", "9876543210.0"]
)
def test_every_phone_form_in_a_file_finds_the_existing_customer(phone):
    CustomerFactory(full_name="Asha Rao", phone="+919876543210", state="Goa")

    upload = upload_rows([HEADER, ["Asha Rao", phone, "", "", "", "", "Kerala"]])

    assert upload.counts["updated"] == 1
    assert Customer.objects.get().state == "Kerala"


def test_a_new_file_creates_customers_and_loans_with_parsed_values():
    upload = upload_rows(
        [
            HEADER,
            ["  Asha   Rao ", "98765 43210", "LN-1", "1,00,000", "31/12/2026", "15", "Goa"],
            ["Ravi Kumar", "+91 91234 56789", "LN-2", "₹50,000.50", "2026-06-01", "0", "Kerala"],
            ["Ravi Kumar", "9123456789", "LN-3", "2000", "05-01-2027", "", "Kerala"],
        ]
    )

    assert upload.status == UploadStatus.COMPLETED
    assert upload.counts == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "invalid": 0,
        "duplicates": 0,
        "name_conflicts": 0,
    }
    assert Customer.objects.count() == 2
    asha = Customer.objects.get(phone="+919876543210")
    assert asha.full_name == "Asha Rao"
    loans = {loan.loan_id: loan for loan in Loan.objects.all()}
    assert loans["LN-1"].outstanding_amount == Decimal("100000.00")
    assert loans["LN-1"].due_date == date(2026, 12, 31)
    assert loans["LN-1"].days_past_due == 15
    assert loans["LN-2"].outstanding_amount == Decimal("50000.50")
    assert loans["LN-3"].due_date == date(2027, 1, 5)
    assert loans["LN-3"].customer == loans["LN-2"].customer
    assert upload.rows_total == upload.rows_done == 3


def test_invalid_rows_are_reported_and_valid_rows_imported():
    upload = upload_rows(
        [
            HEADER,
            ["Asha Rao", "12345", "LN-1", "100", "31/12/2026", "", ""],
            ["Ravi Kumar", "9123456789", "LN-2", "lots", "31/02/2026", "", ""],
            ["Meera Nair", "9988776655", "LN-3", "100", "31/12/2026", "", ""],
            ["", "9876500000", "LN-4", "100", "", "", ""],
        ]
    )

    assert upload.status == UploadStatus.COMPLETED
    assert upload.counts["created"] == 1
    assert upload.counts["invalid"] == 3
    entries = {e.row_number: e for e in upload.entries.all()}
    assert "12345" in entries[2].errors[0]
    assert any(e.startswith("amount:") for e in entries[3].errors)
    assert any(e.startswith("due_date:") for e in entries[3].errors)
    assert entries[5].errors == ["name: a name is required for a new customer."]
    assert list(Customer.objects.values_list("full_name", flat=True)) == ["Meera Nair"]


def test_a_missing_required_column_stops_the_upload_before_any_row():
    upload = upload_rows([["Customer Name", "Outstanding"], ["Asha Rao", "100"]])

    assert upload.status == UploadStatus.FAILED
    assert "phone" in upload.error_summary
    assert "Customer Name" in upload.error_summary and "Outstanding" in upload.error_summary
    assert not upload.entries.exists()
    assert not Customer.objects.exists()


def test_unknown_columns_are_reported_not_dropped_silently():
    upload = upload_rows([["Name", "Mobile", "Branch Code"], ["Asha Rao", "9876543210", "MUM-4"]])

    assert upload.report["unknown_columns"] == ["Branch Code"]
    assert upload.entries.get().values["Branch Code"] == "MUM-4"


def test_duplicates_in_one_file_name_both_rows_and_keep_the_first():
    upload = upload_rows(
        [
            HEADER,
            ["Asha Rao", "9876543210", "LN-1", "100", "", "", ""],
            ["Asha Rao", "09876543210", "LN-2", "200", "", "", ""],  # same person, another loan: fine
            ["Ravi Kumar", "9123456789", "LN-1", "300", "", "", ""],  # loan id again
            ["Asha R. Verma", "+919876543210", "LN-9", "400", "", "", ""],  # same phone, another name
        ]
    )

    assert upload.counts["created"] == 2
    assert upload.counts["duplicates"] == 2
    entries = {e.row_number: e for e in upload.entries.all()}
    assert entries[4].outcome == RowOutcome.DUPLICATE
    assert "row 2" in entries[4].errors[0]
    assert entries[5].outcome == RowOutcome.DUPLICATE
    assert "row 2" in entries[5].errors[0] and "Asha Rao" in entries[5].errors[0]
    assert Loan.objects.get(loan_id="LN-1").outstanding_amount == Decimal("100.00")
    assert Customer.objects.get().full_name == "Asha Rao"


def test_duplicates_are_found_across_batches(settings):
    settings.UPLOAD_BATCH_SIZE = 2
    upload = upload_rows(
        [
            HEADER,
            ["Asha Rao", "9876543210", "LN-1", "100", "", "", ""],
            ["Ravi Kumar", "9123456789", "LN-2", "100", "", "", ""],
            ["Meera Nair", "9988776655", "LN-3", "100", "", "", ""],
            ["Other Name", "9876543210", "LN-1", "999", "", "", ""],
            ["Asha Rao", "9876543210", "LN-5", "100", "", "", ""],
        ]
    )

    assert upload.counts == {
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "invalid": 0,
        "duplicates": 1,
        "name_conflicts": 0,
    }
    assert Customer.objects.get(phone="+919876543210").loans.count() == 2


def test_create_only_skips_existing_customers_and_reports_them():
    CustomerFactory(full_name="Asha Rao", phone="+919876543210", state="Goa")

    upload = upload_rows(
        [
            HEADER,
            ["Asha Rao", "9876543210", "", "", "", "", "Kerala"],
            ["Ravi Kumar", "9123456789", "", "", "", "", ""],
        ],
        mode=UploadMode.CREATE_ONLY,
    )

    assert upload.counts["created"] == 1 and upload.counts["skipped"] == 1
    skipped = upload.entries.get(outcome=RowOutcome.SKIPPED)
    assert "already a customer" in skipped.errors[0]
    assert Customer.objects.get(phone="+919876543210").state == "Goa"


def test_create_only_still_adds_every_loan_of_a_new_customer():
    upload = upload_rows(
        [
            HEADER,
            ["Asha Rao", "9876543210", "LN-1", "1", "", "", ""],
            ["Asha Rao", "9876543210", "LN-2", "2", "", "", ""],
        ],
        mode=UploadMode.CREATE_ONLY,
    )

    assert upload.counts["created"] == 2
    assert Loan.objects.count() == 2


def test_update_only_skips_unknown_customers():
    CustomerFactory(full_name="Asha Rao", phone="+919876543210", state="Goa")

    upload = upload_rows(
        [
            HEADER,
            ["Asha Rao", "9876543210", "", "", "", "", "Kerala"],
            ["Ravi Kumar", "9123456789", "", "", "", "", ""],
        ],
        mode=UploadMode.UPDATE_ONLY,
    )

    assert upload.counts["updated"] == 1 and upload.counts["skipped"] == 1
    assert "only updates" in upload.entries.get(outcome=RowOutcome.SKIPPED).errors[0]
    assert Customer.objects.count() == 1


def test_an_update_may_leave_out_the_name_and_blank_cells_change_nothing():
    CustomerFactory(full_name="Asha Rao", phone="+919876543210", state="Goa", email="asha@example.com")

    upload = upload_rows([["Phone", "Name", "State", "Email"], ["9876543210", "", "", "new@example.com"]])

    assert upload.counts["updated"] == 1
    customer = Customer.objects.get()
    assert (customer.full_name, customer.state, customer.email) == ("Asha Rao", "Goa", "new@example.com")


def test_a_loan_of_another_customer_is_refused():
    LoanFactory(loan_id="LN-1", customer=CustomerFactory(phone="+919123456789"))

    upload = upload_rows([HEADER, ["Asha Rao", "9876543210", "LN-1", "100", "", "", ""]])

    assert upload.counts["invalid"] == 1
    assert "belongs to another customer" in upload.entries.get().errors[0]


def test_national_ids_are_fingerprinted_never_stored_in_clear():
    upload = upload_rows([["Name", "Phone", "Aadhaar"], ["Asha Rao", "9876543210", "1234 5678 9012"]])

    customer = Customer.objects.get()
    assert customer.national_id_last4 == "9012"
    assert len(customer.national_id_fingerprint) == 64
    assert upload.entries.get().changes["national_id"] == [None, "9012"]


def test_stop_on_error_imports_nothing_when_a_row_is_invalid():
    upload = upload_rows(
        [HEADER, ["Asha Rao", "9876543210", "LN-1", "100", "", "", ""], ["Ravi", "123", "LN-2", "100", "", "", ""]],
        stop_on_error=True,
    )

    assert upload.status == UploadStatus.FAILED
    assert "nothing was imported" in upload.error_summary
    assert not Customer.objects.exists()
    assert upload.entries.get(outcome=RowOutcome.INVALID).row_number == 3


def test_stop_on_error_imports_everything_when_all_rows_are_valid():
    upload = upload_rows([HEADER, ["Asha Rao", "9876543210", "LN-1", "100", "", "", ""]], stop_on_error=True)

    assert upload.status == UploadStatus.COMPLETED
    assert upload.counts["created"] == 1
    assert upload.entries.count() == 1
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8-sig", ","), ("utf-16", "\t"), ("cp1252", ";"), ("utf-8", "|")],
)
def test_files_in_other_encodings_and_separators_import_the_same(encoding, delimiter):
    content = csv_bytes(
        [["Borrower Name", "Contact Number", "LAN", "Total Due"], ["José Müller", "98765 43210", "LN-1", "1,00,000"]],
        delimiter=delimiter,
        encoding=encoding,
    )

    upload = upload_bytes(content)

    assert upload.status == UploadStatus.COMPLETED, upload.error_summary
    assert Customer.objects.get().full_name == "José Müller"
    assert Loan.objects.get().outstanding_amount == Decimal("100000.00")


def test_xlsx_with_phones_stored_as_numbers_and_real_dates():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Customer Name", "Mobile", "Loan ID", "Outstanding", "Due Date"])
    sheet.append(["Asha Rao", 9876543210, "LN-1", 50000, datetime(2026, 12, 31)])
    sheet.append(["Ravi Kumar", 919123456789.0, "LN-2", 1234.5, 46022])
    buffer = BytesIO()
    workbook.save(buffer)

    upload = upload_bytes(buffer.getvalue(), name="customers.xlsx")

    assert upload.status == UploadStatus.COMPLETED, upload.error_summary
    assert set(Customer.objects.values_list("phone", flat=True)) == {"+919876543210", "+919123456789"}
    assert Loan.objects.get(loan_id="LN-1").due_date == date(2026, 12, 31)
    assert Loan.objects.get(loan_id="LN-2").due_date == date(2025, 12, 31)  # Excel serial 46022
    assert upload.entries.get(row_number=2).values["Mobile"] == 9876543210


def test_an_unreadable_file_fails_with_a_message_not_a_crash():
    upload = upload_bytes(b"PK\x03\x04 this is not really a workbook", name="customers.xlsx")

    assert upload.status == UploadStatus.FAILED
    assert upload.error_summary
    assert not UploadRow.objects.exists()


def test_running_an_upload_again_changes_nothing():
    from uploads.services import upload_process

    upload = upload_rows([HEADER, ["Asha Rao", "9876543210", "LN-1", "100", "", "", ""]])
    again = upload_process(upload_id=upload.pk)

    assert again.counts == upload.counts
    assert UploadRow.objects.count() == 1


def test_entries_never_keep_a_national_id_in_clear_and_a_masked_one_changes_nothing():
    import json as json_module

    from customers.national_ids import national_id_fingerprint
    from uploads.selectors import upload_failed_rows_csv

    first = upload_rows(
        [
            ["Name", "Phone", "Aadhaar", "Amount", "Loan ID"],
            ["Asha Rao", "9876543210", "1234 5678 9012", "abc", "LN-1"],
            ["Ravi Kumar", "9123456789", "2222 3333 4444", "100", "LN-2"],
        ]
    )

    stored = json_module.dumps(list(UploadRow.objects.values_list("values", flat=True)))
    assert "1234 5678 9012" not in stored and "123456789012" not in stored and "2222" not in stored
    assert first.entries.get(row_number=2).values["Aadhaar"] == "********9012"
    # The failed-rows file carries the mask; fixed and uploaded again, the mask is no id at all.
    failed = "".join(upload_failed_rows_csv(upload=first)).lstrip("\ufeff")
    assert "********9012" in failed
    again = upload_rows(
        [["Name", "Phone", "Aadhaar", "Amount", "Loan ID"], ["Asha Rao", "9876543210", "********9012", "100", "LN-1"]]
    )
    assert again.counts["created"] == 1 and again.counts["invalid"] == 0
    assert Customer.objects.get(phone="+919876543210").national_id_fingerprint == ""
    ravi = Customer.objects.get(phone="+919123456789")
    assert ravi.national_id_fingerprint == national_id_fingerprint("222233334444").fingerprint


@pytest.mark.postgres
def test_awkward_text_survives_the_copy_stream_exactly():
    """Tabs, backslashes, quotes and line breaks inside cells reach the database as written."""
    name = 'Asha "Tab\\there" Rao\\\\'
    upload = upload_rows(
        [["Name", "Phone", "State", "Note"], [name, "9876543210", "Goa\\nKerala", "multi\nline\tcell"]]
    )

    entry = upload.entries.get()
    assert entry.values == {"Name": name, "Phone": "9876543210", "State": "Goa\\nKerala", "Note": "multi\nline\tcell"}
    customer = Customer.objects.get()
    assert customer.full_name == " ".join(name.split())
    assert customer.state == "Goa\\nKerala"
