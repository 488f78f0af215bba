"""Every way in goes through the same pipeline: the upload pages (the admin leads there), the API, the shell."""

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.test import APIClient

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from uploads.models import ColumnProfile, FileUpload, UploadStatus
from uploads.tests.factories import csv_bytes, upload_rows, write_csv
from voiceassist.common.roles import AGENT, BACK_OFFICE
from voiceassist.common.tests.factories import UserFactory, api_token_for

pytestmark = pytest.mark.django_db

ROWS = [
    ["Customer Name", "Mobile No.", "LAN", "Outstanding"],
    ["Asha Rao", "98765 43210", "LN-1", "1,00,000"],
    ["Ravi Kumar", "12345", "LN-2", "500"],
]


def _file(name="customers.csv", rows=ROWS):
    return SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv")


@pytest.fixture
def api(back_office_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(back_office_user)}")
    return client


# --- The upload pages, and the admin that leads to them -----------------------------------------------


def test_the_admin_leads_to_the_one_set_of_upload_pages(client, back_office_user):
    upload = upload_rows(ROWS)
    client.force_login(back_office_user)

    assert client.get("/admin/uploads/fileupload/add/").url == "/uploads/new/"
    assert client.get(f"/admin/uploads/fileupload/{upload.pk}/change/").url == f"/uploads/{upload.pk}/"
    changelist = client.get("/admin/uploads/fileupload/").content.decode()
    assert f'href="/uploads/{upload.pk}/"' in changelist
    # The admin's own upload pages and their actions are gone: the one page does it all.
    for gone in ("revert/", "failed-rows.csv"):
        response = client.post(f"/admin/uploads/fileupload/{upload.pk}/{gone}")
        assert response.status_code in (301, 302, 404) and "csv" not in response.get("Content-Type", "")
    assert FileUpload.objects.get().status == UploadStatus.COMPLETED


def test_upload_stores_queues_and_shows_the_result(
    client, back_office_user, eager_tasks, django_capture_on_commit_callbacks
):
    client.force_login(back_office_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/uploads/new/", {"file": _file(), "mode": "upsert"})

    upload = FileUpload.objects.get()
    assert response.url == f"/uploads/{upload.pk}/"
    assert upload.uploaded_by == back_office_user
    assert upload.status == UploadStatus.COMPLETED
    page = client.get(response.url)
    assert page.status_code == 200
    assert b"Download failed rows" in page.content
    assert "amount: ₹1,00,000.00" in page.content.decode()
    failed = client.get(f"/uploads/{upload.pk}/failed-rows.csv")
    assert "12345" in b"".join(failed.streaming_content).decode()


def test_preview_then_confirm(client, back_office_user, eager_tasks, django_capture_on_commit_callbacks):
    client.force_login(back_office_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/uploads/new/", {"file": _file(), "mode": "upsert", "dry_run": "on"})
    upload = FileUpload.objects.get()
    assert upload.status == UploadStatus.AWAITING_CONFIRMATION
    assert b"Confirm and import" in client.get(f"/uploads/{upload.pk}/").content
    assert not Customer.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/uploads/{upload.pk}/confirm/")

    upload.refresh_from_db()
    assert upload.status == UploadStatus.COMPLETED
    assert Customer.objects.count() == 1


def test_upload_form_explains_a_wrong_file(client, back_office_user):
    client.force_login(back_office_user)
    response = client.post("/uploads/new/", {"file": _file("customers.pdf"), "mode": "upsert"})

    assert response.status_code == 200
    assert "is not a CSV or .xlsx file" in response.content.decode()
    assert not FileUpload.objects.exists()


def test_the_customer_import_button_leads_to_the_same_upload(client, back_office_user):
    client.force_login(back_office_user)

    changelist = client.get("/admin/customers/customer/")
    assert b'class="import_link"' in changelist.content
    assert client.get("/admin/customers/customer/import/").url == "/admin/uploads/fileupload/add/"


def test_the_customer_page_shows_the_timeline_of_entries(client, back_office_user):
    upload_rows([ROWS[0], ["Asha Rao", "9876543210", "LN-1", "50,000"]])
    upload_rows([ROWS[0], ["Asha Rao", "9876543210", "LN-1", "42,000"]])
    client.force_login(back_office_user)

    page = client.get(f"/admin/customers/customer/{Customer.objects.get().pk}/change/").content.decode()

    assert "Upload timeline" in page
    assert "amount: ₹50,000.00 → ₹42,000.00" in page


def test_revert_queues_and_reports(client, back_office_user, eager_tasks, django_capture_on_commit_callbacks):
    upload = upload_rows(ROWS)
    client.force_login(back_office_user)
    assert "Revert this upload" in client.get(f"/uploads/{upload.pk}/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/uploads/{upload.pk}/revert/")

    assert response.url == f"/uploads/{upload.pk}/"
    upload.refresh_from_db()
    assert upload.status == UploadStatus.REVERTED
    assert not Customer.objects.exists()
    page = client.get(f"/uploads/{upload.pk}/").content.decode()
    assert "1 customers and 1 loans removed" in page
    assert "Revert this upload" not in page


def test_reverting_takes_the_permission_to_delete_uploads(client, back_office_user):
    upload = upload_rows(ROWS)
    Group.objects.get(name=BACK_OFFICE).permissions.remove(Permission.objects.get(codename="delete_fileupload"))
    client.force_login(back_office_user)

    assert "Revert this upload" not in client.get(f"/uploads/{upload.pk}/").content.decode()
    assert client.post(f"/uploads/{upload.pk}/revert/").status_code == 403
    assert FileUpload.objects.get().status == UploadStatus.COMPLETED


def test_agents_cannot_upload_in_the_admin(client, roles):
    client.force_login(UserFactory(role=AGENT))
    response = client.post("/admin/uploads/fileupload/add/", {"file": _file(), "mode": "upsert"})
    assert response.status_code == 302
    assert not FileUpload.objects.exists()


# --- API ---------------------------------------------------------------------------------------


def test_api_upload_answers_202_with_where_to_watch_it(api, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/uploads/", {"file": _file(), "mode": "upsert"}, format="multipart")

    assert response.status_code == 202
    upload_id = response.json()["id"]
    assert response["Location"].endswith(f"/api/v1/uploads/{upload_id}/")
    detail = api.get(f"/api/v1/uploads/{upload_id}/").json()
    assert detail["status"] == "completed"
    assert detail["progress_percent"] == 100
    assert detail["counts"] == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "invalid": 1,
        "duplicates": 0,
        "name_conflicts": 0,
    }
    errors = api.get(f"/api/v1/uploads/{upload_id}/errors.csv")
    assert errors["Content-Type"].startswith("text/csv")
    assert "12345" in b"".join(errors.streaming_content).decode()
    entries = api.get(f"/api/v1/uploads/{upload_id}/entries/", {"outcome": "invalid"}).json()
    assert entries["count"] == 1 and entries["results"][0]["row_number"] == 3


def test_api_dry_run_then_confirm_then_revert(api, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload_id = api.post("/api/v1/uploads/", {"file": _file(), "dry_run": True}, format="multipart").json()["id"]
    assert api.get(f"/api/v1/uploads/{upload_id}/").json()["status"] == "awaiting_confirmation"

    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/v1/uploads/{upload_id}/confirm/").status_code == 202
    assert Customer.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/v1/uploads/{upload_id}/revert/").status_code == 202
    assert api.get(f"/api/v1/uploads/{upload_id}/").json()["status"] == "reverted"
    assert not Customer.objects.exists()


def test_api_identical_file_is_flagged(api, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post("/api/v1/uploads/", {"file": _file()}, format="multipart").json()
        second = api.post("/api/v1/uploads/", {"file": _file("again.csv")}, format="multipart").json()

    assert second["status"] == "awaiting_confirmation"
    assert second["identical_to"] == first["id"]
    assert f"identical to upload #{first['id']}" in second["identical_warning"]


def test_api_errors_use_the_one_error_shape(api):
    response = api.post("/api/v1/uploads/", {"file": _file("customers.pdf")}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unsupported_file"

    response = api.post("/api/v1/uploads/", {"mode": "sideways"}, format="multipart")
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"file", "mode"}

    assert api.post("/api/v1/uploads/999/confirm/").json()["error"]["code"] == "not_found"


def test_api_customer_entries_are_the_timeline(api):
    upload_rows([ROWS[0], ["Asha Rao", "9876543210", "LN-1", "50,000"]])
    upload_rows([ROWS[0], ["Asha Rao", "9876543210", "LN-1", "42,000"]])

    body = api.get(f"/api/v1/customers/{Customer.objects.get().pk}/entries/").json()

    assert body["count"] == 2
    assert body["results"][0]["changes"] == {"amount": ["50000.00", "42000.00"]}
    assert body["results"][1]["outcome"] == "created"


@pytest.mark.parametrize(
    "method,url",
    [
        ("get", "/api/v1/uploads/"),
        ("post", "/api/v1/uploads/"),
        ("get", "/api/v1/uploads/1/"),
        ("post", "/api/v1/uploads/1/revert/"),
    ],
)
def test_api_refuses_agents_and_strangers(method, url, roles):
    anonymous = APIClient()
    assert getattr(anonymous, method)(url).status_code == 401
    agent = APIClient()
    agent.force_authenticate(UserFactory(role=AGENT))
    assert getattr(agent, method)(url).status_code == 403


def test_an_integration_user_with_upload_permissions_may_upload(eager_tasks, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Permission

    integration = UserFactory()
    integration.user_permissions.add(*Permission.objects.filter(codename__in=["view_fileupload", "add_fileupload"]))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(integration)}")

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/api/v1/uploads/", {"file": _file()}, format="multipart").status_code == 202
    assert client.post(f"/api/v1/uploads/{FileUpload.objects.get().pk}/revert/").status_code == 403


# --- The shell ---------------------------------------------------------------------------------


def test_import_customers_command_prints_the_contract_json(tmp_path, capsys):
    path = write_csv(tmp_path / "customers.csv", ROWS)

    call_command("import_customers", str(path), "--json")

    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "completed"
    assert {k: result[k] for k in ("rows", "created", "updated", "unchanged", "skipped", "invalid", "duplicates")} == {
        "rows": 2,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "invalid": 1,
        "duplicates": 0,
    }
    assert FileUpload.objects.get(pk=result["upload_id"]).uploaded_by is None


def test_import_customers_command_modes_and_dry_run(tmp_path, capsys):
    CustomerFactory(phone="+919876543210", full_name="Asha Rao")
    path = write_csv(tmp_path / "customers.csv", ROWS[:2])

    call_command("import_customers", str(path), "--json", "--mode", "create_only", "--dry-run")
    result = json.loads(capsys.readouterr().out)

    assert result["status"] == "awaiting_confirmation"
    assert result["skipped"] == 1
    assert Customer.objects.get().full_name == "Asha Rao"


def test_import_customers_command_fails_clearly(tmp_path, capsys):
    path = write_csv(tmp_path / "customers.csv", [["Name", "Amount"], ["Asha", "1"]])

    with pytest.raises(SystemExit) as exit_info:
        call_command("import_customers", str(path), "--json")

    assert exit_info.value.code == 1
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "failed" and "phone" in result["error"]


def test_import_customers_reads_a_file_with_a_saved_profile_and_without_one_says_what_to_do(tmp_path, capsys):
    ColumnProfile.objects.create(name="Acme overdue list", columns={"Contact 1": "phone", "Branch": ""})
    path = write_csv(tmp_path / "acme.csv", [["Name", "Contact 1", "Branch"], ["Asha Rao", "98765 43210", "Pune"]])

    with pytest.raises(SystemExit) as exit_info:
        call_command("import_customers", str(path), "--json")
    assert exit_info.value.code == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["status"] == "awaiting_mapping"
    assert "no column read as phone" in err and "--profile" in err

    call_command("import_customers", str(path), "--json", "--profile", "acme overdue list")
    result = json.loads(capsys.readouterr().out)
    assert (result["status"], result["created"]) == ("completed", 1)
    assert Customer.objects.get().phone == "+919876543210"
