import pytest

from customers.models import Customer, Suppression
from customers.tests.factories import CustomerFactory, LoanFactory
from voiceassist.common.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, back_office_user):
    client.force_login(back_office_user)
    return client


@pytest.mark.parametrize("query", ["98765 43210", "0091-98765-43210", "LN-777", "asha"])
def test_admin_finds_a_customer_by_phone_in_any_format_loan_id_or_name(admin_client, query):
    asha = CustomerFactory(full_name="Asha Rao", phone="+919876543210")
    LoanFactory(customer=asha, loan_id="LN-777")
    CustomerFactory(full_name="Ravi Kumar")

    response = admin_client.get("/admin/customers/customer/", {"q": query})

    assert list(response.context["cl"].result_list) == [asha]


def test_admin_customer_page_shows_loans_inline(admin_client):
    loan = LoanFactory(loan_id="LN-555")

    response = admin_client.get(f"/admin/customers/customer/{loan.customer.pk}/change/")

    assert response.status_code == 200
    assert b"LN-555" in response.content


def test_admin_adding_a_customer_normalises_the_phone_and_reports_bad_ones(admin_client):
    form = {
        "full_name": "Asha Rao",
        "phone": "098765 43210",
        "alternate_phones": "",
        "preferred_language": "en",
        "loans-TOTAL_FORMS": "0",
        "loans-INITIAL_FORMS": "0",
    }
    admin_client.post("/admin/customers/customer/add/", form)
    assert Customer.objects.get().phone == "+919876543210"

    response = admin_client.post("/admin/customers/customer/add/", {**form, "phone": "12345"})
    assert "is not a valid phone number" in response.context["adminform"].form.errors["phone"][0]


def test_admin_do_not_call_action_asks_for_a_reason_then_marks_and_audits(admin_client, back_office_user):
    customer = CustomerFactory()
    payload = {"action": "mark_do_not_call", "_selected_action": [customer.pk]}

    response = admin_client.post("/admin/customers/customer/", payload)
    assert response.status_code == 200
    assert b"Say why" in response.content
    assert not Suppression.objects.exists()

    admin_client.post("/admin/customers/customer/", {**payload, "apply": "1", "reason": "Customer asked"})
    customer = Customer.objects.with_do_not_call().get(pk=customer.pk)
    assert customer.do_not_call and customer.do_not_call_reason == "Customer asked"
    assert Suppression.objects.get().source == "admin"
    assert AuditEvent.objects.get().actor == back_office_user


def test_admin_sets_a_suppression_through_the_service_and_clears_it_with_a_reason(admin_client, back_office_user):
    loan = LoanFactory()
    admin_client.post(
        "/admin/customers/suppression/add/",
        {"customer": loan.customer.pk, "kind": "dispute", "loan": loan.pk, "reason": "Letter from the borrower"},
    )
    suppression = Suppression.objects.get()
    assert (suppression.kind, suppression.loan, suppression.created_by) == ("dispute", loan, back_office_user)
    payload = {"action": "clear", "_selected_action": [suppression.pk]}

    response = admin_client.post("/admin/customers/suppression/", payload)
    assert b"Say why" in response.content
    admin_client.post(
        "/admin/customers/suppression/", {**payload, "apply": "1", "reason": "Resolved: amount confirmed"}
    )

    suppression.refresh_from_db()
    assert suppression.clear_reason == "Resolved: amount confirmed" and suppression.cleared_by == back_office_user
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "suppression.set",
        "suppression.cleared",
    ]
    assert admin_client.get(f"/admin/customers/customer/{loan.customer.pk}/change/").status_code == 200


def test_admin_lists_filter_by_state_and_do_not_call(admin_client):
    CustomerFactory(state="Goa", do_not_call=True)
    CustomerFactory(state="Kerala")

    response = admin_client.get("/admin/customers/customer/", {"state": "Goa", "do_not_call": "1"})

    assert [c.state for c in response.context["cl"].result_list] == ["Goa"]
