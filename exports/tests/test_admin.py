"""The back office: export actions that start a job for a large selection, and the export jobs list."""

import csv
import io

import pytest

from customers.tests.factories import CustomerFactory
from exports.models import ExportJob, ExportJobStatus
from exports.tests.factories import ExportJobFactory, completed_export_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def back_office(client, back_office_user):
    client.force_login(back_office_user)
    return client


def _rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return list(csv.reader(io.StringIO(content)))


def test_a_large_selection_becomes_a_job_whose_page_offers_the_file(
    back_office, settings, eager_tasks, django_capture_on_commit_callbacks
):
    settings.EXPORT_DIRECT_MAX_ROWS = 2
    customers = CustomerFactory.create_batch(5)
    chosen = [customers[4].pk, customers[0].pk, customers[2].pk]

    with django_capture_on_commit_callbacks(execute=True):  # the worker's part runs once the job is committed
        response = back_office.post("/admin/customers/customer/", {"action": "export_csv", "_selected_action": chosen})

    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/exports/exportjob/{job.pk}/change/"
    assert job.selection == {"ids": sorted(chosen)}  # in the export's order
    page = back_office.get(response["Location"]).content.decode()
    assert f"3 customers are too many to download at once, so export #{job.pk} is being written." in page
    assert f"/admin/exports/exportjob/{job.pk}/download/" in page and 'http-equiv="refresh"' not in page

    rows = _rows(back_office.get(f"/admin/exports/exportjob/{job.pk}/download/"))

    assert [int(row[0]) for row in rows[1:]] == sorted(chosen)


def test_selecting_every_row_exports_the_table_without_a_list_of_ids(
    back_office, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_DIRECT_MAX_ROWS = 2
    customers = CustomerFactory.create_batch(3)

    back_office.post(
        "/admin/customers/customer/",
        {"action": "export_xlsx", "select_across": "1", "_selected_action": [customers[0].pk]},
    )

    job = ExportJob.objects.get()
    assert (job.name, job.format, job.selection, job.status) == ("customers", "xlsx", {}, ExportJobStatus.QUEUED)


def test_a_small_selection_is_still_sent_at_once(back_office, settings):
    settings.EXPORT_DIRECT_MAX_ROWS = 2
    chosen = CustomerFactory.create_batch(2)

    response = back_office.post(
        "/admin/customers/customer/", {"action": "export_csv", "_selected_action": [c.pk for c in chosen]}
    )

    assert len(_rows(response)) == 3 and not ExportJob.objects.exists()


def test_a_running_job_page_shows_progress_and_reloads_itself(back_office):
    job = ExportJobFactory(status=ExportJobStatus.RUNNING, rows_total=200, rows_done=50)

    page = back_office.get(f"/admin/exports/exportjob/{job.pk}/change/").content.decode()

    assert '<progress max="100" value="25">' in page and "50 / 200" in page
    assert 'http-equiv="refresh"' in page and "/download/" not in page


def test_back_office_lists_everyones_jobs_read_only_with_download_links(back_office, back_office_user):
    mine = completed_export_job(requested_by=back_office_user)
    theirs = completed_export_job()
    failed = ExportJobFactory(status=ExportJobStatus.FAILED, error_message="It broke.")

    page = back_office.get("/admin/exports/exportjob/").content.decode()

    for job in (mine, theirs):
        assert f"/admin/exports/exportjob/{job.pk}/download/" in page
    assert f"/admin/exports/exportjob/{failed.pk}/change/" in page
    assert "/admin/exports/exportjob/add/" not in page
    assert back_office.get(f"/admin/exports/exportjob/{theirs.pk}/download/").status_code == 200
    assert back_office.get(f"/admin/exports/exportjob/{failed.pk}/delete/").status_code == 403


def test_a_file_not_ready_sends_the_clerk_back_to_the_job_with_why(back_office):
    job = ExportJobFactory(status=ExportJobStatus.QUEUED)

    response = back_office.get(f"/admin/exports/exportjob/{job.pk}/download/", follow=True)

    assert response.redirect_chain == [(f"/admin/exports/exportjob/{job.pk}/change/", 302)]
    assert f"Export #{job.pk} is still queued (0%). Download it once it is completed." in response.content.decode()
