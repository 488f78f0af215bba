"""Money on the agents' pages is written the Indian way (dollars for US customers); dates day first, typed
and shown."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from agents.charts import bar_chart
from agents.forms import CallbackForm, PromiseForm
from calls.models import PromiseToPay
from calls.tests.factories import PromiseFactory
from customers.tests.factories import CustomerFactory, LoanFactory
from payments.models import PaymentLink
from uploads.changes import change_lines

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reference_data(reference_data):
    """Roles and dispositions, even where an earlier transactional test flushed them."""


@pytest.fixture
def agent_client(client, agent_user):
    client.force_login(agent_user)
    return client


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture
def indian_loan():
    return LoanFactory(
        customer=CustomerFactory(phone="+919876543210"),
        principal_amount=Decimal("1250000.00"),
        outstanding_amount=Decimal("100000.00"),
    )


def test_the_customer_page_writes_rupees_in_lakhs(agent_client, indian_loan):
    customer = indian_loan.customer
    PromiseFactory(loan=indian_loan, amount=Decimal("2500.5"))
    PaymentLink.objects.create(
        customer=customer,
        loan=indian_loan,
        gateway="simulated",
        gateway_link_id="plink_1",
        short_url="https://pay.example.com/1",
        amount=Decimal("150000.00"),
    )

    page = _text(agent_client.get(f"/customers/{customer.pk}/"))

    assert '<td data-label="Outstanding">₹1,00,000.00</td>' in page
    assert '<td data-label="Principal">₹12,50,000.00</td>' in page
    assert "₹2,500.50 by" in page
    assert '<td data-label="Amount">₹1,50,000.00</td>' in page and '<td data-label="Paid">₹0.00</td>' in page
    assert '<label for="id_promise-amount">Amount promised (₹)</label>' in page


def test_a_us_customers_page_writes_dollars(agent_client):
    loan = LoanFactory(
        customer=CustomerFactory(phone="+14155550123", state="CA"),
        principal_amount=Decimal("100000"),
        outstanding_amount=None,
    )

    page = _text(agent_client.get(f"/customers/{loan.customer_id}/"))

    assert '<td data-label="Principal">$100,000.00</td>' in page
    assert '<td data-label="Outstanding">—</td>' in page
    assert '<label for="id_promise-amount">Amount promised ($)</label>' in page


def test_the_promise_message_and_the_dashboard_write_rupees_in_lakhs(agent_client, indian_loan):
    promised = timezone.localdate() + timedelta(days=3)

    response = agent_client.post(
        f"/customers/{indian_loan.customer_id}/promise/",
        {
            "promise-loan": indian_loan.pk,
            "promise-amount": "100000",
            # Typed day first, as a browser without a date picker lets an agent do.
            "promise-promised_date": promised.strftime("%d/%m/%Y"),
        },
        follow=True,
    )

    assert PromiseToPay.objects.get().promised_date == promised
    assert f"Promise recorded: ₹1,00,000.00 on loan {indian_loan.loan_id} by {promised:%-d %b %Y}." in _text(response)
    assert "₹1,00,000.00 promised" in _text(agent_client.get("/dashboard/"))


def test_timeline_changes_write_money_and_dates_as_the_pages_do():
    changes = {
        "amount": ["50000.00", "142000.00"],
        "due_date": [None, "2026-12-31"],
        "payment_amount": [None, "oops"],  # not an amount: as it was written
        "days_past_due": [3, 33],
    }
    assert change_lines(changes) == [
        "amount: ₹50,000.00 → ₹1,42,000.00",
        "due_date: 31 Dec 2026",
        "payment_amount: oops",
        "days_past_due: 3 → 33",
    ]
    us_customer = CustomerFactory(phone="+14155550123")
    assert change_lines({"principal": [None, "142000"]}, us_customer) == ["principal: $142,000.00"]


def test_the_dashboards_money_charts_write_rupees_in_lakhs():
    chart = bar_chart(
        [Decimal("100000"), Decimal("0"), Decimal("50000.5")],
        ["12 May", "13 May", "14 May"],
        title="Collected",
        money=True,
    )

    assert chart.total_text == "₹1,50,000.50"
    assert [bar.tooltip for bar in chart.bars] == ["12 May: ₹1,00,000.00", "13 May: ₹0.00", "14 May: ₹50,000.50"]
    assert [bar.text for bar in chart.bars] == ["1.0L", "0", "50.0k"]  # short enough to sit above a bar

    counts = bar_chart([100000, 2], ["a", "b"], title="Calls")
    assert counts.total_text == "100002" and counts.bars[0].tooltip == "a: 100000"


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("01/02/2027", date(2027, 2, 1)),  # the first of February, never the second of January
        ("31/12/2026", date(2026, 12, 31)),
        ("31-12-2026", date(2026, 12, 31)),
        ("31.12.2026", date(2026, 12, 31)),
        ("1/2/27", date(2027, 2, 1)),
        ("31 Dec 2026", date(2026, 12, 31)),
        ("31 December 2026", date(2026, 12, 31)),
        ("2026-12-31", date(2026, 12, 31)),  # what a date picker sends
    ],
)
def test_dates_are_typed_day_first(indian_loan, typed, read):
    form = PromiseForm({"promise-loan": indian_loan.pk, "promise-promised_date": typed}, customer=indian_loan.customer)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["promised_date"] == read


def test_a_month_first_date_is_refused(indian_loan):
    form = PromiseForm(
        {"promise-loan": indian_loan.pk, "promise-promised_date": "12/31/2026"}, customer=indian_loan.customer
    )
    assert form.errors["promised_date"] == ["Enter a valid date."]


def test_a_callback_time_is_typed_day_first_too(indian_loan):
    for typed in ("01/02/2027 11:30", "2027-02-01T11:30"):
        form = CallbackForm({"callback-at": typed}, customer=indian_loan.customer)
        assert form.is_valid(), form.errors
        assert form.cleaned_data["at"] == timezone.make_aware(datetime(2027, 2, 1, 11, 30))
