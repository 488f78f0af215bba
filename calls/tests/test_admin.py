import pytest

from calls.models import Call, CallStatus, Campaign, CampaignStatus
from calls.tests.factories import CallFactory, CampaignFactory
from customers.tests.factories import LoanFactory
from voiceassist.common.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, back_office_user):
    client.force_login(back_office_user)
    return client


def _act(client, action: str, objects, url="/admin/calls/campaign/"):
    return client.post(url, {"action": action, "_selected_action": [o.pk for o in objects]}, follow=True)


def test_campaign_actions_go_through_the_services_and_are_audited(admin_client, back_office_user):
    LoanFactory.create_batch(3)
    campaign = CampaignFactory()

    _act(admin_client, "start", [campaign])
    assert Campaign.objects.get().status == CampaignStatus.RUNNING
    assert Call.objects.count() == 3
    _act(admin_client, "pause", [campaign])
    assert Campaign.objects.get().status == CampaignStatus.PAUSED
    _act(admin_client, "resume", [campaign])
    assert Campaign.objects.get().status == CampaignStatus.RUNNING
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "campaign.started",
        "campaign.paused",
        "campaign.resumed",
    ]
    assert set(AuditEvent.objects.values_list("actor", flat=True)) == {back_office_user.pk}


def test_a_refused_action_is_explained_not_crashed(admin_client):
    campaign = CampaignFactory()

    response = _act(admin_client, "pause", [campaign])

    assert response.status_code == 200
    assert "is draft; it cannot be paused" in response.content.decode()


def test_the_campaign_page_shows_its_figures(admin_client):
    campaign = CampaignFactory(status=CampaignStatus.RUNNING)
    CallFactory(campaign=campaign, status=CallStatus.COMPLETED)

    page = admin_client.get(f"/admin/calls/campaign/{campaign.pk}/change/").content.decode()

    assert "connect rate" in page and "attempts" in page


def test_cancelling_a_call_from_the_admin(admin_client):
    call = CallFactory()

    _act(admin_client, "cancel", [call], url="/admin/calls/call/")

    call.refresh_from_db()
    assert call.status == CallStatus.CANCELED
    assert admin_client.get(f"/admin/calls/call/{call.pk}/change/").status_code == 200


def test_dispositions_are_editable_by_back_office(admin_client):
    page = admin_client.get("/admin/calls/disposition/")
    assert page.status_code == 200 and "Someone else answered" in page.content.decode()


def test_agents_cannot_reach_the_calls_admin(client, agent_user):
    client.force_login(agent_user)
    assert client.get("/admin/calls/campaign/").status_code == 302


def test_why_not_now_on_a_call_and_on_a_customer(admin_client):
    from customers.models import SuppressionKind
    from customers.tests.factories import CustomerFactory, SuppressionFactory

    disputed = LoanFactory(customer=CustomerFactory(phone="+919876543210"), loan_id="LN-DISPUTED")
    open_loan = LoanFactory(customer=disputed.customer, loan_id="LN-OPEN")
    SuppressionFactory(customer=disputed.customer, kind=SuppressionKind.DISPUTE, loan=disputed, reason="Letter")
    call = CallFactory(customer=disputed.customer, loan=disputed)

    page = admin_client.get(f"/admin/calls/call/{call.pk}/change/").content.decode()
    assert "Why not now?" in page
    assert "<strong>dispute</strong>: Loan LN-DISPUTED is disputed (Letter)" in page
    assert "Next allowed: only when back office lifts it" in page

    page = admin_client.get(f"/admin/customers/customer/{disputed.customer.pk}/change/").content.decode()
    assert "Loan LN-DISPUTED: <strong>dispute</strong>" in page
    assert f"Loan {open_loan.loan_id}: " in page  # judged on its own (allowed now, or when it will be)


def test_the_calls_admin_registers_every_page_it_had():
    from django.contrib import admin
    from django.urls import reverse

    from calls.admin.customers import CustomerAdmin
    from calls.models import Disposition, PromiseToPay, WorkItem
    from customers.admin import CustomerAdmin as BaseCustomerAdmin
    from customers.models import Customer

    assert {Campaign, Call, Disposition, PromiseToPay, WorkItem} <= set(admin.site._registry)
    # The customers' page is the calls app's, with the guard's answer on it.
    assert isinstance(admin.site._registry[Customer], CustomerAdmin) and issubclass(CustomerAdmin, BaseCustomerAdmin)
    assert reverse("admin:calls_campaign_figures") == "/admin/calls/campaign/figures/"
    assert reverse("admin:calls_campaign_lifecycle", args=[7, "start"]) == "/admin/calls/campaign/7/lifecycle/start/"
