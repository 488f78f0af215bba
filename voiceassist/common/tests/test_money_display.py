"""``money_display``: how the pages and the admin write an amount."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from customers.tests.factories import CustomerFactory, LoanFactory
from payments.models import PaymentLink
from voiceassist.common.money import money_display


@pytest.mark.parametrize(
    ("amount", "rupees", "dollars"),
    [
        (0, "₹0.00", "$0.00"),
        (999, "₹999.00", "$999.00"),
        (1000, "₹1,000.00", "$1,000.00"),
        (100000, "₹1,00,000.00", "$100,000.00"),
        (Decimal("1234567.5"), "₹12,34,567.50", "$1,234,567.50"),
        (Decimal("125000000"), "₹12,50,00,000.00", "$125,000,000.00"),
        (Decimal("-25105"), "-₹25,105.00", "-$25,105.00"),
        ("42000.00", "₹42,000.00", "$42,000.00"),
        (1500.5, "₹1,500.50", "$1,500.50"),
        (None, "—", "—"),
    ],
)
def test_rupees_in_lakhs_and_crores_dollars_by_thousands(amount, rupees, dollars):
    assert money_display(amount) == rupees
    assert money_display(amount, country="IN") == rupees
    assert money_display(amount, country="US") == dollars
    assert money_display(amount, currency="USD") == dollars


@pytest.mark.django_db
def test_a_customers_currency_follows_their_phones_country():
    assert money_display(Decimal("100000"), customer=CustomerFactory(phone="+919876543210")) == "₹1,00,000.00"
    assert money_display(Decimal("100000"), customer=CustomerFactory(phone="+14155550123")) == "$100,000.00"
    assert money_display(Decimal("100000"), customer=CustomerFactory(phone="+447911123456")) == "₹1,00,000.00"


def test_a_stated_currency_wins_and_one_without_a_symbol_is_named():
    assert money_display(Decimal("100000"), country="US", currency="INR") == "₹1,00,000.00"
    assert money_display(Decimal("100000"), currency="EUR") == "100,000.00 EUR"


@pytest.mark.django_db
def test_the_money_filter_takes_a_customer_a_country_or_a_currency():
    template = Template(
        "{% load money_tags %}{{ amount|money }} {{ amount|money:customer }} {{ amount|money:'US' }} "
        "{{ amount|money:'INR' }} {{ nothing|money }}"
    )
    customer = CustomerFactory(phone="+14155550123")

    written = template.render(Context({"amount": Decimal("250000"), "customer": customer, "nothing": None}))

    assert written == "₹2,50,000.00 $250,000.00 $250,000.00 ₹2,50,000.00 —"


@pytest.mark.django_db
def test_the_payment_links_admin_writes_the_links_amounts_as_money(client, back_office_user):
    loan = LoanFactory()
    link = PaymentLink.objects.create(
        customer=loan.customer,
        loan=loan,
        gateway="simulated",
        gateway_link_id="plink_1",
        short_url="https://pay.example.com/1",
        amount=Decimal("150000.00"),
        amount_paid=Decimal("2500.50"),
    )
    client.force_login(back_office_user)

    listing = client.get("/admin/payments/paymentlink/").content.decode()
    detail = client.get(f"/admin/payments/paymentlink/{link.pk}/change/").content.decode()

    for page in (listing, detail):
        assert "₹1,50,000.00" in page and "₹2,500.50" in page
