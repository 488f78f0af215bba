"""Columns nobody anticipated: built-in collection headers, waiting for a mapping, mapping it, saved profiles."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from customers.models import Customer, Loan
from uploads.models import ColumnProfile, FileUpload, UploadStatus
from uploads.services import column_profile_find, column_profile_save, upload_columns_map, upload_create
from uploads.services import upload_process as process
from uploads.tests.factories import csv_bytes, upload_rows
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditEvent
from voiceassist.common.tests.factories import api_token_for

pytestmark = pytest.mark.django_db

# A lender's overdue list: the phone column is under a header no alias knows.
CONTACT_ROWS = [
    ["Customer Name", "Contact 1", "Agreement No", "Total Due", "Branch"],
    ["Asha Rao", "98765 43210", "AG-1", "1,00,000", "Pune"],
    ["Ravi Kumar", "91234 56789", "AG-2", "25,000", "Nashik"],
]


def _upload(rows, *, user=None, dry_run=False, profile=None, name="overdue.csv") -> FileUpload:
    upload = upload_create(
        file=ContentFile(csv_bytes(rows), name=name),
        original_name=name,
        uploaded_by=user,
        dry_run=dry_run,
        allow_identical=True,
        profile=profile,
        queue=False,
    )
    return process(upload_id=upload.pk)


def _map(upload, columns, *, actor=None, save_as="") -> FileUpload:
    """Map as a person would, then run the processing the mapping queued, here."""
    upload_columns_map(upload=upload, columns=columns, actor=actor, save_as=save_as)
    return process(upload_id=upload.pk)


@pytest.fixture
def api(back_office_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(back_office_user)}")
    return client


# --- built-in aliases ----------------------------------------------------------------------------------------


def test_a_collection_file_with_its_own_shorthand_imports_with_the_built_in_aliases():
    rows = [
        ["Cust Name", "Cust Mob", "Agreement No", "EMI Amt", "TOS", "POS", "Current DPD", "Bucket"],
        ["Asha Rao", "98765 43210", "AG-1", "5,352", "1,17,138.29", "95,000", "28", "X"],
    ]

    upload = upload_rows(rows)

    assert upload.status == UploadStatus.COMPLETED, upload.error_summary
    assert upload.counts["created"] == 1
    assert upload.report["unknown_columns"] == ["Bucket"]
    loan = Loan.objects.select_related("customer").get(loan_id="AG-1")
    assert loan.customer.phone == "+919876543210"
    assert loan.customer.full_name == "Asha Rao"
    assert loan.amount_due == Decimal("5352.00")
    assert loan.outstanding_amount == Decimal("117138.29")
    assert loan.principal_amount == Decimal("95000.00")
    assert loan.days_past_due == 28


# --- waiting for a mapping -----------------------------------------------------------------------------------


def test_a_file_without_a_known_phone_column_waits_for_its_mapping(back_office_user):
    upload = _upload(CONTACT_ROWS, user=back_office_user)

    assert upload.status == UploadStatus.AWAITING_MAPPING
    assert upload.error_summary == ""
    assert upload.report["missing_columns"] == ["phone"]
    assert upload.report["unknown_columns"] == ["Contact 1", "Branch"]
    assert upload.report["headers"] == CONTACT_ROWS[0]
    assert "Contact 1, Branch" in upload.report["mapping_needed"]
    assert not upload.entries.exists()
    assert not Customer.objects.exists()
    # Another delivery of the task changes nothing while it waits.
    assert process(upload_id=upload.pk).status == UploadStatus.AWAITING_MAPPING


def test_a_file_with_nothing_unknown_still_fails_naming_what_is_missing():
    upload = _upload([["Customer Name", "Agreement No", "Total Due"], ["Asha Rao", "AG-1", "100"]])

    assert upload.status == UploadStatus.FAILED
    assert upload.error_summary.startswith("The file has no column for: phone. Columns found: Customer Name, ")


def test_mapped_the_file_imports_and_the_saved_profile_reads_the_next_file_directly(back_office_user):
    waiting = _upload(CONTACT_ROWS, user=back_office_user)

    mapped = _map(waiting, {"Contact 1": "phone", "Branch": ""}, actor=back_office_user, save_as="  Acme   Finance ")

    assert mapped.status == UploadStatus.COMPLETED, mapped.error_summary
    assert mapped.counts["created"] == 2
    assert Customer.objects.get(phone="+919876543210").loans.get().loan_id == "AG-1"
    assert mapped.report["unknown_columns"] == []
    assert mapped.report["ignored_columns"] == ["Branch"]
    assert mapped.report["profile"] == "Acme Finance"
    assert "missing_columns" not in mapped.report
    profile = ColumnProfile.objects.get()
    assert profile.name == "Acme Finance"
    assert profile.columns == {"Contact 1": "phone", "Branch": ""}
    assert profile.created_by == back_office_user
    assert mapped.profile == profile
    assert mapped.column_overrides == {"Contact 1": "phone", "Branch": ""}
    event = AuditEvent.objects.get(action="upload.columns_mapped")
    assert event.actor == back_office_user
    assert event.details["columns"] == {"Contact 1": "phone", "Branch": ""}
    assert event.details["profile"] == "Acme Finance"

    next_file = [CONTACT_ROWS[0], ["Meena Iyer", "99887 76655", "AG-3", "5,000", "Thane"]]
    again = _upload(next_file, user=back_office_user, profile=column_profile_find(profile="acme finance"))

    assert again.status == UploadStatus.COMPLETED, again.error_summary
    assert Customer.objects.filter(phone="+919988776655").exists()
    assert again.report["profile"] == "Acme Finance"


def test_mapping_queues_the_processing_as_an_upload_does(
    back_office_user, eager_tasks, django_capture_on_commit_callbacks
):
    waiting = _upload(CONTACT_ROWS, user=back_office_user)

    with django_capture_on_commit_callbacks(execute=True):
        upload_columns_map(upload=waiting, columns={"Contact 1": "phone"}, actor=back_office_user)

    waiting.refresh_from_db()
    assert waiting.status == UploadStatus.COMPLETED
    assert waiting.report["unknown_columns"] == ["Branch"]
    assert Customer.objects.count() == 2


def test_a_preview_with_unknown_columns_is_previewed_again_with_the_mapping_then_confirmed(back_office_user):
    rows = [
        ["Customer Name", "Mobile", "Agreement No", "Pending Amount"],
        ["Asha Rao", "98765 43210", "AG-1", "42,000"],
    ]
    preview = _upload(rows, dry_run=True, user=back_office_user)
    assert preview.status == UploadStatus.AWAITING_CONFIRMATION
    assert preview.report["unknown_columns"] == ["Pending Amount"]
    assert "amount" not in preview.entries.get().changes

    again = _map(preview, {"Pending Amount": "amount"}, actor=back_office_user)

    assert again.status == UploadStatus.AWAITING_CONFIRMATION
    assert again.dry_run
    assert again.report["unknown_columns"] == []
    entry = again.entries.get()  # the first preview's entry made way for this one
    assert entry.changes["amount"] == [None, "42000.00"]
    assert not Customer.objects.exists()


def test_the_profile_says_on_which_row_the_header_is():
    rows = [
        ["Acme Finance: overdue list", "", ""],
        ["As on 31 Oct 2026", "", ""],
        ["Customer Name", "Contact 1", "Ref"],
        ["Asha Rao", "98765 43210", "AG-1"],
    ]
    profile = ColumnProfile.objects.create(name="Acme", columns={"Contact 1": "phone", "Ref": "loan_id"}, header_line=3)

    upload = _upload(rows, profile=profile)

    assert upload.status == UploadStatus.COMPLETED, upload.error_summary
    assert upload.report["header_line"] == 3
    assert Loan.objects.get(loan_id="AG-1").customer.phone == "+919876543210"


# --- what is refused -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"Contact 9": "phone"}, "The file has no column “Contact 9”. Its columns are: “Customer Name”, “Contact 1”"),
        ({"Contact 1": "telephone"}, "“Contact 1” is mapped to “telephone”, which is not a column we import."),
        ({"Contact 1": "phone", "Branch": "phone"}, "“Contact 1” and “Branch” are each mapped to phone"),
        ({"Contact 1": "", "Branch": ""}, "Choose the file's column for phone"),
        ({}, "Choose the file's column for phone"),
        ({"Contact 1": "phone", "contact-1": ""}, "“Contact 1”, “contact-1” name the same file header: give it once."),
        ({"---": "phone"}, "“---” is not a file header"),
    ],
)
def test_a_mapping_that_cannot_work_is_refused_with_what_to_fix(columns, message, back_office_user):
    waiting = _upload(CONTACT_ROWS)

    with pytest.raises(ApplicationError) as excinfo:
        upload_columns_map(upload=waiting, columns=columns, actor=back_office_user, save_as="Never saved")

    assert message in excinfo.value.message
    waiting.refresh_from_db()
    assert waiting.status == UploadStatus.AWAITING_MAPPING
    assert waiting.column_overrides == {}
    assert not ColumnProfile.objects.exists()
    assert not AuditEvent.objects.filter(action="upload.columns_mapped").exists()


def test_a_finished_import_cannot_be_mapped():
    done = _upload([["Name", "Mobile"], ["Asha Rao", "9876543210"]])

    with pytest.raises(ApplicationError) as excinfo:
        upload_columns_map(upload=done, columns={"Mobile": "phone"}, actor=None)

    assert excinfo.value.code == "not_mappable"
    assert "Upload #" in excinfo.value.message and "completed" in excinfo.value.message


def test_a_profile_name_is_unique_whatever_its_case_and_saving_it_again_replaces_its_columns(back_office_user):
    first = column_profile_save(name="Acme", columns={"Contact 1": "phone"}, actor=back_office_user)
    second = column_profile_save(name="ACME", columns={"Cell 1": "phone"}, actor=back_office_user)

    assert second.pk == first.pk
    assert ColumnProfile.objects.get().columns == {"Cell 1": "phone"}
    with pytest.raises(IntegrityError), transaction.atomic():
        ColumnProfile.objects.create(name="acme")


@pytest.mark.parametrize(
    ("name", "columns", "field"),
    [
        ("Acme", {"Contact 1": "mobile"}, "columns"),
        ("Acme", ["Contact 1"], "columns"),
        ("Acme", {"A": "phone", "B": "phone"}, "columns"),
        ("12", {"Contact 1": "phone"}, "name"),
    ],
)
def test_a_profile_checks_its_own_columns(name, columns, field):
    with pytest.raises(ValidationError) as excinfo:
        ColumnProfile(name=name, columns=columns).full_clean()

    assert field in excinfo.value.message_dict


def test_an_unknown_profile_is_named_with_the_profiles_there_are():
    ColumnProfile.objects.create(name="Acme")

    with pytest.raises(ApplicationError) as excinfo:
        column_profile_find(profile="Acne")

    assert excinfo.value.code == "unknown_profile"
    assert excinfo.value.message == "There is no column profile “Acne”. Saved profiles: Acme."


# --- API -----------------------------------------------------------------------------------------------------


def test_over_the_api_a_waiting_upload_is_mapped_and_the_profile_applies_to_the_next_file(
    api, eager_tasks, django_capture_on_commit_callbacks
):
    file = SimpleUploadedFile("overdue.csv", csv_bytes(CONTACT_ROWS), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/uploads/", {"file": file}, format="multipart")
    upload_id = created.json()["id"]
    waiting = api.get(f"/api/v1/uploads/{upload_id}/").json()
    assert waiting["status"] == "awaiting_mapping"
    assert waiting["missing_columns"] == ["phone"]
    assert waiting["unknown_columns"] == ["Contact 1", "Branch"]
    assert waiting["headers"] == CONTACT_ROWS[0]
    assert waiting["mapping_needed"]

    with django_capture_on_commit_callbacks(execute=True):
        mapped = api.post(
            f"/api/v1/uploads/{upload_id}/columns/",
            {"columns": {"Contact 1": "phone", "Branch": ""}, "save_as": "Acme Finance"},
            format="json",
        )

    assert mapped.status_code == 202, mapped.content
    assert mapped.json()["profile_name"] == "Acme Finance"
    done = api.get(f"/api/v1/uploads/{upload_id}/").json()
    assert done["status"] == "completed"
    assert done["counts"]["created"] == 2
    profiles = api.get("/api/v1/uploads/column-profiles/").json()["results"]
    profile_id = ColumnProfile.objects.get().pk
    assert profiles == [
        {"id": profile_id, "name": "Acme Finance", "columns": {"Contact 1": "phone", "Branch": ""}, "header_line": None}
    ]

    next_file = [CONTACT_ROWS[0], ["Meena Iyer", "99887 76655", "AG-3", "5,000", "Thane"]]
    for profile in ("acme finance", str(profile_id)):
        file = SimpleUploadedFile("next.csv", csv_bytes(next_file), content_type="text/csv")
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(
                "/api/v1/uploads/", {"file": file, "profile": profile, "allow_identical": True}, format="multipart"
            )
        assert response.status_code == 202, response.content
        upload = FileUpload.objects.get(pk=response.json()["id"])
        assert upload.status == UploadStatus.COMPLETED, upload.error_summary
        assert upload.profile_id == profile_id


def test_the_api_refuses_an_unknown_profile_and_a_bad_mapping_in_its_one_error_shape(api):
    file = SimpleUploadedFile("overdue.csv", csv_bytes(CONTACT_ROWS), content_type="text/csv")
    response = api.post("/api/v1/uploads/", {"file": file, "profile": "Nobody"}, format="multipart")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_profile"
    assert "There is no column profile “Nobody”" in response.json()["error"]["message"]
    assert not FileUpload.objects.exists()

    waiting = _upload(CONTACT_ROWS)
    response = api.post(
        f"/api/v1/uploads/{waiting.pk}/columns/", {"columns": {"Contact 1": "phone", "Branch": "phone"}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_mapping"
    assert "are each mapped to phone" in response.json()["error"]["message"]

    response = api.post(f"/api/v1/uploads/{waiting.pk}/columns/", {"columns": ["Contact 1"]}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_an_agent_can_neither_map_columns_nor_list_profiles(agent_user):
    waiting = _upload(CONTACT_ROWS)
    client = APIClient()
    client.force_login(agent_user)

    assert (
        client.post(
            f"/api/v1/uploads/{waiting.pk}/columns/", {"columns": {"Contact 1": "phone"}}, format="json"
        ).status_code
        == 403
    )
    assert client.get("/api/v1/uploads/column-profiles/").status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == UploadStatus.AWAITING_MAPPING


# --- pages ---------------------------------------------------------------------------------------------------


def test_the_upload_page_shows_the_mapping_form_and_its_errors_then_maps(client, back_office_user):
    waiting = _upload(CONTACT_ROWS)
    client.force_login(back_office_user)
    page = client.get(f"/admin/uploads/fileupload/{waiting.pk}/change/", follow=True).content.decode()
    assert "data-column-mapping" in page
    assert "Contact 1" in page and "Ignore this column" in page
    assert waiting.report["mapping_needed"] in page

    refused = client.post(f"/uploads/{waiting.pk}/", {"header_0": "phone", "header_1": "phone"})
    assert refused.status_code == 200
    assert "are each mapped to phone" in refused.content.decode()

    mapped = client.post(f"/uploads/{waiting.pk}/", {"header_0": "phone", "header_1": "", "save_as": "Acme"})
    assert mapped.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == UploadStatus.PENDING
    assert waiting.column_overrides == {"Contact 1": "phone", "Branch": ""}
    assert waiting.profile.name == "Acme"


def test_the_upload_form_offers_the_saved_profiles(client, back_office_user):
    profile = ColumnProfile.objects.create(name="Acme", columns={"Contact 1": "phone"})
    client.force_login(back_office_user)
    assert "Acme" in client.get("/admin/uploads/fileupload/add/", follow=True).content.decode()

    file = SimpleUploadedFile("overdue.csv", csv_bytes(CONTACT_ROWS), content_type="text/csv")
    client.post("/uploads/new/", {"file": file, "mode": "upsert", "profile": profile.pk})

    upload = FileUpload.objects.get()
    assert upload.profile == profile
    assert upload.column_overrides == {"Contact 1": "phone"}


def test_the_back_office_upload_page_maps_and_an_agent_may_not(client, back_office_user, agent_user, reference_data):
    waiting = _upload(CONTACT_ROWS)
    client.force_login(agent_user)
    assert client.post(f"/uploads/{waiting.pk}/", {"header_0": "phone", "header_1": ""}).status_code == 403

    client.force_login(back_office_user)
    page = client.get(f"/uploads/{waiting.pk}/").content.decode()
    assert "data-column-mapping" in page and "Contact 1" in page
    refused = client.post(f"/uploads/{waiting.pk}/", {"header_0": "", "header_1": ""})
    assert refused.status_code == 200
    assert "Choose the file&#x27;s column for phone" in refused.content.decode()

    mapped = client.post(f"/uploads/{waiting.pk}/", {"header_0": "phone", "header_1": ""})
    assert mapped.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == UploadStatus.PENDING
    assert waiting.column_overrides == {"Contact 1": "phone", "Branch": ""}


def test_the_back_office_upload_form_takes_a_profile(client, back_office_user, reference_data):
    profile = ColumnProfile.objects.create(name="Acme", columns={"Contact 1": "phone"})
    client.force_login(back_office_user)
    assert "Column profile" in client.get("/uploads/new/").content.decode()

    file = SimpleUploadedFile("overdue.csv", csv_bytes(CONTACT_ROWS), content_type="text/csv")
    response = client.post("/uploads/new/", {"file": file, "mode": "upsert", "profile": profile.pk})

    upload = FileUpload.objects.get()
    assert response.status_code == 302
    assert upload.profile == profile


def test_column_profiles_are_kept_in_the_admin_with_their_columns_checked(client, back_office_user):
    client.force_login(back_office_user)

    refused = client.post("/admin/uploads/columnprofile/add/", {"name": "Acme", "columns": '{"Contact 1": "mobile"}'})
    assert refused.status_code == 200
    assert "not a column we import" in refused.content.decode()

    saved = client.post(
        "/admin/uploads/columnprofile/add/", {"name": "Acme", "columns": '{"Contact 1": "phone"}', "header_line": "3"}
    )
    assert saved.status_code == 302
    profile = ColumnProfile.objects.get()
    assert (profile.columns, profile.header_line, profile.created_by) == ({"Contact 1": "phone"}, 3, back_office_user)
    assert AuditEvent.objects.filter(action="column_profile.created", target_id=str(profile.pk)).exists()
    assert "Contact 1 → phone" in client.get("/admin/uploads/columnprofile/").content.decode()
    again = client.post("/admin/uploads/columnprofile/add/", {"name": "ACME", "columns": "{}"})
    assert "A profile of this name exists already" in again.content.decode()
    assert ColumnProfile.objects.count() == 1
