"""A campaign decides whether the bot calls landlines and which countries' numbers; the rest are counted."""

import pytest
from rest_framework.test import APIClient

from calls.admin.campaign_audience import left_out_words
from calls.models import Call
from calls.services.campaigns import campaign_start
from calls.tests.factories import CampaignFactory
from customers.tests.factories import CustomerFactory, LoanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def borrowers():
    phones = {"mobile": "+919876543210", "landline": "+912240001234", "us": "+14155550123", "au": "+61212345678"}
    return {
        name: LoanFactory(customer=CustomerFactory(phone=phone), days_past_due=10) for name, phone in phones.items()
    }


def _called(campaign) -> set[str]:
    return set(Call.objects.filter(campaign=campaign).values_list("customer__phone", flat=True))


def test_by_default_the_bot_calls_landlines_but_never_outside_the_countries_it_knows(borrowers, back_office_user):
    campaign = CampaignFactory()
    campaign_start(campaign=campaign, actor=back_office_user)
    campaign.refresh_from_db()
    assert _called(campaign) == {"+919876543210", "+912240001234", "+14155550123"}
    assert campaign.audience_left_out == {"outside_countries": 1}


def test_a_campaign_may_leave_out_landlines_and_narrow_the_countries(borrowers, back_office_user):
    campaign = CampaignFactory(call_landlines=False, phone_countries=["IN"])
    campaign_start(campaign=campaign, actor=back_office_user)
    campaign.refresh_from_db()
    assert _called(campaign) == {"+919876543210"}
    assert campaign.audience_left_out == {"outside_countries": 2, "landline": 1}
    assert left_out_words(campaign.audience_left_out) == (
        "1 customer: their phone is a landline and this campaign does not call landlines; "
        "2 customers: their phone is outside the countries this campaign calls"
    )


def test_the_api_takes_the_number_settings_and_refuses_a_country_the_bot_does_not_call(back_office_user):
    api = APIClient()
    api.force_authenticate(back_office_user)
    settings_given = {"name": "Landlines off", "call_landlines": False, "phone_countries": ["in"]}
    created = api.post("/api/v1/campaigns/", settings_given, format="json")
    assert created.status_code == 201, created.json()
    assert (created.json()["call_landlines"], created.json()["phone_countries"]) == (False, ["IN"])

    refused = api.post("/api/v1/campaigns/", {"name": "Abroad", "phone_countries": ["AU"]}, format="json")
    assert refused.status_code == 400
    assert "AU: the bot calls only IN, US." in str(refused.json())
