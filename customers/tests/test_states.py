"""One name per state, on every write of a customer, and for the customers written before."""

from importlib import import_module

import pytest
from django.apps import apps

from customers.merge import customer_given
from customers.models import Customer
from customers.services import customer_edit, customer_upsert
from customers.states import INDIAN_STATES, US_STATES, state_meanings, state_normalize
from customers.tests.factories import CustomerFactory
from uploads.tests.factories import upload_rows


@pytest.mark.parametrize(
    "written, country, name",
    [
        ("KA", "IN", "Karnataka"),
        ("ka", "IN", "Karnataka"),
        (" karnataka ", "IN", "Karnataka"),
        ("Karnātaka", "IN", "Karnataka"),
        ("K.A.", "IN", "Karnataka"),
        ("Tamilnadu", "IN", "Tamil Nadu"),
        ("TAMIL  NADU", "IN", "Tamil Nadu"),
        ("J&K", "IN", "Jammu and Kashmir"),
        ("Jammu & Kashmir", "IN", "Jammu and Kashmir"),
        ("Orissa", "IN", "Odisha"),
        ("OR", "IN", "Odisha"),
        ("Pondicherry", "IN", "Puducherry"),
        ("TG", "IN", "Telangana"),
        ("New Delhi", "IN", "Delhi"),
        ("Daman and Diu", "IN", "Dadra and Nagar Haveli and Daman and Diu"),
        ("Pune, MH", "IN", "Maharashtra"),
        # A code is read in the country of the customer's phone; a name in any.
        ("GA", "IN", "Goa"),
        ("GA", "US", "Georgia"),
        ("OR", "US", "Oregon"),
        ("Massachusetts", "IN", "Massachusetts"),
        ("Boston, MA", "US", "Massachusetts"),
        ("Washington D.C.", "US", "District of Columbia"),
        ("Virgin Islands", "VI", "U.S. Virgin Islands"),
        ("PR", "PR", "Puerto Rico"),
        # Not a state it knows: kept as written, spaces tidied.
        ("KA", "GB", "KA"),
        ("Greater  London", "GB", "Greater London"),
        ("", "IN", ""),
    ],
)
def test_a_state_is_stored_by_its_one_name(written, country, name):
    assert state_normalize(written, country=country) == name


def test_every_code_and_name_of_the_tables_comes_back_to_its_name():
    for country, table in (("IN", INDIAN_STATES), ("US", US_STATES)):
        for code, (name, spellings) in table.items():
            for written in (code, code.lower(), name, name.upper(), *spellings):
                assert state_normalize(written, country=country) == name, (country, written)


def test_a_campaign_reads_a_code_in_each_country_it_calls():
    assert state_meanings("GA", countries=["IN", "US"]) == ["Goa", "Georgia"]
    assert state_meanings("KA", countries=["IN", "US"]) == ["Karnataka"]
    assert state_meanings("Goa", countries=["US"]) == ["Goa"]
    assert state_meanings("Narnia ", countries=["IN"]) == ["Narnia"]


def test_the_merge_core_gives_the_one_name_read_in_the_phones_country():
    assert customer_given({"state": "ga"}, phone="+919876543210").values["state"] == "Goa"
    assert customer_given({"state": "ga"}, phone="+14155550123").values["state"] == "Georgia"


@pytest.mark.django_db
def test_every_write_path_stores_the_one_name(back_office_user):
    single = customer_upsert(phone="9876543210", full_name="Asha Rao", state="KA").instance
    by_file = upload_rows(
        [["name", "phone", "loan_id", "amount", "state"], ["Ravi Kumar", "98765 43211", "LN-1", "1000", "karnataka"]]
    )
    edited = CustomerFactory(phone="+919876543212", state="Goa")
    customer_edit(customer=edited, phone=edited.phone, values={"state": "K.A."}, actor=back_office_user)

    assert by_file.created_count == 1
    assert list(Customer.objects.order_by("phone").values_list("state", flat=True)) == ["Karnataka"] * 3
    assert single.state == "Karnataka"


@pytest.mark.django_db
def test_the_same_state_written_another_way_is_no_change():
    customer_upsert(phone="9876543210", full_name="Asha Rao", state="Karnataka")

    again = customer_upsert(phone="9876543210", full_name="Asha Rao", state="KA")

    assert again.changes == {}


@pytest.mark.django_db
def test_the_migration_gives_existing_customers_their_states_one_name():
    migration = import_module("customers.migrations.0009_states_one_name")
    indian = CustomerFactory(phone="+919876543210", state="GA")
    american = CustomerFactory(phone="+14155550123", state="GA")
    spelled = CustomerFactory(phone="+919876543211", state="tamilnadu")
    unknown = CustomerFactory(phone="+919876543212", state="Narnia")
    empty = CustomerFactory(phone="+919876543213", state="")

    migration.states_normalize(apps, None)

    states = dict(Customer.objects.values_list("pk", "state"))
    assert [states[c.pk] for c in (indian, american, spelled, unknown, empty)] == [
        "Goa",
        "Georgia",
        "Tamil Nadu",
        "Narnia",
        "",
    ]


def test_the_api_finds_a_state_by_its_code_or_its_name(back_office_user):
    from rest_framework.test import APIClient

    from customers.tests.factories import CustomerFactory

    CustomerFactory(full_name="Asha Rao", state="Karnataka")
    CustomerFactory(full_name="Ravi Kumar", state="Goa")
    api = APIClient()
    api.force_authenticate(back_office_user)
    for value in ("KA", "karnataka", "Karnātaka"):
        names = [c["full_name"] for c in api.get("/api/v1/customers/", {"state": value}).json()["results"]]
        assert names == ["Asha Rao"], value
