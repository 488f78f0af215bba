from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from payments.models import LinkStatus, PaymentLink, SmsStatus
from payments.services import payment_link_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_network")]


def test_the_api_creates_and_lists_links(back_office_user, agent_user, loan):
    api = APIClient()
    api.force_login(back_office_user)

    created = api.post("/api/v1/payments/links/", {"loan": loan.pk, "amount": "1500.00"}, format="json")

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["amount"] == "1500.00" and body["loan_id"] == "LN0000001" and body["status"] == "created"
    assert body["messages"][0]["status"] == SmsStatus.SENT
    listed = api.get(f"/api/v1/payments/links/?loan={loan.pk}").json()
    assert [link["id"] for link in listed["results"]] == [body["id"]]
    too_much = api.post("/api/v1/payments/links/", {"loan": loan.pk, "amount": "99999"}, format="json")
    assert too_much.status_code == 400 and too_much.json()["error"]["code"] == "invalid_amount"

    agent = APIClient()
    agent.force_login(agent_user)
    assert agent.post("/api/v1/payments/links/", {"loan": loan.pk}, format="json").status_code == 403
    assert agent.get("/api/v1/payments/links/").status_code == 200


def test_the_schema_documents_the_links_api(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/payments/links/" in schema and "PaymentLinkCreateInput" in schema


def test_agents_see_open_links_and_resend(client, agent_user, loan):
    link = payment_link_create(loan=loan, amount=1200)
    client.force_login(agent_user)

    page = client.get(f"/customers/{loan.customer_id}/").content.decode()
    assert link.short_url in page and f"/payment-links/{link.pk}/resend/" in page and "Resend" in page

    response = client.post(f"/payment-links/{link.pk}/resend/", follow=True)
    assert response.redirect_chain[-1][0] == f"/customers/{loan.customer_id}/"
    assert "Payment link sent again" in response.content.decode()
    assert link.messages.count() == 2


def test_an_expired_link_cannot_be_resent(client, agent_user, loan):
    link = payment_link_create(loan=loan, amount=1200)
    PaymentLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    client.force_login(agent_user)

    response = client.post(f"/payment-links/{link.pk}/resend/", follow=True)

    assert "This link has expired" in response.content.decode()
    assert link.messages.count() == 1


def test_resend_needs_an_agent_or_back_office(client, loan, django_user_model):
    link = payment_link_create(loan=loan, amount=1200, send=False)
    assert client.post(f"/payment-links/{link.pk}/resend/").status_code == 302  # to the login page
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert client.post(f"/payment-links/{link.pk}/resend/").status_code == 403
    assert client.get(f"/payment-links/{link.pk}/resend/").status_code in (403, 405)


def test_back_office_reads_payments_in_the_admin(client, back_office_user, loan):
    link = payment_link_create(loan=loan, amount=1200)
    link.status = LinkStatus.PARTLY_PAID
    link.save()
    client.force_login(back_office_user)
    for url in (
        "/admin/payments/paymentlink/?q=LN0000001",
        f"/admin/payments/paymentlink/{link.pk}/change/",
        "/admin/payments/smsmessage/?q=%2B919900000001",
        "/admin/payments/gatewayevent/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/payments/paymentlink/add/").status_code == 403
