import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.http import StreamingHttpResponse
from rest_framework.test import APIClient

from calls.tests.factories import CallFactory, PromiseFactory
from customers.tests.factories import CustomerFactory, LoanFactory
from uploads.selectors import upload_failed_rows_csv
from uploads.tests.factories import upload_rows
from voiceassist.common.exports import safe_cell

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


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        # Spreadsheets drop a leading tab or carriage return and run what follows.
        ('\t=HYPERLINK("http://x")', '\'\t=HYPERLINK("http://x")'),
        ("\r=1+1", "'\r=1+1"),
        ("\t+91 98765 43210", "'\t+91 98765 43210"),
        ("\r-500", "'\r-500"),
        # Plain numbers and phones stay as they are.
        ("+91 98765 43210", "+91 98765 43210"),
        ("+919876543210", "+919876543210"),
        ("-500", "-500"),
        ("-1,500.50", "-1,500.50"),
        ("(022) 2345-6789", "(022) 2345-6789"),
        ("Asha Rao", "Asha Rao"),
        ("a\t=1", "a\t=1"),
        (1500, 1500),
        (None, None),
    ],
)
def test_cells_a_spreadsheet_would_run_are_neutralised(value, expected):
    assert safe_cell(value) == expected


def test_the_failed_rows_file_neutralises_its_header_and_tab_started_cells():
    formula_header = '=HYPERLINK("http://x","Notes")'
    upload = upload_rows(
        [
            ["Name", "Phone", "Loan ID", "Amount", formula_header],
            ['\t=HYPERLINK("http://x")', "12345", "LN-1", "-500", "\r=1+1"],
            ["Ravi Kumar", "+91 98765 4321", "LN-2", "1000", "@SUM(A1)"],
        ]
    )

    text = "".join(upload_failed_rows_csv(upload=upload)).lstrip("\ufeff")
    failed = list(csv.reader(io.StringIO(text, newline="")))

    assert failed[0] == ["Name", "Phone", "Loan ID", "Amount", "'" + formula_header, "error"]
    assert failed[1][:5] == ['\'\t=HYPERLINK("http://x")', "12345", "LN-1", "-500", "'\r=1+1"]
    assert failed[2][:5] == ["Ravi Kumar", "+91 98765 4321", "LN-2", "1000", "'@SUM(A1)"]
    assert all(not row[-1].startswith(("=", "+", "-", "@", "\t", "\r")) for row in failed[1:])


def test_every_cell_of_an_export_is_neutralised_the_header_row_too(monkeypatch, api):
    CustomerFactory(full_name="\t=1+1")
    monkeypatch.setattr(
        "customers.resources.CustomerExportResource.get_export_headers",
        lambda self, selected_fields=None: ["=HEADER()", "full_name"],
    )
    monkeypatch.setattr(
        "customers.resources.CustomerExportResource.export_resource",
        lambda self, instance, selected_fields=None, **kwargs: [instance.pk, instance.full_name],
    )

    rows = _csv(api.get("/api/v1/exports/customers.csv"))

    assert rows[0] == ["'=HEADER()", "full_name"]
    assert rows[1][1] == "'\t=1+1"
