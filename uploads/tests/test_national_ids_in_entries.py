"""National ids never in clear: not in entries, not in what the APIs and exports give, not in errors or logs.

The ids here are real-shaped: ``2341 2341 2346`` ends in its Verhoeff check digit, ``ACUPA7085R`` is an
individual's PAN (both python-stdnum's examples); ``234123412347`` is the same Aadhaar with a wrong check digit
(no id, so it must survive), and ``919812345674`` an Indian mobile with its country code whose last digit
happens to be a valid check digit.
"""

import csv
import importlib
import io
import json
import logging
from io import BytesIO
from types import SimpleNamespace

import openpyxl
import pytest
from django.apps import apps
from django.db import IntegrityError, connection
from rest_framework.test import APIClient

from customers.models import Customer
from customers.national_ids import national_id_fingerprint, verhoeff_is_valid
from customers.tests.factories import CustomerFactory
from uploads.models import FileUpload, RowOutcome, UploadRow, UploadStatus
from uploads.selectors import upload_failed_rows_csv
from uploads.services import batches as batches_module
from uploads.services import upload_create, upload_revert
from uploads.services.processing import UploadStoppedError
from uploads.tasks import upload_process_task
from uploads.tests.factories import csv_bytes, upload_bytes, upload_rows

pytestmark = pytest.mark.django_db

AADHAAR = "2341 2341 2346"
PAN = "ACUPA7085R"
REMARKS_AADHAAR = "9876-5432-1012"
REF_AADHAAR = "456789012341"
LOWER_PAN = "abcpa1234k"
NOT_AN_AADHAAR = "234123412347"  # a wrong check digit: a loan id, a reference, anything but an id
MOBILE_WITH_CODE = "919812345674"

# Every way each id could be written, as a clear id would show in stored or served text.
CLEAR = [
    "2341 2341 2346",
    "234123412346",
    "ACUPA7085R",
    "acupa7085r",
    "9876-5432-1012",
    "987654321012",
    "456789012341",
    "abcpa1234k",
    "ABCPA1234K",
]

HEADER = ["Customer Name", "Mobile No.", "Loan ID", "Outstanding", "Aadhaar", "PAN", "Remarks", "Ref"]
ROWS = [
    HEADER,
    ["Asha Rao", "9876543210", "LN-1", "50,000", AADHAAR, PAN, f"verified {REMARKS_AADHAAR} at branch", REF_AADHAAR],
    ["Ravi Kumar", MOBILE_WITH_CODE, NOT_AN_AADHAAR, "20,000", "", "", f"PAN {LOWER_PAN} seen", NOT_AN_AADHAAR],
    ["Meera Iyer", "9123456789", "LN-3", "not an amount", "", PAN, "call after 5", ""],
]


def _no_clear_id(text: str) -> None:
    for written in CLEAR:
        assert written not in text, f"{written} is in clear"


def _fingerprints() -> list[str]:
    return [
        fingerprint for fingerprint in Customer.objects.values_list("national_id_fingerprint", flat=True) if fingerprint
    ]


@pytest.fixture
def api(back_office_user):
    client = APIClient()
    client.force_authenticate(user=back_office_user)
    return client


def _streamed(response) -> str:
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def test_every_id_column_and_every_id_looking_cell_is_masked_and_the_rest_kept_as_written():
    upload = upload_rows(ROWS)

    assert upload.status == UploadStatus.COMPLETED, upload.error_summary
    entries = {entry.row_number: entry for entry in upload.entries.all()}
    asha, ravi, meera = entries[2].values, entries[3].values, entries[4].values
    assert asha["Aadhaar"] == "********2346"
    assert asha["PAN"] == "******085R"  # the second id column: masked too, never imported
    assert asha["Remarks"] == "verified ********1012 at branch"
    assert asha["Ref"] == "********2341"
    assert ravi["Remarks"] == "PAN ******234K seen"
    assert meera["PAN"] == "******085R"
    # No id: a phone (a mobile with its country code, whatever its last digit), a 12-digit loan id or
    # reference with a wrong check digit, everything else.
    assert ravi["Mobile No."] == MOBILE_WITH_CODE
    assert ravi["Loan ID"] == NOT_AN_AADHAAR and ravi["Ref"] == NOT_AN_AADHAAR
    assert entries[3].loan_id == NOT_AN_AADHAAR
    assert asha["Mobile No."] == "9876543210" and asha["Customer Name"] == "Asha Rao"
    assert meera["Outstanding"] == "not an amount"
    # The first id column is the customer's id; the PAN beside it is not imported.
    customer = Customer.objects.get(phone="+919876543210")
    assert customer.national_id_fingerprint == national_id_fingerprint(AADHAAR).fingerprint
    assert customer.national_id_last4 == "2346"
    assert entries[2].changes["national_id"] == [None, "2346"]
    stored = json.dumps(list(UploadRow.objects.values("values", "errors", "changes")), ensure_ascii=False)
    _no_clear_id(stored)
    assert "national_id_fingerprint" not in stored
    assert not any(fingerprint in stored for fingerprint in _fingerprints())


def test_a_workbook_number_cell_holding_an_aadhaar_is_masked_and_a_phone_number_cell_is_not():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Mobile", "Ref"])
    sheet.append(["Asha Rao", int(MOBILE_WITH_CODE), int(REF_AADHAAR)])
    buffer = BytesIO()
    workbook.save(buffer)

    upload = upload_bytes(buffer.getvalue(), name="customers.xlsx")

    values = upload.entries.get().values
    assert values["Ref"] == "********2341"
    assert values["Mobile"] == int(MOBILE_WITH_CODE)


def test_both_entries_apis_the_entries_export_and_the_failed_rows_hold_no_clear_id_and_no_fingerprint(api):
    upload = upload_rows(ROWS)
    customer = Customer.objects.get(phone="+919876543210")
    fingerprints = _fingerprints()
    assert fingerprints

    answers = {
        "upload entries": api.get(f"/api/v1/uploads/{upload.pk}/entries/").content.decode(),
        "customer entries": api.get(f"/api/v1/customers/{customer.pk}/entries/").content.decode(),
        "entries export": _streamed(api.get("/api/v1/exports/entries.csv")),
        "failed rows": _streamed(api.get(f"/api/v1/uploads/{upload.pk}/errors.csv")),
        "failed rows (selector)": "".join(upload_failed_rows_csv(upload=upload)),
    }

    assert "********2346" in answers["upload entries"] and "********2346" in answers["customer entries"]
    assert "******085R" in answers["failed rows"]  # Meera's row, failed, with its PAN masked
    for name, text in answers.items():
        _no_clear_id(text)
        assert "national_id_fingerprint" not in text, name
        assert not any(fingerprint in text for fingerprint in fingerprints), name


def test_a_changed_id_is_found_by_fingerprint_in_memory_and_recorded_by_its_last_four_only():
    header = ["Name", "Phone", "Aadhaar"]
    upload_rows([header, ["Asha Rao", "9876543210", AADHAAR]])
    same = upload_rows([header, ["Asha Rao", "9876543210", "234123412346"]])  # the same id, written otherwise
    other = upload_rows([header, ["Asha Rao", "9876543210", "987654321012"]])
    alike = upload_rows([header, ["Asha Rao", "9876543210", "300000031012"]])  # another id ending alike

    assert same.entries.get().outcome == RowOutcome.UNCHANGED
    assert other.entries.get().changes == {"national_id": ["2346", "1012"]}
    assert alike.entries.get().outcome == RowOutcome.UPDATED
    assert alike.entries.get().changes == {"national_id": ["1012", "1012"]}
    customer = Customer.objects.get()
    assert customer.national_id_fingerprint == national_id_fingerprint("300000031012").fingerprint


def test_a_preview_across_batches_knows_an_earlier_row_gave_the_id(settings):
    settings.UPLOAD_BATCH_SIZE = 1
    header = ["Name", "Phone", "Loan ID", "Aadhaar"]
    rows = [
        header,
        ["Asha Rao", "9876543210", "LN-1", AADHAAR],
        ["Asha Rao", "9876543210", "LN-2", AADHAAR],
        ["Asha Rao", "9876543210", "LN-3", "987654321012"],
    ]

    preview = upload_rows(rows, dry_run=True)

    entries = {entry.row_number: entry for entry in preview.entries.all()}
    assert entries[2].changes["national_id"] == [None, "2346"]
    assert "national_id" not in entries[3].changes
    assert entries[4].changes["national_id"] == ["2346", "1012"]


def test_revert_removes_an_id_the_upload_added_and_gives_back_the_last_four_of_one_it_replaced():
    header = ["Name", "Phone", "Aadhaar"]
    CustomerFactory(full_name="Asha Rao", phone="+919876543210")
    ravi = CustomerFactory(full_name="Ravi Kumar", phone="+919123456789")
    ravi.national_id_fingerprint = national_id_fingerprint(AADHAAR).fingerprint
    ravi.national_id_last4 = "2346"
    ravi.save()

    upload = upload_rows([header, ["Asha Rao", "9876543210", AADHAAR], ["Ravi Kumar", "9123456789", "987654321012"]])
    report = upload_revert(upload=upload, actor=None)

    asha = Customer.objects.get(phone="+919876543210")
    assert (asha.national_id_last4, asha.national_id_fingerprint) == ("", "")
    ravi.refresh_from_db()
    assert ravi.national_id_last4 == "2346"
    assert ravi.national_id_fingerprint == ""  # never kept in an entry: the next file records it again
    assert report["values_restored"] == 2
    assert report["national_ids_unconfirmed"] == 1
    assert report["conflicts"] == 0


def test_revert_leaves_an_id_a_later_upload_changed_even_when_it_ends_alike():
    header = ["Name", "Phone", "Aadhaar"]
    CustomerFactory(full_name="Asha Rao", phone="+919876543210")
    first = upload_rows([header, ["Asha Rao", "9876543210", "987654321012"]])
    upload_rows([header, ["Asha Rao", "9876543210", "300000031012"]])

    report = upload_revert(upload=first, actor=None)

    assert report["conflicts"] == 1
    assert report["conflict_notes"][0]["field"] == "national_id"
    asha = Customer.objects.get()
    assert asha.national_id_fingerprint == national_id_fingerprint("300000031012").fingerprint


def test_error_messages_never_echo_an_id():
    long_id = AADHAAR + " / " + "9" * 60
    upload = upload_rows(
        [
            ["Name", "Phone", "Aadhaar", "Email"],
            ["Asha Rao", "9876543210", long_id, ""],
            ["Ravi Kumar", REF_AADHAAR, "", ""],  # an Aadhaar in the phone column: not a phone
            [f"Meera {PAN}", "9123456789", "", ""],  # a PAN in the name: refused, not kept on the customer
            ["Kiran Rao", "9988776655", "", f"{REF_AADHAAR}@{'x' * 300}.com"],
        ]
    )

    entries = {entry.row_number: entry for entry in upload.entries.all()}
    assert all(entries[n].outcome == RowOutcome.INVALID for n in (2, 3, 4, 5))
    assert entries[2].errors == ["national_id: This value is too long for a national id (at most 64 characters)."]
    assert "********2341" in entries[3].errors[0]
    assert "looks like a national id (PAN)" in entries[4].errors[0]
    assert "too long" in entries[5].errors[0]
    errors = json.dumps([entry.errors for entry in entries.values()], ensure_ascii=False)
    _no_clear_id(errors)
    assert "9999" not in errors
    assert not Customer.objects.filter(full_name__contains="ACUPA").exists()


def _failing_store(monkeypatch, error: Exception) -> None:
    real = batches_module.batch_store

    def batch_store():
        store = real()

        def upsert_customers(rows):
            raise error

        store.upsert_customers = upsert_customers
        return store

    monkeypatch.setattr(batches_module, "batch_store", batch_store)


def _pending_upload(rows) -> FileUpload:
    from django.core.files.base import ContentFile

    return upload_create(
        file=ContentFile(csv_bytes(rows), name="customers.csv"),
        original_name="customers.csv",
        uploaded_by=None,
        allow_identical=True,
        queue=False,
    )


def test_a_database_error_is_logged_with_ids_and_counts_only(monkeypatch, caplog):
    # PostgreSQL's own words for a unique violation quote the row's key.
    _failing_store(
        monkeypatch,
        IntegrityError(
            'duplicate key value violates unique constraint "customer_unique_phone"\n'
            "DETAIL:  Key (phone)=(+919876543210) already exists."
        ),
    )
    upload = _pending_upload([["Name", "Phone", "Aadhaar"], ["Asha Rao", "9876543210", AADHAAR]])

    with caplog.at_level(logging.INFO), pytest.raises(UploadStoppedError) as raised:
        upload_process_task(upload.pk)

    logged = caplog.text
    assert f"Upload {upload.pk} stopped on an unexpected error" in logged
    assert f"Upload {upload.pk}, rows 2-2, stopped on IntegrityError" in logged
    for value in ("9876543210", "Asha", AADHAAR, "234123412346", 'customer_unique_phone"\nDETAIL'):
        assert value not in logged
    assert raised.value.__context__ is None and raised.value.__cause__ is None
    assert FileUpload.objects.get(pk=upload.pk).status == UploadStatus.FAILED


@pytest.mark.postgres
def test_a_real_constraint_violation_is_logged_without_the_failing_row(caplog):
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE customers_customer ADD CONSTRAINT test_refuses_asha CHECK (full_name <> 'Asha Rao')"
        )
    upload = _pending_upload([["Name", "Phone", "Email"], ["Asha Rao", "9876543210", "asha@example.com"]])

    with caplog.at_level(logging.INFO), pytest.raises(UploadStoppedError) as raised:
        upload_process_task(upload.pk)

    # PostgreSQL said "Failing row contains (…, Asha Rao, +919876543210, …)"; none of it is logged.
    assert "SQLSTATE 23514" in str(raised.value) and "constraint test_refuses_asha" in str(raised.value)
    for value in ("Asha", "9876543210", "asha@example.com", "Failing row"):
        assert value not in caplog.text


@pytest.mark.postgres
def test_an_email_longer_than_its_column_is_a_row_error_not_a_database_error():
    email = "asha@" + "x" * 260 + ".com"

    upload = upload_rows([["Name", "Phone", "Email"], ["Asha Rao", "9876543210", email]])

    assert upload.status == UploadStatus.COMPLETED
    assert upload.entries.get().errors == ["email: This email address is too long (at most 254 characters)."]


def test_the_migration_scrubs_entries_written_before():
    upload = upload_rows(ROWS)
    fingerprint = national_id_fingerprint(AADHAAR).fingerprint
    # As entries were written before: the second id column in clear, the fingerprint in the changes, an id
    # echoed in an error.
    UploadRow.objects.filter(upload=upload, row_number=2).update(
        values={**dict(zip(HEADER, ROWS[1], strict=True)), "Aadhaar": "********2346"},
        changes={"national_id": [None, "2346"], "national_id_fingerprint": [None, fingerprint]},
        errors=[f"national_id: “{AADHAAR} / 99999” is too long for a national id (at most 64 characters)."],
    )
    migration = importlib.import_module("uploads.migrations.0002_scrub_national_ids_from_entries")

    migration.scrub_entries(apps, SimpleNamespace(connection=connection))
    migration.scrub_entries(apps, SimpleNamespace(connection=connection))  # again: nothing more to do

    entry = UploadRow.objects.get(upload=upload, row_number=2)
    assert entry.values["PAN"] == "******085R" and entry.values["Ref"] == "********2341"
    assert entry.values["Mobile No."] == "9876543210" and entry.values["Loan ID"] == "LN-1"
    assert entry.changes == {"national_id": [None, "2346"]}
    assert entry.errors == ["national_id: This value is too long for a national id (at most 64 characters)."]
    stored = json.dumps(list(UploadRow.objects.values("values", "errors", "changes")), ensure_ascii=False)
    _no_clear_id(stored)
    assert fingerprint not in stored


def test_the_ids_used_here_are_what_they_claim():
    assert verhoeff_is_valid("234123412346") and verhoeff_is_valid("987654321012")
    assert verhoeff_is_valid(REF_AADHAAR) and verhoeff_is_valid("300000031012")
    assert verhoeff_is_valid(MOBILE_WITH_CODE)
    assert not verhoeff_is_valid(NOT_AN_AADHAAR)


def test_the_csv_export_of_entries_keeps_the_masks_readable(api):
    upload_rows(ROWS)

    rows = list(csv.DictReader(io.StringIO(_streamed(api.get("/api/v1/exports/entries.csv")).lstrip("\ufeff"))))

    asha = next(row for row in rows if json.loads(row["values"]).get("Customer Name") == "Asha Rao")
    assert json.loads(asha["values"])["PAN"] == "******085R"
    assert "national_id: •••• 2346" in asha["changes"]
