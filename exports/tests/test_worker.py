"""An export job run by a real Celery worker process, on PostgreSQL and Redis: the whole file arrives."""

import csv
import io

import openpyxl
import pytest
from rest_framework.test import APIClient

from customers.models import Customer, Loan
from customers.tests.factories import CustomerFactory, LoanFactory
from exports.selectors import CHUNK_SIZE
from voiceassist.common.testing import wait_until

pytestmark = pytest.mark.worker

CUSTOMERS = CHUNK_SIZE + 700  # more than one chunk of the read, so a chunk boundary is crossed


def test_a_real_worker_writes_every_row_of_a_large_table(celery_worker_process, back_office_user, settings):
    settings.EXPORT_DIRECT_MAX_ROWS = 100
    customers = Customer.objects.bulk_create(CustomerFactory.build() for _ in range(CUSTOMERS))
    Loan.objects.bulk_create(LoanFactory.build(customer=customer) for customer in customers)
    celery_worker_process()
    api = APIClient()
    api.force_authenticate(back_office_user)

    refused = api.get("/api/v1/exports/customers.csv")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "export_too_large"

    files = {}
    for fmt in ("csv", "xlsx"):
        started = api.post("/api/v1/exports/", {"name": "customers", "format": fmt}, format="json")
        assert started.status_code == 202
        url = started.json()["url"]
        job = wait_until(lambda url=url: _finished(api, url), timeout=120)
        assert (job["status"], job["progress_percent"], job["rows_done"]) == ("completed", 100, CUSTOMERS), job
        download = api.get(job["download_url"])
        assert download.status_code == 200
        files[fmt] = b"".join(download.streaming_content)

    lines = list(csv.reader(io.StringIO(files["csv"].decode("utf-8").lstrip("\ufeff"))))
    sheet = list(openpyxl.load_workbook(io.BytesIO(files["xlsx"]), read_only=True).active.iter_rows(values_only=True))
    expected_ids = sorted(customer.pk for customer in customers)
    for rows in (lines, sheet):
        assert len(rows) == 1 + CUSTOMERS  # the header and every customer, none cut off
        assert sorted(int(row[0]) for row in rows[1:]) == expected_ids
        loans = rows[0].index("loans")
        assert all(row[loans] for row in rows[1:])  # each customer's loan, across every chunk


def _finished(api: APIClient, url: str) -> dict | None:
    job = api.get(url).json()
    return job if job["status"] in ("completed", "failed") else None
