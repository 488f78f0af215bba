"""Export jobs: asked for over the API, written by the task into storage, polled, downloaded, expired."""

import csv
import io
import logging
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from rest_framework.test import APIClient

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from exports import services
from exports.models import ExportJob, ExportJobStatus
from exports.services import MAX_ATTEMPTS, export_job_create, export_job_run
from exports.tasks import export_job_run_task, export_jobs_expire_task
from exports.tests.factories import ExportJobFactory, completed_export_job
from voiceassist.common.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(settings) -> list[Customer]:
    """Seven customers, over a direct-export limit lowered to three."""
    settings.EXPORT_DIRECT_MAX_ROWS = 3
    return [CustomerFactory(full_name=f"Customer {n}") for n in range(7)]


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _integration_user():
    """Not back office: holds the view permission of customers, as an integration's token user would."""
    user = UserFactory()
    user.user_permissions.set(Permission.objects.filter(codename="view_customer"))
    return user


def _content(response) -> bytes:
    return b"".join(response.streaming_content)


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8").lstrip("\ufeff"))))


def _start(client: APIClient, capture, **body):
    with capture(execute=True):  # the job is queued once its row is committed
        return client.post("/api/v1/exports/", {"name": "customers", "format": "csv", **body}, format="json")


# --- The direct download and its limit --------------------------------------------------------------------


def test_a_table_over_the_limit_is_refused_directly_in_the_error_shape(back_office_user, customers):
    response = _client(back_office_user).get("/api/v1/exports/customers.csv")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "export_too_large"
    assert "POST /api/v1/exports/" in error["message"] and "7 rows" in error["message"]
    assert error["details"] == {"rows": 7, "limit": 3, "job": {"name": "customers", "format": "csv"}}


def test_a_table_at_the_limit_is_still_sent_directly(back_office_user, settings):
    settings.EXPORT_DIRECT_MAX_ROWS = 2
    CustomerFactory.create_batch(2)

    response = _client(back_office_user).get("/api/v1/exports/customers.xlsx")

    assert response.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(_content(response))).active.max_row == 3


# --- A job, from request to download ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_job_writes_every_row_and_offers_the_download(
    fmt, back_office_user, customers, eager_tasks, django_capture_on_commit_callbacks
):
    client = _client(back_office_user)

    response = _start(client, django_capture_on_commit_callbacks, format=fmt)

    assert response.status_code == 202
    job = response.json()
    assert response["Location"] == job["url"] == f"http://testserver/api/v1/exports/jobs/{job['id']}/"
    status = client.get(job["url"]).json()
    assert status["status"] == "completed" and status["progress_percent"] == 100
    assert status["rows_done"] == status["rows_total"] == 7
    assert status["download_url"] == f"http://testserver/api/v1/exports/jobs/{job['id']}/download/"

    download = client.get(status["download_url"])

    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    content = _content(download)
    if fmt == "csv":
        rows = _csv_rows(content)
    else:
        rows = [list(row) for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]
    assert len(rows) == 1 + 7  # the header and every customer
    assert sorted(str(row[0]) for row in rows[1:]) == sorted(str(c.pk) for c in customers)


def test_progress_is_committed_as_rows_are_written(back_office_user, customers, monkeypatch):
    job = export_job_create(user=back_office_user, name="customers", fmt="csv")
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    seen = []
    commit_progress = services._progress

    def watch(**kwargs):
        commit_progress(**kwargs)
        seen.append(ExportJob.objects.values_list("status", "rows_done", "rows_total").get(pk=job.pk))

    monkeypatch.setattr(services, "_progress", watch)

    export_job_run_task(job.pk)

    running = ExportJobStatus.RUNNING
    assert seen == [(running, 0, 7), (running, 2, 7), (running, 4, 7), (running, 6, 7), (running, 7, 7)]
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.progress_percent) == (ExportJobStatus.COMPLETED, 7, 100)


def test_a_running_job_reports_its_progress_to_the_api(back_office_user):
    job = ExportJobFactory(requested_by=back_office_user, status=ExportJobStatus.RUNNING, rows_total=8, rows_done=3)

    body = _client(back_office_user).get(f"/api/v1/exports/jobs/{job.pk}/").json()

    assert (body["status"], body["progress_percent"], body["download_url"]) == ("running", 37, None)


def test_the_file_goes_through_the_storage_api_only(back_office_user, customers, settings):
    """A storage with no local path (as S3 has none): web and workers on other machines share it."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    job = export_job_create(user=back_office_user, name="customers", fmt="xlsx")

    export_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ExportJobStatus.COMPLETED
    assert default_storage.exists(job.file.name) and not Path(settings.MEDIA_ROOT).exists()
    download = _client(back_office_user).get(f"/api/v1/exports/jobs/{job.pk}/download/")
    assert openpyxl.load_workbook(io.BytesIO(_content(download))).active.max_row == 8


def test_a_selection_exports_only_its_rows_in_order(back_office_user, customers):
    chosen = [customers[5].pk, customers[1].pk, customers[3].pk]
    job = export_job_create(user=back_office_user, name="customers", fmt="csv", ids=sorted(chosen))

    job = export_job_run(job_id=job.pk)

    with job.file.open("rb") as file:
        rows = _csv_rows(file.read())
    assert [int(row[0]) for row in rows[1:]] == sorted(chosen)


# --- Failures and running again ---------------------------------------------------------------------------


def test_a_failure_leaves_the_job_failed_with_a_message_for_the_clerk(
    back_office_user, customers, monkeypatch, caplog, settings
):
    def broken(*args, **kwargs):
        raise RuntimeError(f"cannot render {customers[0].full_name}")

    monkeypatch.setattr("customers.resources.CustomerExportResource.export_resource", broken)
    job = export_job_create(user=back_office_user, name="customers", fmt="csv")

    with caplog.at_level(logging.ERROR, logger="exports"):
        export_job_run_task(job.pk)

    job.refresh_from_db()
    assert job.status == ExportJobStatus.FAILED and not job.file and job.finished_at
    assert job.error_message.startswith("The export stopped on an unexpected error and no file was kept. Start it")
    assert f"export #{job.pk}" in job.error_message
    assert f"Export job {job.pk} stopped" in caplog.text
    assert customers[0].full_name not in caplog.messages[0]  # only the id is logged, never a customer
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.csv"))
    response = _client(back_office_user).get(f"/api/v1/exports/jobs/{job.pk}/")
    assert response.json()["error_message"] == job.error_message


def test_running_the_task_again_does_nothing_once_the_job_is_done(back_office_user, customers, settings):
    job = export_job_create(user=back_office_user, name="customers", fmt="csv")
    export_job_run_task(job.pk)
    job.refresh_from_db()
    first_file = job.file.name

    export_job_run_task(job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts, job.file.name) == (ExportJobStatus.COMPLETED, 1, first_file)
    assert len(list(Path(settings.MEDIA_ROOT).rglob("*.csv"))) == 1


def test_a_job_whose_worker_was_lost_is_written_again_by_the_next_delivery(back_office_user, customers):
    job = ExportJobFactory(requested_by=back_office_user, status=ExportJobStatus.RUNNING, attempts=1, rows_done=4)

    export_job_run_task(job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts, job.rows_done) == (ExportJobStatus.COMPLETED, 2, 7)


def test_a_job_that_keeps_killing_its_worker_is_set_aside(back_office_user, customers):
    job = ExportJobFactory(requested_by=back_office_user, status=ExportJobStatus.RUNNING, attempts=MAX_ATTEMPTS)

    export_job_run_task(job.pk)

    job.refresh_from_db()
    assert job.status == ExportJobStatus.FAILED
    assert job.error_message.startswith(f"The export stopped its worker {MAX_ATTEMPTS} times")


def test_an_earlier_delivery_stops_when_a_later_one_takes_the_job_over(back_office_user, customers, monkeypatch):
    job = export_job_create(user=back_office_user, name="customers", fmt="csv")
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    commit_progress = services._progress

    def taken_over_midway(**kwargs):
        if kwargs.get("rows_done") == 4:  # meanwhile, the message was delivered again and a worker began
            ExportJob.objects.filter(pk=job.pk).update(attempts=2)
        commit_progress(**kwargs)

    monkeypatch.setattr(services, "_progress", taken_over_midway)

    assert export_job_run(job_id=job.pk) is None

    job.refresh_from_db()
    assert (job.status, job.attempts, job.file.name) == (ExportJobStatus.RUNNING, 2, "")


@pytest.mark.django_db(transaction=True)  # the job is queued on a real commit, inside the request
def test_when_the_queue_is_down_the_job_fails_and_the_client_is_told(back_office_user, monkeypatch):
    def refuse(*args, **kwargs):
        raise BrokerError("connection refused")

    monkeypatch.setattr(export_job_run_task, "delay", refuse)

    response = _client(back_office_user).post("/api/v1/exports/", {"name": "calls", "format": "csv"}, format="json")

    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "queue_unavailable" and "Try again in a few minutes" in error["message"]
    job = ExportJob.objects.get(pk=error["details"]["job_id"])
    assert job.status == ExportJobStatus.FAILED and job.error_message == error["message"]


# --- Who may see and download a job -----------------------------------------------------------------------


def test_a_job_is_seen_by_whoever_asked_for_it_and_by_back_office(
    back_office_user, agent_user, customers, eager_tasks, django_capture_on_commit_callbacks
):
    owner = _integration_user()
    job_url = _start(_client(owner), django_capture_on_commit_callbacks).json()["url"]
    download_url = job_url + "download/"

    assert _client(owner).get(job_url).status_code == 200
    assert len(_csv_rows(_content(_client(owner).get(download_url)))) == 8
    assert _client(back_office_user).get(download_url).status_code == 200  # back office sees others' jobs
    assert _client(_integration_user()).get(job_url).status_code == 404  # same permission, not theirs
    assert _client(_integration_user()).get(download_url).status_code == 404
    assert _client(agent_user).get(download_url).status_code == 404
    assert _client().get(download_url).status_code == 401
    owner.user_permissions.clear()  # the owner lost the right to see customers
    refused = _client(type(owner).objects.get(pk=owner.pk)).get(download_url)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"


def test_asking_for_a_job_needs_the_export_permission(agent_user):
    response = _client(agent_user).post("/api/v1/exports/", {"name": "customers", "format": "csv"}, format="json")

    assert response.status_code == 403
    assert (
        response.json()["error"]["message"] == "Your account may not export customers. Ask an administrator for access."
    )
    assert not ExportJob.objects.exists()


def test_unknown_exports_and_formats_are_refused(back_office_user):
    client = _client(back_office_user)
    response = client.post("/api/v1/exports/", {"name": "secrets", "format": "pdf"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"name", "format"}


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (ExportJobStatus.QUEUED, 409, "export_not_ready"),
        (ExportJobStatus.RUNNING, 409, "export_not_ready"),
        (ExportJobStatus.FAILED, 409, "export_not_ready"),
    ],
)
def test_a_job_without_a_file_yet_cannot_be_downloaded(back_office_user, status, code, expected):
    job = ExportJobFactory(requested_by=back_office_user, status=status, error_message="It broke.")

    response = _client(back_office_user).get(f"/api/v1/exports/jobs/{job.pk}/download/")

    assert response.status_code == code and response.json()["error"]["code"] == expected


def test_an_expired_job_cannot_be_downloaded(back_office_user):
    job = completed_export_job(requested_by=back_office_user, expires_at=timezone.now() - timedelta(minutes=1))

    response = _client(back_office_user).get(f"/api/v1/exports/jobs/{job.pk}/download/")

    assert response.status_code == 410
    assert response.json()["error"]["code"] == "export_expired"
    assert "Start the export again" in response.json()["error"]["message"]
    assert _client(back_office_user).get(f"/api/v1/exports/jobs/{job.pk}/").json()["expired"] is True


# --- Retention --------------------------------------------------------------------------------------------


def test_expired_files_are_deleted_and_unfinished_jobs_failed(back_office_user, settings):
    past = timezone.now() - timedelta(minutes=1)
    expired = completed_export_job(expires_at=past)
    fresh = completed_export_job()
    stuck = ExportJobFactory(status=ExportJobStatus.RUNNING, attempts=1, expires_at=past)
    expired_name, fresh_name = expired.file.name, fresh.file.name

    counts = export_jobs_expire_task()

    assert counts == {"files_deleted": 1, "jobs_failed": 1}
    assert not default_storage.exists(expired_name) and default_storage.exists(fresh_name)
    expired.refresh_from_db()
    stuck.refresh_from_db()
    assert expired.file.name == "" and expired.status == ExportJobStatus.COMPLETED and expired.is_expired
    assert stuck.status == ExportJobStatus.FAILED and "did not finish within 24 hours" in stuck.error_message
    assert settings.CELERY_BEAT_SCHEDULE["exports-expire"]["task"] == export_jobs_expire_task.name


def test_more_rows_than_an_excel_sheet_holds_fail_with_advice_to_use_csv(back_office_user, customers, monkeypatch):
    monkeypatch.setattr(services, "XLSX_MAX_ROWS", 7)  # the header and six rows
    job = export_job_create(user=back_office_user, name="customers", fmt="xlsx")

    export_job_run_task(job.pk)

    job.refresh_from_db()
    assert job.status == ExportJobStatus.FAILED and not job.file
    assert job.error_message == (
        "The customers export has 7 rows, more than an Excel sheet holds (6 under its header). "
        "Export it as CSV instead."
    )
