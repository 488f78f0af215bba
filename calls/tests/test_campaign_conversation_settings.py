"""A campaign's conversation settings (lender, numbers, recording, machine message, second check) and the
customers it leaves out for want of a script in their language, in the admin and the API."""

import pytest
from rest_framework.test import APIClient

from calls.admin.campaign_audience import left_out_words
from calls.models import Campaign, CampaignStatus, MachineMessage, default_retry_policy
from calls.tests.factories import CampaignFactory
from customers.tests.factories import CustomerFactory, LoanFactory
from voiceassist.common.tests.factories import api_token_for

pytestmark = pytest.mark.django_db

CONVERSATION_FIELDS = (
    "lender_name",
    "contact_person",
    "callback_number",
    "transfer_number",
    "record_calls",
    "machine_message",
    "second_check",
)


@pytest.fixture
def admin_client(client, back_office_user):
    client.force_login(back_office_user)
    return client


@pytest.fixture
def api(back_office_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(back_office_user)}")
    return client


def _audience(**languages: int) -> None:
    """Active loans of customers speaking each language, ``mr=2`` → two Marathi speakers."""
    for language, customers in languages.items():
        for _ in range(customers):
            LoanFactory(customer=CustomerFactory(preferred_language=language))


@pytest.mark.parametrize(
    "left_out, words",
    [
        ({}, "None: the bot speaks the language of every customer in the audience."),
        ({"ta": 0}, "None: the bot speaks the language of every customer in the audience."),
        ({"mr": 1}, "1 customer (Marathi 1): the bot has no script in their language"),
        ({"ta": 5, "mr": 7}, "12 customers (Marathi 7, Tamil 5): the bot has no script in their language"),
    ],
)
def test_left_out_in_words(left_out, words):
    assert left_out_words(left_out) == words


# --- Admin ----------------------------------------------------------------------------------------


def test_a_draft_campaign_shows_its_conversation_settings_and_who_is_left_out_now(admin_client):
    _audience(en=2, hi=1, mr=2, ta=1)
    campaign = CampaignFactory()

    page = admin_client.get(f"/admin/calls/campaign/{campaign.pk}/change/").content.decode()

    assert ">Conversation</h2>" in page
    for field in CONVERSATION_FIELDS:
        assert f'name="{field}"' in page, field
    assert "Left out (no script in their language)" in page
    assert "3 customers (Marathi 2, Tamil 1): the bot has no script in their language" in page


def test_a_started_campaign_shows_who_was_left_out_when_it_started(admin_client):
    _audience(mr=4)  # joined the audience after the start: not counted
    campaign = CampaignFactory(status=CampaignStatus.RUNNING, audience_left_out={"ta": 5})

    page = admin_client.get(f"/admin/calls/campaign/{campaign.pk}/change/").content.decode()

    assert "5 customers (Tamil 5): the bot has no script in their language" in page


def test_back_office_edits_the_conversation_settings(admin_client):
    campaign = CampaignFactory()
    data = {
        "name": campaign.name,
        "provider": "simulated",
        "audience_upload": "",
        "audience_due_from": "",
        "audience_due_to": "",
        "audience_min_days_past_due": "",
        "audience_max_days_past_due": "",
        "window_start": "09:00:00",
        "window_end": "18:00:00",
        "max_attempts": "3",
        **{
            f"retry_policy_{outcome}_{part}": str(number)
            for outcome, rule in default_retry_policy().items()
            for part, number in rule.items()
        },
        "lender_name": "Sahyadri Finance",
        "contact_person": "Meera Joshi",
        "callback_number": "18002003000",
        "transfer_number": "+912240001234",
        "record_calls": "on",
        "machine_message": MachineMessage.LIMITED,
        "second_check": "on",
    }

    response = admin_client.post(f"/admin/calls/campaign/{campaign.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    campaign.refresh_from_db()
    assert campaign.lender_name == "Sahyadri Finance" and campaign.contact_person == "Meera Joshi"
    assert campaign.callback_number == "18002003000" and campaign.transfer_number == "+912240001234"
    assert campaign.record_calls and campaign.second_check
    assert campaign.machine_message == MachineMessage.LIMITED
    assert campaign.audience_left_out == {}  # not editable: filled when the campaign starts


# --- API ------------------------------------------------------------------------------------------


def test_a_campaign_is_created_with_its_conversation_settings(api):
    response = api.post(
        "/api/v1/campaigns/",
        {
            "name": "Pune DPD 30",
            "lender_name": " Sahyadri Finance ",
            "contact_person": "Meera Joshi",
            "callback_number": "18002003000",
            "transfer_number": "+912240001234",
            "record_calls": True,
            "machine_message": "limited",
            "second_check": True,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert {field: body[field] for field in CONVERSATION_FIELDS} == {
        "lender_name": "Sahyadri Finance",
        "contact_person": "Meera Joshi",
        "callback_number": "18002003000",
        "transfer_number": "+912240001234",
        "record_calls": True,
        "machine_message": "limited",
        "second_check": True,
    }
    assert body["audience_left_out"] == {}
    campaign = Campaign.objects.get()
    assert campaign.record_calls and campaign.machine_message == MachineMessage.LIMITED


def test_conversation_settings_default_to_settings_and_no_recording(api):
    body = api.post("/api/v1/campaigns/", {"name": "Defaults"}, format="json").json()

    assert body["lender_name"] == body["contact_person"] == body["callback_number"] == body["transfer_number"] == ""
    assert body["record_calls"] is False and body["second_check"] is False
    assert body["machine_message"] == "none"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"machine_message": "everything"}, "machine_message"),
        ({"callback_number": "1" * 21}, "callback_number"),
        ({"lender_name": "x" * 101}, "lender_name"),
    ],
)
def test_conversation_settings_are_validated(api, payload, field):
    response = api.post("/api/v1/campaigns/", {"name": "x", **payload}, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["details"]
    assert not Campaign.objects.exists()


def test_who_was_left_out_is_read_only_and_shown_once_started(api):
    _audience(en=1, mr=2)
    created = api.post("/api/v1/campaigns/", {"name": "Mixed", "audience_left_out": {"xx": 99}}, format="json").json()
    assert created["audience_left_out"] == {}

    started = api.post(f"/api/v1/campaigns/{created['id']}/start/", format="json")

    assert started.status_code == 200, started.content
    assert started.json()["audience_left_out"] == {"mr": 2}
    assert api.get(f"/api/v1/campaigns/{created['id']}/").json()["audience_left_out"] == {"mr": 2}
