"""The admin writes money the Indian way (dollars for US customers) and dates day first, and reads typed dates
day first: 06/12/2026 is the sixth of December."""

from datetime import date
from decimal import Decimal

import pytest
from django import forms

from customers.models import Customer
from customers.tests.factories import CustomerFactory, LoanFactory
from uploads.tests.factories import upload_rows

pytestmark = pytest.mark.django_db


def _page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_the_loans_list_shows_amounts_in_lakhs_and_dates_day_first(admin_client):
    LoanFactory(loan_id="LN-IN", outstanding_amount=Decimal("100000.00"), due_date=date(2026, 12, 6))
    us_customer = CustomerFactory(phone="+14155550101")
    LoanFactory(loan_id="LN-US", outstanding_amount=Decimal("100000.00"), customer=us_customer)

    page = _page(admin_client.get("/admin/customers/loan/"))

    assert "₹1,00,000.00" in page and "$100,000.00" in page
    assert "6 Dec 2026" in page and "Dec. 6, 2026" not in page


def test_a_date_typed_day_first_is_read_day_first():
    assert forms.DateField().clean("06/12/2026") == date(2026, 12, 6)
    assert forms.DateField().clean("31-12-2026") == date(2026, 12, 31)
    with pytest.raises(forms.ValidationError):
        forms.DateField().clean("12/31/2026")  # month first is not a date here


def test_the_customer_admin_shows_the_upload_timeline_in_the_customers_currency(admin_client):
    upload_rows([["Name", "Phone", "Loan ID", "Amount"], ["Asha Rao", "9876543210", "LN-1", "50000"]])
    upload_rows([["Name", "Phone", "Loan ID", "Amount"], ["Asha Rao", "9876543210", "LN-1", "142000"]])
    customer = Customer.objects.get()

    page = _page(admin_client.get(f"/admin/customers/customer/{customer.pk}/change/"))

    assert "Upload timeline (newest first)" in page
    assert "amount: ₹50,000.00 → ₹1,42,000.00" in page


def test_the_figures_write_amounts_in_lakhs(admin_client):
    page = _page(admin_client.get("/admin/calls/campaign/figures/"))

    assert "₹0.00" in page and "₹<" not in page
