import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.http import StreamingHttpResponse
from rest_framework.test import APIClient

from calls.tests.factories import CallFactory, PromiseFactory
from customers.tests.factories import CustomerFactory, LoanFactory
from uploads.tests.factories import upload_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(back_office_user):
    client = APIClient()
    client.force_authenticate(back_office_user)
    return client


def _csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)  # streamed, never built whole in memory
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))


def test_customers_export_as_csv_with_loans_and_no_national_id(api):
    customer = CustomerFactory(
        full_name='=HYPERLINK("http://x")',
        phone="+919876543210",
        national_id_fingerprint="f" * 64,
        national_id_last4="9012",
    )
    LoanFactory(customer=customer, loan_id="LN-1", outstanding_amount=Decimal("1500.50"))
    LoanFactory(customer=customer, loan_id="LN-2", outstanding_amount=Decimal("500.00"))

    rows = _csv(api.get("/api/v1/exports/customers.csv"))

    header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert "national_id_fingerprint" not in header and "f" * 64 not in rows[1]
    assert row["national_id_last4"] == "9012"
    assert row["full_name"].startswith("'=")  # a formula stays text
    assert row["phone"] == "+919876543210"  # a phone is not mangled
    assert "LN-1 1500.50" in row["loans"] and row["total_outstanding"] == "2000.50"


def test_customers_export_as_xlsx(api):
    CustomerFactory(full_name="Asha Rao")

    response = api.get("/api/v1/exports/customers.xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.cell(1, 2).value == "full_name"
    assert sheet.cell(2, 2).value == "Asha Rao"


def test_entries_calls_and_promises_export(api):
    upload_rows([["Name", "Phone", "Loan ID", "Amount"], ["Asha Rao", "9876543210", "LN-1", "50,000"]])
    CallFactory()
    PromiseFactory(amount=Decimal("700"))

    entries = _csv(api.get("/api/v1/exports/entries.csv"))
    assert entries[1][entries[0].index("changes")].startswith("name: Asha Rao")
    calls = _csv(api.get("/api/v1/exports/calls.csv"))
    assert len(calls) == 2  # the header and the one call
    promises = _csv(api.get("/api/v1/exports/promises.csv"))
    assert promises[1][promises[0].index("amount")] == "700.00"


def test_exports_need_the_view_permission(agent_user):
    agent = APIClient()
    agent.force_authenticate(agent_user)
    assert agent.get("/api/v1/exports/customers.csv").status_code == 403
    assert APIClient().get("/api/v1/exports/customers.csv").status_code == 401


def test_unknown_exports_are_404(api):
    assert api.get("/api/v1/exports/secrets.csv").status_code == 404
    assert api.get("/api/v1/exports/customers.pdf").status_code == 404


def test_admin_export_actions_stream_the_selected_rows(client, back_office_user):
    chosen = CustomerFactory(full_name="Asha Rao")
    CustomerFactory(full_name="Ravi Kumar")
    client.force_login(back_office_user)

    response = client.post("/admin/customers/customer/", {"action": "export_csv", "_selected_action": [chosen.pk]})

    rows = _csv(response)
    assert [row[1] for row in rows[1:]] == ["Asha Rao"]
