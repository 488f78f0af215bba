"""The calls API: campaigns and their life, calls (ad-hoc ones through the guard), promises, the agents' queue."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import resolve
from django.utils import timezone
from rest_framework.test import APIClient

from calls import webhooks as provider_apis
from calls.apis import calls as call_apis
from calls.models import Call, CallEvent, CallStatus, Campaign, CampaignStatus, Disposition, PromiseToPay, WorkItem
from calls.services.campaigns import CAMPAIGN_SETTINGS
from calls.services.work_items import work_item_create
from customers.services import customer_upsert
from customers.tests.factories import CustomerFactory, LoanFactory
from voiceassist.common.models import AuditEvent
from voiceassist.common.roles import AGENT
from voiceassist.common.tests.factories import UserFactory, api_token_for

from .factories import CallFactory, CampaignFactory, PromiseFactory, calling_day_at

pytestmark = pytest.mark.django_db

INDIA = ZoneInfo("Asia/Kolkata")


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


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    """Tomorrow (or the next day that is no public holiday) at this local time for an Indian number."""
    return calling_day_at(hour, minute)


def assert_error(response, status_code: int, code: str | None) -> dict:
    """The one error shape, with ``code`` (any code when None)."""
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert code is None or body["error"]["code"] == code
    return body["error"]


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert {"count", "next", "previous", "results"} <= set(body)
    return [row["id"] for row in body["results"]]


# --- Routing -----------------------------------------------------------------------------------


def test_calls_routes_reach_the_public_api_and_the_provider_routes_stay_with_calls_urls():
    assert resolve("/api/v1/calls/").func.view_class.apis == {
        "get": call_apis.CallListApi,
        "post": call_apis.CallCreateApi,
    }
    assert resolve("/api/v1/calls/42/").func.view_class is call_apis.CallDetailApi
    assert resolve("/api/v1/calls/webhooks/simulated/").func is provider_apis.call_webhook
    assert resolve("/api/v1/calls/voice/twilio/42/").func is provider_apis.call_voice
    assert resolve("/api/v1/customers/42/entries/").url_name == "api-customer-entries"


# --- Campaigns ---------------------------------------------------------------------------------


def test_create_a_campaign(api, back_office_user):
    response = api.post(
        "/api/v1/campaigns/",
        {
            "name": "  March   DPD 30+ ",
            "audience_states": ["Goa", "Goa", "Kerala"],
            "audience_min_days_past_due": 30,
            "window_start": "10:00",
            "window_end": "17:30",
            "retry_policy": {"busy": {"after_minutes": 15, "max_retries": 3}},
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["name"] == "March DPD 30+"
    assert body["audience_states"] == ["Goa", "Kerala"]
    assert body["window_start"] == "10:00:00" and body["window_end"] == "17:30:00"
    assert body["retry_policy"]["busy"] == {"after_minutes": 15, "max_retries": 3}
    assert body["retry_policy"]["no_answer"] == {"after_minutes": 120, "max_retries": 2}
    campaign = Campaign.objects.get()
    assert campaign.created_by == back_office_user
    assert AuditEvent.objects.filter(action="campaign.created").count() == 1


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": "x", "window_start": "18:00", "window_end": "09:00"}, "window_end"),
        ({"name": "x", "window_start": "09:00", "window_end": "09:00"}, "window_end"),
        # Only the start given: it must still come before the default end (18:00), checked by the model.
        ({"name": "x", "window_start": "18:30"}, "window_end"),
        ({"name": "x", "audience_due_from": "2026-05-01", "audience_due_to": "2026-04-01"}, "audience_due_to"),
        (
            {"name": "x", "audience_min_days_past_due": 90, "audience_max_days_past_due": 30},
            "audience_max_days_past_due",
        ),
        ({"name": "x", "retry_policy": {"busy": {"after_minutes": 0, "max_retries": 1}}}, "retry_policy"),
        ({"name": "x", "provider": "manual"}, "provider"),
        ({"name": "x", "audience_upload": 999999}, "audience_upload"),
        ({"name": "x", "max_attempts": 0}, "max_attempts"),
        ({"name": ""}, "name"),
    ],
)
def test_campaign_validation_errors(api, payload, field):
    error = assert_error(api.post("/api/v1/campaigns/", payload, format="json"), 400, "invalid")
    assert field in error["details"], error
    assert not Campaign.objects.exists()


def test_campaign_list_filter_and_detail(api):
    draft = CampaignFactory()
    running = CampaignFactory(status=CampaignStatus.RUNNING)

    assert set(ids(api.get("/api/v1/campaigns/"))) == {draft.pk, running.pk}
    assert ids(api.get("/api/v1/campaigns/", {"status": "running"})) == [running.pk]
    assert api.get(f"/api/v1/campaigns/{draft.pk}/").json()["name"] == draft.name
    assert_error(api.get("/api/v1/campaigns/999999/"), 404, "not_found")


def test_a_campaign_reads_back_every_setting_it_has(api):
    campaign = CampaignFactory(lender_name="Acme Finance", phone_countries=["IN"])

    shown = api.get(f"/api/v1/campaigns/{campaign.pk}/").json()

    assert set(CAMPAIGN_SETTINGS) <= set(shown)
    assert (shown["lender_name"], shown["phone_countries"]) == ("Acme Finance", ["IN"])


def test_campaign_lifecycle(api):
    campaign = CampaignFactory()
    LoanFactory.create_batch(3)
    LoanFactory(customer=CustomerFactory(do_not_call=True))

    started = api.post(f"/api/v1/campaigns/{campaign.pk}/start/")
    assert started.status_code == 200, started.content
    assert started.json()["status"] == "running"
    assert started.json()["calls_scheduled"] == 3
    assert Call.objects.filter(campaign=campaign, status=CallStatus.SCHEDULED).count() == 3

    assert api.post(f"/api/v1/campaigns/{campaign.pk}/pause/").json()["status"] == "paused"
    assert api.post(f"/api/v1/campaigns/{campaign.pk}/resume/").json()["status"] == "running"
    completed = api.post(f"/api/v1/campaigns/{campaign.pk}/complete/")
    assert completed.json()["status"] == "completed"
    assert not Call.objects.filter(campaign=campaign, status=CallStatus.SCHEDULED).exists()
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "campaign.started",
        "campaign.paused",
        "campaign.resumed",
        "campaign.completed",
    }


def test_a_lifecycle_step_out_of_order_is_refused_in_the_one_shape(api):
    campaign = CampaignFactory()

    error = assert_error(api.post(f"/api/v1/campaigns/{campaign.pk}/pause/"), 400, "campaign_state")
    assert "draft" in error["message"]
    assert_error(api.post(f"/api/v1/campaigns/{campaign.pk}/resume/"), 400, "campaign_state")
    api.post(f"/api/v1/campaigns/{campaign.pk}/complete/")
    assert_error(api.post(f"/api/v1/campaigns/{campaign.pk}/start/"), 400, "campaign_state")
    assert_error(api.post("/api/v1/campaigns/999999/start/"), 404, "not_found")


def test_campaign_metrics(api):
    campaign = CampaignFactory(status=CampaignStatus.RUNNING)
    answered = CallFactory(
        campaign=campaign,
        status=CallStatus.COMPLETED,
        started_at=timezone.now(),
        answered_by="human",
        disposition=Disposition.objects.get(code="promise_to_pay"),
    )
    CallFactory(campaign=campaign, status=CallStatus.NO_ANSWER, started_at=timezone.now())
    PromiseFactory(loan=answered.loan, source_call=answered, amount=Decimal("2500.00"))

    body = api.get(f"/api/v1/campaigns/{campaign.pk}/metrics/").json()

    assert body["attempts"] == 2
    assert body["connects"] == 1
    assert body["connect_rate"] == 0.5
    assert body["promises"] == 1
    assert body["promised_amount"] == "2500.00"
    assert body["collected_amount"] == "0.00"


def test_agents_may_not_use_campaigns(agent_api):
    campaign = CampaignFactory()
    assert_error(agent_api.get("/api/v1/campaigns/"), 403, "permission_denied")
    assert_error(agent_api.post("/api/v1/campaigns/", {"name": "x"}, format="json"), 403, "permission_denied")
    assert_error(agent_api.post(f"/api/v1/campaigns/{campaign.pk}/start/"), 403, "permission_denied")
    assert_error(agent_api.get(f"/api/v1/campaigns/{campaign.pk}/metrics/"), 403, "permission_denied")


# --- Calls -------------------------------------------------------------------------------------


def test_call_list_filters(api):
    campaign = CampaignFactory()
    mine = CallFactory(campaign=campaign, status=CallStatus.COMPLETED)
    other = CallFactory()

    assert set(ids(api.get("/api/v1/calls/"))) == {mine.pk, other.pk}
    assert ids(api.get("/api/v1/calls/", {"status": "completed"})) == [mine.pk]
    assert ids(api.get("/api/v1/calls/", {"campaign": campaign.pk})) == [mine.pk]
    assert ids(api.get("/api/v1/calls/", {"customer": other.customer_id})) == [other.pk]
    assert_error(api.get("/api/v1/calls/", {"customer": "one"}), 400, "invalid")


def test_call_detail_has_its_disposition_and_events(api):
    call = CallFactory(status=CallStatus.COMPLETED, disposition=Disposition.objects.get(code="promise_to_pay"))
    CallEvent.objects.create(call=call, kind="webhook", status="completed", detail={"duration": 40})

    body = api.get(f"/api/v1/calls/{call.pk}/").json()

    assert body["disposition"]["code"] == "promise_to_pay"
    assert body["disposition"]["is_right_party_contact"] is True
    assert [(e["kind"], e["status"], e["detail"]) for e in body["events"]] == [
        ("webhook", "completed", {"duration": 40})
    ]
    assert_error(api.get("/api/v1/calls/999999/"), 404, "not_found")


def test_schedule_an_adhoc_call_inside_the_window(api, back_office_user):
    loan = LoanFactory()
    at = tomorrow_at(10, 30)

    response = api.post(
        "/api/v1/calls/", {"customer": loan.customer_id, "loan": loan.pk, "at": at.isoformat()}, format="json"
    )

    assert response.status_code == 201, response.content
    call = Call.objects.get()
    assert response.json()["id"] == call.pk
    assert response.json()["status"] == "scheduled"
    assert call.scheduled_for == at and call.campaign is None and call.loan == loan
    assert AuditEvent.objects.get(action="call.adhoc_scheduled").actor == back_office_user


def test_an_adhoc_call_outside_the_window_is_refused_with_the_guards_reason(api):
    customer = CustomerFactory()

    response = api.post("/api/v1/calls/", {"customer": customer.pk, "at": tomorrow_at(21).isoformat()}, format="json")

    error = assert_error(response, 400, "outside_hours")
    assert "21:00" in error["message"] and "08:00–19:00" in error["message"]
    assert error["details"]["next_allowed_at"].endswith("T08:00:00+05:30")
    assert not Call.objects.exists()


def test_an_adhoc_call_now_follows_the_hours_narrowed_in_settings(api, settings):
    customer = CustomerFactory()
    now = timezone.now().astimezone(INDIA).time()
    # A one-minute window inside the legal hours that "now" is not in, whatever the time of the run.
    window = "08:00-08:01" if not time(7, 59) <= now < time(8, 2) else "18:58-18:59"
    settings.COMPLIANCE_OVERRIDES = {"IN": {"window": window}}

    error = assert_error(api.post("/api/v1/calls/", {"customer": customer.pk}, format="json"), 400, None)
    assert error["code"] in ("outside_hours", "holiday")


def test_an_adhoc_call_to_a_do_not_call_customer_is_refused(api):
    customer = CustomerFactory(do_not_call="Lawyer's letter")

    response = api.post("/api/v1/calls/", {"customer": customer.pk, "at": tomorrow_at(11).isoformat()}, format="json")

    error = assert_error(response, 400, "do_not_call")
    assert "Lawyer's letter" in error["message"]


@pytest.mark.parametrize(
    "payload, field",
    [
        (lambda c, other: {"customer": c.pk, "at": "2020-01-01T10:00:00+05:30"}, "at"),
        (lambda c, other: {"customer": c.pk, "at": "2999-01-01T10:00:00+05:30"}, "at"),
        (lambda c, other: {"customer": 999999}, "customer"),
        (lambda c, other: {"customer": c.pk, "loan": 999999}, "loan"),
        (lambda c, other: {}, "customer"),
    ],
)
def test_adhoc_call_validation_errors(api, payload, field):
    customer, other = CustomerFactory(), LoanFactory()
    error = assert_error(api.post("/api/v1/calls/", payload(customer, other), format="json"), 400, "invalid")
    assert field in error["details"]


def test_an_adhoc_call_about_another_customers_loan_is_refused(api):
    customer, loan = CustomerFactory(), LoanFactory()

    response = api.post(
        "/api/v1/calls/", {"customer": customer.pk, "loan": loan.pk, "at": tomorrow_at(11).isoformat()}, format="json"
    )

    assert_error(response, 400, "loan_other_customer")
    assert not Call.objects.exists()


def test_agents_may_read_calls_but_not_schedule_them(agent_api):
    call = CallFactory()
    assert ids(agent_api.get("/api/v1/calls/")) == [call.pk]
    assert agent_api.get(f"/api/v1/calls/{call.pk}/").status_code == 200
    response = agent_api.post(
        "/api/v1/calls/", {"customer": call.customer_id, "at": tomorrow_at(11).isoformat()}, format="json"
    )
    assert_error(response, 403, "permission_denied")


# --- Promises to pay ---------------------------------------------------------------------------


def test_promise_list_filters(api):
    first = PromiseFactory()
    second = PromiseFactory(status="kept")

    assert set(ids(api.get("/api/v1/promises/"))) == {first.pk, second.pk}
    assert ids(api.get("/api/v1/promises/", {"status": "kept"})) == [second.pk]
    assert ids(api.get("/api/v1/promises/", {"customer": first.customer_id})) == [first.pk]
    assert ids(api.get("/api/v1/promises/", {"loan": second.loan_id})) == [second.pk]


def test_an_agent_records_a_promise(agent_api, agent_user):
    loan = LoanFactory()
    promised = timezone.localdate() + timedelta(days=5)

    response = agent_api.post(
        "/api/v1/promises/",
        {"loan": loan.pk, "amount": "4000.00", "promised_date": promised.isoformat(), "grace_days": 2},
        format="json",
    )

    assert response.status_code == 201, response.content
    promise = PromiseToPay.objects.get()
    assert promise.customer == loan.customer and promise.created_by == agent_user
    assert promise.grace_days == 2 and promise.outstanding_at_promise == Decimal("25000.00")
    assert response.json()["status"] == "open"
    assert AuditEvent.objects.filter(action="promise.recorded", actor=agent_user).exists()


def test_a_promise_in_the_past_is_refused_by_the_service(api):
    loan = LoanFactory()
    yesterday = timezone.localdate() - timedelta(days=1)

    response = api.post(
        "/api/v1/promises/", {"loan": loan.pk, "amount": "10", "promised_date": yesterday.isoformat()}, format="json"
    )

    assert_error(response, 400, "invalid_date")


@pytest.mark.parametrize(
    "payload, field, code",
    [
        ({"amount": "0", "promised_date": "+5"}, "amount", "invalid_amount"),
        ({"amount": "99999999", "promised_date": "+5"}, "amount", "amount_above_outstanding"),
        ({"amount": "10", "promised_date": "+400"}, "promised_date", "beyond_horizon"),
        ({"amount": "10", "promised_date": "+5", "grace_days": 99}, "grace_days", "invalid"),
        ({"amount": "10", "promised_date": "+5", "loan": 999999}, "loan", "invalid"),
    ],
)
def test_promise_validation_errors(api, payload, field, code):
    """The promise rules are the service's (the same for the bot, agents and the admin); each error names
    the field to correct."""
    loan = LoanFactory()
    days = int(payload["promised_date"])
    body = {"loan": loan.pk, **payload, "promised_date": (timezone.localdate() + timedelta(days=days)).isoformat()}

    error = assert_error(api.post("/api/v1/promises/", body, format="json"), 400, code)
    assert field in error["details"]


# --- Work items --------------------------------------------------------------------------------


@pytest.fixture
def items():
    customer = customer_upsert(phone="+919812345678", full_name="Meera Iyer", national_id="123412341234").instance
    open_item = work_item_create(kind="callback", customer=customer, note="Call back after lunch")
    done_item = work_item_create(kind="dispute", customer=customer)
    done_item.done_at = timezone.now()
    done_item.save()
    return open_item, done_item


def test_work_items_are_the_open_ones_unless_done_is_asked(agent_api, items):
    open_item, done_item = items

    assert ids(agent_api.get("/api/v1/work-items/")) == [open_item.pk]
    assert ids(agent_api.get("/api/v1/work-items/", {"done": "true"})) == [done_item.pk]
    assert ids(agent_api.get("/api/v1/work-items/", {"done": "false"})) == [open_item.pk]
    assert ids(agent_api.get("/api/v1/work-items/", {"kind": "dispute", "done": "true"})) == [done_item.pk]
    body = agent_api.get("/api/v1/work-items/").json()["results"][0]
    assert body["customer_detail"]["full_name"] == "Meera Iyer"
    assert open_item.customer.national_id_fingerprint not in agent_api.get("/api/v1/work-items/").content.decode()


def test_an_agent_claims_and_completes_a_work_item(agent_api, agent_user, items):
    open_item, _ = items

    claimed = agent_api.post(f"/api/v1/work-items/{open_item.pk}/claim/")
    assert claimed.status_code == 200, claimed.content
    assert claimed.json()["claimed_by"] == agent_user.username

    completed = agent_api.post(f"/api/v1/work-items/{open_item.pk}/complete/", {"note": "Paid on 3rd"}, format="json")
    assert completed.status_code == 200, completed.content
    assert completed.json()["done_at"] is not None
    assert completed.json()["note"] == "Paid on 3rd"
    assert ids(agent_api.get("/api/v1/work-items/")) == []


def test_an_item_claimed_by_another_agent_is_refused(agent_api, items):
    open_item, done_item = items
    open_item.claimed_by = UserFactory(role=AGENT, first_name="Kiran", last_name="Shah")
    open_item.save()

    error = assert_error(agent_api.post(f"/api/v1/work-items/{open_item.pk}/claim/"), 400, "work_item_claimed")
    assert "Kiran Shah" in error["message"]
    assert_error(agent_api.post(f"/api/v1/work-items/{open_item.pk}/complete/"), 400, "work_item_claimed")
    assert_error(agent_api.post(f"/api/v1/work-items/{done_item.pk}/claim/"), 400, "work_item_done")
    assert_error(agent_api.post("/api/v1/work-items/999999/claim/"), 404, "not_found")
    assert WorkItem.objects.get(pk=open_item.pk).done_at is None
