"""Search at scale: the same answers as ever, from indexes; and the bench that measures it."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from agents.management.commands import bench_search
from agents.selectors import customer_search
from customers import selectors
from customers.models import Customer, Loan
from customers.selectors import customer_find, customer_list
from customers.tests.factories import CustomerFactory, LoanFactory
from uploads.models import FileUpload

pytestmark = pytest.mark.django_db

NAME_INDEX = "customer_full_name_trgm"
ALTERNATE_PHONES_INDEX = "customer_alternate_phones_gin"
NAME_ORDER_INDEX = "customer_name_order"


@pytest.fixture
def asha():
    customer = CustomerFactory(full_name="Asha Rao", phone="+919876543210", alternate_phones=["+919812345678"])
    LoanFactory(customer=customer, loan_id="LAN-2026-0042")
    return customer


@pytest.fixture
def others():
    return [
        CustomerFactory(full_name="Ravi Kumar", phone="+919811111111"),
        CustomerFactory(full_name="Rashmi Asharani", phone="+919822222222"),
    ]


@pytest.mark.parametrize(
    "query", ["+919876543210", "09876543210", "98765 43210", "0091-98765-43210", "9876543210.0", " 98765  43210 "]
)
def test_a_phone_in_any_format_finds_its_customer(asha, others, query):
    assert list(customer_find(query=query)) == [asha]


def test_a_loan_id_finds_its_customer(asha, others):
    assert list(customer_find(query="LAN-2026-0042")) == [asha]


def test_a_loan_id_is_matched_exactly_not_as_a_fragment(asha, others):
    assert list(customer_find(query="LAN-2026-004")) == []


@pytest.mark.parametrize("query", ["asha", "ASHA", "aShA"])
def test_a_name_fragment_ignores_case(asha, others, query):
    assert set(customer_find(query=query)) == {asha, others[1]}


def test_a_fragment_across_first_name_and_surname(asha, others):
    assert list(customer_find(query="sha ra")) == [asha]


@pytest.mark.parametrize("query", ["+919812345678", "098123 45678", "0091-98123-45678"])
def test_an_alternate_phone_in_any_format_finds_its_customer(asha, others, query):
    assert list(customer_find(query=query)) == [asha]


def test_a_primary_phone_hit_comes_before_anyone_holding_it_as_an_alternate(asha, others):
    ravi = others[0]
    ravi.alternate_phones = ["+919876543210"]
    ravi.save()
    assert list(customer_find(query="09876543210")) == [asha]
    assert list(customer_find(query="+919811111111")) == [ravi]


def test_a_phone_and_a_loan_id_naming_different_customers_find_both(asha, others):
    """A loan id that is also somebody's phone (a lender numbering loans by mobile) finds both."""
    LoanFactory(customer=others[0], loan_id="+919876543210")
    assert set(customer_find(query="+919876543210")) == {asha, others[0]}


def test_a_name_fragment_is_cut_at_name_matches_before_it_is_sorted(monkeypatch, others):
    for n in range(5):
        CustomerFactory(full_name=f"Kumar {n}")
    monkeypatch.setattr(selectors, "NAME_MATCHES", 3)
    found = list(customer_list(query="kumar"))
    assert len(found) == 3
    assert [c.full_name for c in found] == sorted(c.full_name for c in found)


def test_the_list_is_sorted_by_name_with_loans_and_do_not_call(asha, others):
    found = list(customer_list(query="asha"))
    assert [c.full_name for c in found] == ["Asha Rao", "Rashmi Asharani"]
    assert [loan.loan_id for loan in found[0].loans.all()] == ["LAN-2026-0042"]
    assert found[0].do_not_call is False


def test_the_agents_search_answers_as_before(asha, others):
    assert customer_search(query="9876543210") == [asha]
    assert customer_search(query="asha") == [asha, others[1]]
    assert customer_search(query="nobody") == []


# --- PostgreSQL: the indexes exist and the searches use them ------------------------------------


def _plan(queryset) -> str:
    """The plan PostgreSQL would choose were the table large (a test table is small enough to scan)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            return queryset.explain()
        finally:
            cursor.execute("SET LOCAL enable_seqscan = on")


@pytest.mark.postgres
def test_the_search_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [Customer._meta.db_table])
        indexes = dict(cursor.fetchall())
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone()
    assert "gin_trgm_ops" in indexes[NAME_INDEX]
    assert "upper" in indexes[NAME_INDEX].lower()
    assert "jsonb_path_ops" in indexes[ALTERNATE_PHONES_INDEX]
    assert "(full_name, id)" in indexes[NAME_ORDER_INDEX]


@pytest.mark.postgres
def test_a_name_fragment_and_an_alternate_phone_are_read_through_their_indexes(asha, others):
    assert NAME_INDEX in _plan(Customer.objects.filter(full_name__icontains="asha"))
    assert ALTERNATE_PHONES_INDEX in _plan(Customer.objects.filter(alternate_phones__contains=["+919812345678"]))
    assert list(customer_find(query="098123 45678")) == [asha]


@pytest.mark.postgres
def test_a_phone_and_a_loan_id_are_read_through_their_unique_indexes(asha):
    assert "customer_unique_phone" in _plan(Customer.objects.filter(phone="+919876543210"))
    assert "loan_id" in _plan(Loan.objects.filter(loan_id="LAN-2026-0042").values("customer_id"))


# --- The bench ----------------------------------------------------------------------------------


def test_bench_search_reports_and_removes_what_it_created(asha):
    out = StringIO()
    call_command("bench_search", customers=40, searches=5, pages=3, stdout=out)

    last = out.getvalue().strip().splitlines()[-1]
    assert re.fullmatch(
        r"customers=40 phone_p95_ms=[\d.]+ loan_p95_ms=[\d.]+ name_p95_ms=[\d.]+ page_p95_ms=[\d.]+", last
    )
    assert list(Customer.objects.all()) == [asha]
    assert list(Loan.objects.values_list("loan_id", flat=True)) == ["LAN-2026-0042"]
    assert not FileUpload.objects.filter(original_name=bench_search.UPLOAD_NAME).exists()
    assert not get_user_model().objects.filter(username=bench_search.AGENT_USERNAME).exists()
