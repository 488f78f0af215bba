"""The customer's admin form: alternate phones one per line in any format, states by their one name."""

import pytest

from customers.forms import PhoneListField
from customers.models import Customer
from customers.tests.factories import CustomerFactory
from voiceassist.common.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, back_office_user):
    client.force_login(back_office_user)
    return client


def _form(**values) -> dict:
    return {
        "full_name": "Asha Rao",
        "phone": "098765 43210",
        "alternate_phones": "",
        "email": "",
        "state": "",
        "preferred_language": "en",
        "loans-TOTAL_FORMS": "0",
        "loans-INITIAL_FORMS": "0",
        "suppressions-TOTAL_FORMS": "0",
        "suppressions-INITIAL_FORMS": "0",
        "upload_entries-TOTAL_FORMS": "0",
        "upload_entries-INITIAL_FORMS": "0",
        **values,
    }


def test_alternate_phones_are_typed_one_per_line_in_any_format(admin_client):
    response = admin_client.post(
        "/admin/customers/customer/add/",
        _form(alternate_phones="0091-98123-45678\r\n\r\n+91 98123 45679\n98123 45678\n", state="KA"),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    customer = Customer.objects.get()
    assert customer.alternate_phones == ["+919812345678", "+919812345679"]
    assert customer.state == "Karnataka"


def test_a_bad_alternate_phone_is_named_by_its_line(admin_client):
    response = admin_client.post("/admin/customers/customer/add/", _form(alternate_phones="98123 45678\n12345\nabc"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["alternate_phones"] == [
        "Line 2: “12345” is not a valid phone number: too short.",
        "Line 3: “abc” is not a phone number: it contains letters.",
    ]
    assert not Customer.objects.exists()


def test_the_page_shows_alternate_phones_one_per_line_and_an_edit_is_audited(admin_client, back_office_user):
    customer = CustomerFactory(
        full_name="Asha Rao", phone="+919876543210", alternate_phones=["+919812345678", "+919812345679"]
    )
    url = f"/admin/customers/customer/{customer.pk}/change/"

    page = admin_client.get(url).content.decode()
    assert "+919812345678\n+919812345679</textarea>" in page

    response = admin_client.post(url, _form(phone=customer.phone, alternate_phones="+919812345678", state="Goa"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    customer.refresh_from_db()
    assert customer.alternate_phones == ["+919812345678"]
    changes = AuditEvent.objects.get(action="customer.edited").details["changes"]
    assert changes["alternate_phone"] == [["+919812345678", "+919812345679"], ["+919812345678"]]


def test_the_field_reads_a_list_as_well_as_text():
    field = PhoneListField(required=False)

    assert field.clean(["98123 45678", "+919812345678"]) == ["+919812345678"]
    assert field.clean("") == []
    assert field.prepare_value(["+919812345678", "+919812345679"]) == "+919812345678\n+919812345679"
