"""The one merge: a file's row, a single write and the admin give a customer and its loan the same values and
report the same changes, under the file's column names."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from customers.merge import CUSTOMER_ATTRIBUTES, LOAN_ATTRIBUTES, customer_given, customer_merge
from customers.models import Customer, Loan, LoanStatus, PhoneType
from customers.national_ids import national_id_fingerprint
from customers.phones import phone_kind
from customers.resources import CustomerFileResource
from customers.services import customer_upsert, loan_upsert
from customers.tests.factories import CustomerFactory, LoanFactory
from uploads.tests.factories import upload_rows
from voiceassist.common.models import AuditEvent

pytestmark = pytest.mark.django_db

HEADER = ["Name", "Mobile", "Loan ID", "Outstanding", "Due Date", "DPD", "State", "Email", "Alternate Phone"]
ROW = ["Asha  Rao", "98765 43210", "LN-1", "50,000", "31/12/2026", "5", "Goa", "asha@example.com", "98450 12345"]


def _snapshot(customer: Customer, loan: Loan) -> dict:
    fields = [*CUSTOMER_ATTRIBUTES.values(), "national_id_fingerprint", "phone_type", "phone_country"]
    return {
        "customer": {name: getattr(customer, name) for name in fields},
        "loan": {name: getattr(loan, name) for name in [*LOAN_ATTRIBUTES.values(), "status"]},
    }


def test_the_column_map_is_the_resources_declaration():
    fields = CustomerFileResource().fields
    assert {column: fields[column].attribute for column in LOAN_ATTRIBUTES} == LOAN_ATTRIBUTES
    assert {c: a for c, a in CUSTOMER_ATTRIBUTES.items() if c != "national_id"} == {
        column: fields[column].attribute for column in CUSTOMER_ATTRIBUTES if column != "national_id"
    }
    # The national id is kept as its last four characters (and a fingerprint no change ever holds).
    assert CUSTOMER_ATTRIBUTES["national_id"] == "national_id_last4"


def test_a_file_row_and_a_single_write_give_the_same_customer_and_loan():
    upload_rows([HEADER, ROW])
    by_file = _snapshot(Customer.objects.get(), Loan.objects.get())
    Loan.objects.all().delete()
    Customer.objects.all().delete()

    customer = customer_upsert(
        phone="+919876543210",
        full_name="Asha  Rao",
        state="Goa",
        email="asha@example.com",
        alternate_phones=["98450 12345"],
    ).instance
    loan = loan_upsert(
        customer=customer,
        loan_id="LN-1",
        outstanding_amount=Decimal("50000"),
        due_date=date(2026, 12, 31),
        days_past_due=5,
    ).instance
    customer.refresh_from_db()
    loan.refresh_from_db()
    assert _snapshot(customer, loan) == by_file
    assert customer.full_name == "Asha Rao"  # repeated spaces go, however the name arrives


def test_a_file_row_and_a_single_write_report_the_same_changes():
    upload_rows([HEADER, ROW])
    upload = upload_rows([HEADER, ["Asha Rao", "9876543210", "LN-1", "42,000", "31/12/2026", "5", "Kerala", "", ""]])
    by_file = upload.entries.get().changes

    customer = Customer.objects.get()
    Customer.objects.filter(pk=customer.pk).update(state="Goa")
    Loan.objects.filter(loan_id="LN-1").update(outstanding_amount=Decimal("50000"))
    single = customer_upsert(phone="+919876543210", full_name="Asha Rao", state="Kerala").changes
    single |= loan_upsert(customer=customer, loan_id="LN-1", outstanding_amount=Decimal("42000")).changes

    assert by_file == single == {"state": ["Goa", "Kerala"], "amount": ["50000.00", "42000.00"]}


def test_the_same_national_id_is_no_change_and_another_with_the_same_last_four_is_one():
    known = national_id_fingerprint("234567890124")
    current = {"name": "Asha Rao", "national_id": known.last4}
    same = customer_given({"national_id": "2345 6789 0124"}, phone="+919876543210")
    other = customer_given({"national_id": "987654320124"}, phone="+919876543210")

    assert customer_merge(current, same, stored_fingerprint=known.fingerprint)[1] == {}
    assert customer_merge(current, other, stored_fingerprint=known.fingerprint)[1] == {
        "national_id": [known.last4, known.last4]
    }


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("+919876543210", ("mobile", "IN")),
        ("+912240001234", ("landline", "IN")),
        ("+14155550123", ("mobile_or_landline", "US")),
        ("+61212345678", ("landline", "AU")),
        ("+911800123456", ("other", "IN")),
    ],
)
def test_a_number_says_its_type_and_country(phone, expected):
    assert tuple(phone_kind(phone)) == expected


def test_a_landline_and_a_foreign_number_are_marked_on_the_customer_and_reported_on_the_upload():
    upload = upload_rows(
        [
            ["Name", "Phone"],
            ["Asha Rao", "9876543210"],
            ["Ravi Kumar", "022 4000 1234"],
            ["Meera Shah", "+61 2 1234 5678"],
            ["John Doe", "+1 415 555 0123"],
        ]
    )
    kinds = dict(Customer.objects.values_list("full_name", "phone_type"))
    assert kinds == {
        "Asha Rao": PhoneType.MOBILE,
        "Ravi Kumar": PhoneType.LANDLINE,
        "Meera Shah": PhoneType.LANDLINE,
        "John Doe": PhoneType.MOBILE_OR_LANDLINE,
    }
    assert Customer.objects.get(full_name="Meera Shah").phone_country == "AU"
    numbers = upload.report["numbers"]
    assert numbers["counts"] == {"landline": 2, "mobile_or_landline": 1, "outside_countries": 1}
    assert numbers["rows"] == {"landline": [3, 4], "outside_countries": [4], "mobile_or_landline": [5]}


def test_a_changed_phone_changes_what_the_customer_is_marked():
    customer = CustomerFactory(phone="+919876543210")
    assert (customer.phone_type, customer.phone_country) == (PhoneType.MOBILE, "IN")
    customer.phone = "+912240001234"
    customer.save(update_fields=["phone"])
    customer.refresh_from_db()
    assert customer.phone_type == PhoneType.LANDLINE


def test_an_admin_edit_goes_through_the_merge_and_is_audited(client, back_office_user):
    customer = CustomerFactory(full_name="Asha Rao", phone="+919876543210", state="Goa")
    client.force_login(back_office_user)
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    data = {
        "full_name": "Asha   Rao",
        "phone": "022 4000 1234",
        "alternate_phones": "",
        "email": "",
        "state": " Kerala ",
        "preferred_language": "en",
        "loans-TOTAL_FORMS": "0",
        "loans-INITIAL_FORMS": "0",
        "suppressions-TOTAL_FORMS": "0",
        "suppressions-INITIAL_FORMS": "0",
        "upload_entries-TOTAL_FORMS": "0",
        "upload_entries-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    customer.refresh_from_db()
    assert (customer.full_name, customer.state, customer.phone_type) == ("Asha Rao", "Kerala", PhoneType.LANDLINE)
    audit = AuditEvent.objects.get(action="customer.edited")
    assert audit.details["changes"] == {"phone": ["+919876543210", "+912240001234"], "state": ["Goa", "Kerala"]}


def test_an_admin_loan_edit_to_nothing_outstanding_settles_it(client, back_office_user):
    loan = LoanFactory(outstanding_amount=Decimal("5000"), status=LoanStatus.ACTIVE)
    client.force_login(back_office_user)
    url = reverse("admin:customers_loan_change", args=[loan.pk])
    response = client.post(
        url,
        {
            "customer": loan.customer_id,
            "loan_id": loan.loan_id,
            "principal_amount": "",
            "outstanding_amount": "0",
            "amount_due": "",
            "due_date": "",
            "days_past_due": "",
            "status": LoanStatus.ACTIVE,
        },
    )
    assert response.status_code == 302, response.content[:2000]
    loan.refresh_from_db()
    assert loan.status == LoanStatus.SETTLED
    audit = AuditEvent.objects.get(action="loan.edited")
    assert audit.details["changes"]["amount"] == ["5000.00", "0.00"]
    assert audit.details["changes"]["status"] == [LoanStatus.ACTIVE, LoanStatus.SETTLED]


def test_the_upload_page_and_the_api_say_which_phones_to_check(client, back_office_user):
    upload = upload_rows([["Name", "Phone"], ["Asha Rao", "9876543210"], ["Ravi Kumar", "022 4000 1234"]])
    client.force_login(back_office_user)

    page = client.get(f"/uploads/{upload.pk}/").content.decode()
    assert "1 landline (row 3)" in page
    admin_page = client.get(reverse("admin:uploads_fileupload_change", args=[upload.pk]), follow=True).content.decode()
    assert "1 landline (row 3)" in admin_page
    answer = client.get(f"/api/v1/uploads/{upload.pk}/").json()
    assert answer["numbers"]["counts"] == {"landline": 1}
