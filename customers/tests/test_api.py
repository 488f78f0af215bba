"""The customers and loans API: search, filters, details, do-not-call, payments, the one error shape."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from customers.models import Customer, LoanStatus, Payment
from customers.services import customer_upsert
from customers.tests.factories import CustomerFactory, LoanFactory
from uploads.tests.factories import upload_rows
from voiceassist.common.models import AuditEvent
from voiceassist.common.tests.factories import api_token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(back_office_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(back_office_user)}")
    return client


@pytest.fixture
def agent_api(agent_user):
    client = APIClient()
    client.force_login(agent_user)
    return client


@pytest.fixture
def asha():
    """A customer with a national id (so a fingerprint is stored) and two loans."""
    customer = customer_upsert(
        phone="+919876543210", full_name="Asha Rao", state="Goa", national_id="ABCDE1234F"
    ).instance
    LoanFactory(customer=customer, loan_id="LN-ASHA-1", due_date=date(2026, 1, 10))
    LoanFactory(customer=customer, loan_id="LN-ASHA-2", due_date=date(2026, 3, 10), status=LoanStatus.PAID)
    return customer


def assert_error(response, status_code: int, code: str) -> dict:
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- Customers ---------------------------------------------------------------------------------


def test_customer_list_is_paginated(api):
    CustomerFactory.create_batch(3)

    first = api.get("/api/v1/customers/", {"page_size": 2}).json()
    second = api.get("/api/v1/customers/", {"page_size": 2, "page": 2}).json()

    assert first["count"] == 3
    assert len(first["results"]) == 2
    assert first["next"] and first["previous"] is None
    assert len(second["results"]) == 1 and second["next"] is None


def test_a_page_past_the_end_is_a_404_in_the_one_shape(api):
    assert_error(api.get("/api/v1/customers/", {"page": 9}), 404, "not_found")


@pytest.mark.parametrize(
    "query",
    ["+919876543210", "9876543210", "098765 43210", "0091-98765-43210", "+91 (0) 98765 43210", "9.876543210E+09"],
)
def test_search_finds_a_customer_by_phone_in_any_format(api, asha, query):
    CustomerFactory(full_name="Someone Else")

    assert ids(api.get("/api/v1/customers/", {"q": query})) == [asha.pk]


def test_search_by_loan_id_and_by_name_fragment(api, asha):
    CustomerFactory(full_name="Ravi Kumar")

    assert ids(api.get("/api/v1/customers/", {"q": "LN-ASHA-2"})) == [asha.pk]
    assert ids(api.get("/api/v1/customers/", {"q": "asha"})) == [asha.pk]
    assert ids(api.get("/api/v1/customers/", {"q": "nobody at all"})) == []


def test_customer_filters_state_and_do_not_call(api, asha):
    other = CustomerFactory(state="Kerala", do_not_call="asked")

    assert ids(api.get("/api/v1/customers/", {"state": "goa"})) == [asha.pk]
    assert ids(api.get("/api/v1/customers/", {"do_not_call": "true"})) == [other.pk]
    assert ids(api.get("/api/v1/customers/", {"do_not_call": "false", "state": "Kerala"})) == []


def test_customer_detail_has_loans_and_only_the_last_four_of_the_national_id(api, asha):
    response = api.get(f"/api/v1/customers/{asha.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["phone"] == "+919876543210"
    assert body["national_id_last4"] == "234F"
    assert "national_id_fingerprint" not in body
    assert asha.national_id_fingerprint not in response.content.decode()
    assert sorted(loan["loan_id"] for loan in body["loans"]) == ["LN-ASHA-1", "LN-ASHA-2"]
    assert body["entries_url"].endswith(f"/api/v1/customers/{asha.pk}/entries/")


def test_a_missing_customer_is_a_404_in_the_one_shape(api):
    assert_error(api.get("/api/v1/customers/999999/"), 404, "not_found")


def test_the_national_id_fingerprint_never_appears_in_any_customer_or_loan_response(api, asha):
    fingerprint = asha.national_id_fingerprint
    assert len(fingerprint) == 64
    loan = asha.loans.first()
    urls = [
        "/api/v1/customers/",
        "/api/v1/customers/?q=asha",
        f"/api/v1/customers/{asha.pk}/",
        "/api/v1/loans/",
        f"/api/v1/loans/{loan.pk}/",
    ]
    for url in urls:
        response = api.get(url)
        assert response.status_code == 200, url
        assert fingerprint not in response.content.decode(), url
        assert "fingerprint" not in response.content.decode(), url
    response = api.post(f"/api/v1/customers/{asha.pk}/do-not-call/", {"reason": "Asked"}, format="json")
    assert fingerprint not in response.content.decode()


def test_mark_do_not_call(api, asha, back_office_user):
    response = api.post(f"/api/v1/customers/{asha.pk}/do-not-call/", {"reason": " Asked   us to stop "}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["do_not_call"] is True
    assert response.json()["do_not_call_reason"] == "Asked us to stop"
    assert response.json()["do_not_call_at"] is not None
    assert [s["kind"] for s in response.json()["suppressions"]] == ["do_not_call"]
    event = AuditEvent.objects.get(action="suppression.set")
    assert event.actor == back_office_user
    assert event.details["source"] == "api"


def test_suppressions_are_set_and_listed_over_the_api(api, asha, agent_api):
    loan = asha.loans.first()
    response = api.post(
        f"/api/v1/customers/{asha.pk}/suppressions/",
        {"kind": "dispute", "loan": loan.pk, "reason": "Amount disputed by letter"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["loan_id"], response.json()["active"]) == (loan.loan_id, True)
    assert agent_api.get(f"/api/v1/customers/{asha.pk}/suppressions/").json()[0]["kind"] == "dispute"
    other_loan = LoanFactory()
    error = assert_error(
        api.post(
            f"/api/v1/customers/{asha.pk}/suppressions/",
            {"kind": "dispute", "loan": other_loan.pk, "reason": "x"},
            format="json",
        ),
        400,
        "invalid",
    )
    assert "loan" in error["details"]
    refused = agent_api.post(
        f"/api/v1/customers/{asha.pk}/suppressions/", {"kind": "deceased", "reason": "Said so"}, format="json"
    )
    assert_error(refused, 400, "back_office_only")


def test_do_not_call_needs_a_reason(api, asha):
    error = assert_error(api.post(f"/api/v1/customers/{asha.pk}/do-not-call/", {}, format="json"), 400, "invalid")
    assert "reason" in error["details"]
    error = assert_error(
        api.post(f"/api/v1/customers/{asha.pk}/do-not-call/", {"reason": "   "}, format="json"), 400, "invalid"
    )
    assert "reason" in error["details"]
    assert not asha.suppressions.exists()


def test_do_not_call_on_a_missing_customer_is_a_404(api):
    assert_error(api.post("/api/v1/customers/999999/do-not-call/", {"reason": "x"}, format="json"), 404, "not_found")


def test_a_malformed_json_body_is_a_400_in_the_one_shape(api, asha):
    response = api.post(f"/api/v1/customers/{asha.pk}/do-not-call/", data="{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_agents_may_read_customers_and_mark_do_not_call(agent_api, asha):
    assert agent_api.get("/api/v1/customers/").status_code == 200
    assert agent_api.get(f"/api/v1/customers/{asha.pk}/").status_code == 200
    response = agent_api.post(f"/api/v1/customers/{asha.pk}/do-not-call/", {"reason": "Asked"}, format="json")
    assert response.status_code == 200


def test_anonymous_requests_get_401_with_a_challenge(asha):
    response = APIClient().get("/api/v1/customers/")

    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"
    assert_error(
        APIClient().post(f"/api/v1/customers/{asha.pk}/do-not-call/", {"reason": "x"}), 401, "not_authenticated"
    )


def test_a_bad_token_gets_401(asha):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert_error(client.get("/api/v1/customers/"), 401, "authentication_failed")


def test_the_customer_timeline_endpoint_still_answers(api):
    upload_rows([["Customer Name", "Mobile No.", "LAN", "Outstanding"], ["Asha Rao", "98765 43210", "LN-1", "500"]])
    customer = Customer.objects.get()

    response = api.get(f"/api/v1/customers/{customer.pk}/entries/")

    assert response.status_code == 200
    assert response.json()["count"] == 1


# --- Loans -------------------------------------------------------------------------------------


def test_loan_filters(api, asha):
    other = LoanFactory(loan_id="LN-OTHER", due_date=date(2026, 2, 1))
    first, second = asha.loans.order_by("loan_id")

    assert ids(api.get("/api/v1/loans/")) == [first.pk, other.pk, second.pk]
    assert ids(api.get("/api/v1/loans/", {"status": "paid"})) == [second.pk]
    assert ids(api.get("/api/v1/loans/", {"customer": asha.pk})) == [first.pk, second.pk]
    assert ids(api.get("/api/v1/loans/", {"loan_id": "LN-OTHER"})) == [other.pk]
    assert ids(api.get("/api/v1/loans/", {"due_date_from": "2026-01-15", "due_date_to": "2026-03-01"})) == [other.pk]
    assert ids(api.get("/api/v1/loans/", {"due_date_from": "2026-02-01"})) == [other.pk, second.pk]


def test_a_bad_filter_value_is_a_400_naming_the_filter(api):
    error = assert_error(api.get("/api/v1/loans/", {"status": "bogus", "due_date_from": "soon"}), 400, "invalid")
    assert set(error["details"]) == {"status", "due_date_from"}


def test_loan_detail_has_its_customer_and_payments(api, asha):
    loan = asha.loans.get(loan_id="LN-ASHA-1")
    Payment.objects.create(loan=loan, amount=Decimal("100.00"), paid_on=date(2026, 1, 2), reference="R1")

    body = api.get(f"/api/v1/loans/{loan.pk}/").json()

    assert body["loan_id"] == "LN-ASHA-1"
    assert body["customer_detail"] == {
        "id": asha.pk,
        "full_name": "Asha Rao",
        "phone": "+919876543210",
        "do_not_call": False,
    }
    assert [p["reference"] for p in body["payments"]] == ["R1"]
    assert_error(api.get("/api/v1/loans/999999/"), 404, "not_found")


def test_record_a_payment(api, asha, back_office_user):
    loan = asha.loans.get(loan_id="LN-ASHA-1")

    response = api.post(
        f"/api/v1/loans/{loan.pk}/payments/",
        {"amount": "5000.00", "paid_on": "2026-01-05", "reference": "UTR123"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "5000.00"
    assert response.json()["recorded_by"] == back_office_user.pk
    loan.refresh_from_db()
    assert loan.outstanding_amount == Decimal("20000.00")
    assert AuditEvent.objects.filter(action="loan.payment_recorded").count() == 1


def test_a_payment_reference_is_taken_once(api, asha):
    loan = asha.loans.get(loan_id="LN-ASHA-1")
    payload = {"amount": "10.00", "paid_on": "2026-01-05", "reference": "UTR9"}
    assert api.post(f"/api/v1/loans/{loan.pk}/payments/", payload, format="json").status_code == 201

    error = assert_error(
        api.post(f"/api/v1/loans/{loan.pk}/payments/", payload, format="json"), 400, "duplicate_payment"
    )
    assert "UTR9" in error["message"]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"amount": "0", "paid_on": "2026-01-05"}, "amount"),
        ({"amount": "-5", "paid_on": "2026-01-05"}, "amount"),
        ({"amount": "12.345", "paid_on": "2026-01-05"}, "amount"),
        ({"amount": "10", "paid_on": "yesterday"}, "paid_on"),
        ({"paid_on": "2026-01-05"}, "amount"),
    ],
)
def test_payment_validation_errors(api, asha, payload, field):
    loan = asha.loans.first()
    error = assert_error(api.post(f"/api/v1/loans/{loan.pk}/payments/", payload, format="json"), 400, "invalid")
    assert field in error["details"]
    assert not Payment.objects.exists()


def test_agents_may_read_loans_but_not_record_payments(agent_api, asha):
    loan = asha.loans.first()
    assert agent_api.get("/api/v1/loans/").status_code == 200
    assert agent_api.get(f"/api/v1/loans/{loan.pk}/").status_code == 200
    response = agent_api.post(
        f"/api/v1/loans/{loan.pk}/payments/", {"amount": "1", "paid_on": "2026-01-05"}, format="json"
    )
    assert_error(response, 403, "permission_denied")


def test_too_many_requests_are_throttled_in_the_one_shape(api, monkeypatch):
    cache.clear()
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/minute", "anon": "2/minute"})

    assert api.get("/api/v1/customers/").status_code == 200
    assert api.get("/api/v1/loans/").status_code == 200
    response = api.get("/api/v1/customers/")

    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    cache.clear()
