"""Promises in the back office: amounts written as the pages write them (rupees the Indian way, dollars for US
customers), and a promise added there goes through the promise service."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from calls.models import PromiseToPay
from calls.tests.factories import PromiseFactory
from customers.tests.factories import CustomerFactory, LoanFactory
from voiceassist.common.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, back_office_user):
    client.force_login(back_office_user)
    return client


@pytest.fixture
def indian_loan():
    return LoanFactory(
        customer=CustomerFactory(phone="+919876543210"),
        principal_amount=Decimal("1500000.00"),
        outstanding_amount=Decimal("1250000.00"),
    )


def test_the_promises_list_writes_rupees_in_lakhs_and_dollars_for_us_customers(admin_client, indian_loan):
    PromiseFactory(loan=indian_loan, amount=Decimal("100000"), paid_amount=Decimal("2500.5"))
    us_loan = LoanFactory(customer=CustomerFactory(phone="+14155550123", state="CA"))
    PromiseFactory(loan=us_loan, amount=Decimal("100000"))

    page = admin_client.get("/admin/calls/promisetopay/").content.decode()

    assert '<td class="field-promised">₹1,00,000.00</td>' in page
    assert '<td class="field-paid">₹2,500.50</td>' in page
    assert '<td class="field-promised">$100,000.00</td>' in page
    assert '<td class="field-paid">$0.00</td>' in page


def test_the_promises_list_still_sorts_by_amount(admin_client, indian_loan):
    PromiseFactory(loan=indian_loan, amount=Decimal("5000"))
    PromiseFactory(loan=LoanFactory(customer=indian_loan.customer), amount=Decimal("300"))

    # The third column is the amount: sorting by it sorts by the number, not by the text.
    page = admin_client.get("/admin/calls/promisetopay/?o=3").content.decode()

    assert page.index("₹300.00") < page.index("₹5,000.00")


def test_a_promise_page_writes_its_amounts_in_the_customers_currency(admin_client, indian_loan):
    promise = PromiseFactory(loan=indian_loan, amount=Decimal("100000"))
    no_outstanding = PromiseFactory(
        loan=LoanFactory(customer=CustomerFactory(phone="+14155550123", state="CA")),
        amount=Decimal("1234.5"),
        outstanding_at_promise=None,
    )

    page = admin_client.get(f"/admin/calls/promisetopay/{promise.pk}/change/").content.decode()
    us_page = admin_client.get(f"/admin/calls/promisetopay/{no_outstanding.pk}/change/").content.decode()

    assert '<div class="readonly">₹1,00,000.00</div>' in page
    assert '<div class="readonly">₹12,50,000.00</div>' in page  # outstanding when the promise was made
    assert '<div class="readonly">₹0.00</div>' in page  # paid so far
    assert "Outstanding at promise" in page and "Paid amount" in page
    assert '<div class="readonly">$1,234.50</div>' in us_page
    assert '<div class="readonly">—</div>' in us_page


def test_a_promise_added_in_the_admin_goes_through_the_service(admin_client, indian_loan, back_office_user):
    promised = timezone.localdate() + timedelta(days=3)

    response = admin_client.post(
        "/admin/calls/promisetopay/add/",
        {"loan": indian_loan.pk, "amount": "100000", "promised_date": promised.isoformat(), "grace_days": ""},
        follow=True,
    )

    assert response.status_code == 200
    promise = PromiseToPay.objects.get()
    assert (promise.amount, promise.promised_date, promise.created_by) == (
        Decimal("100000"),
        promised,
        back_office_user,
    )
    assert AuditEvent.objects.filter(
        action="promise.recorded", actor=back_office_user, target_id=str(promise.pk)
    ).exists()
    assert '<td class="field-promised">₹1,00,000.00</td>' in response.content.decode()
