import pytest

from customers.selectors import customer_find
from customers.tests.factories import CustomerFactory, LoanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def asha():
    customer = CustomerFactory(full_name="Asha Rao", phone="+919876543210", alternate_phones=["+919812345678"])
    LoanFactory(customer=customer, loan_id="LAN-2026-0042")
    return customer


@pytest.fixture
def others():
    return [CustomerFactory(full_name="Ravi Kumar"), CustomerFactory(full_name="Rashmi Asharani")]


@pytest.mark.parametrize("query", ["+919876543210", "09876543210", "98765 43210", "0091-98765-43210", "9876543210.0"])
def test_find_by_phone_in_any_format(asha, others, query):
    assert list(customer_find(query=query)) == [asha]


def test_find_by_loan_id(asha, others):
    assert list(customer_find(query="LAN-2026-0042")) == [asha]


def test_find_by_alternate_phone(asha, others):
    assert list(customer_find(query="098123 45678")) == [asha]


def test_find_by_name_fragment_ignores_case(asha, others):
    assert set(customer_find(query="asha")) == {asha, others[1]}
    assert list(customer_find(query="RAO")) == [asha]


def test_an_empty_query_finds_nobody(asha):
    assert list(customer_find(query="  ")) == []


def test_a_query_matching_nothing_finds_nobody(asha):
    assert list(customer_find(query="LAN-0000")) == []
