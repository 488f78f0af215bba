"""A campaign's own rules live on the model (every entry point gets them), and its changes go through
``campaign_update``: tidied like a new campaign, audited, and refused where they would rewrite whom a started
campaign calls."""

from datetime import time

import pytest
from django.core.exceptions import ValidationError

from calls.models import Campaign, CampaignStatus, default_retry_policy
from calls.services.campaigns import campaign_create, campaign_update
from calls.tests.factories import CampaignFactory
from customers.tests.factories import CustomerFactory, LoanFactory
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditEvent

pytestmark = pytest.mark.django_db


# --- Rules on the model -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, field",
    [
        ({"audience_min_days_past_due": 90, "audience_max_days_past_due": 30}, "audience_max_days_past_due"),
        ({"window_start": time(18), "window_end": time(9)}, "window_end"),
        ({"provider": "manual"}, "provider"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"max_attempts": 21}, "max_attempts"),
        ({"retry_policy": {"busy": {"after_minutes": 0, "max_retries": 1}}}, "retry_policy"),
        ({"retry_policy": {"busy": {"after_minutes": 30, "max_retries": 11}}}, "retry_policy"),
        ({"retry_policy": {"ringing": {"after_minutes": 30, "max_retries": 1}}}, "retry_policy"),
        ({"retry_policy": {"busy": "soon"}}, "retry_policy"),
        ({"audience_states": "Goa"}, "audience_states"),
    ],
)
def test_the_campaign_checks_its_own_settings(values, field):
    with pytest.raises(ValidationError) as refused:
        Campaign(name="x", **values).full_clean()

    assert field in refused.value.message_dict


def test_a_campaign_with_sensible_settings_is_valid():
    Campaign(
        name="x",
        audience_min_days_past_due=30,
        audience_max_days_past_due=30,
        max_attempts=20,
        retry_policy=default_retry_policy(),
    ).full_clean()


def test_the_retry_policy_problems_name_the_outcome_and_the_bounds():
    with pytest.raises(ValidationError) as refused:
        Campaign(name="x", retry_policy={"no_answer": {"after_minutes": 0, "max_retries": 2}}).full_clean()

    assert refused.value.message_dict["retry_policy"] == [
        "no_answer: after_minutes must be a whole number from 1 to 10080."
    ]


# --- Updating ------------------------------------------------------------------------------------------------


def test_a_draft_changes_anything_and_the_change_is_audited_field_by_field(back_office_user):
    campaign = CampaignFactory(name="March", audience_states=["Goa"], window_end=time(19))

    campaign_update(
        campaign=campaign,
        actor=back_office_user,
        data={"name": " April  list ", "audience_states": ["ka", "Goa"], "window_end": time(17, 30), "max_attempts": 3},
    )

    campaign.refresh_from_db()
    assert (campaign.name, campaign.audience_states, campaign.window_end) == (
        "April list",
        ["Goa", "Karnataka"],
        time(17, 30),
    )
    audit = AuditEvent.objects.get(action="campaign.updated")
    assert audit.actor == back_office_user
    assert audit.details == {
        "changes": {
            "name": ["March", "April list"],
            "audience_states": [["Goa"], ["Goa", "Karnataka"]],
            "window_end": ["19:00:00", "17:30:00"],
        }
    }


def test_nothing_changed_records_nothing(back_office_user):
    campaign = CampaignFactory(name="March")

    campaign_update(campaign=campaign, actor=back_office_user, data={"name": "March", "max_attempts": 3})

    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("status", [CampaignStatus.RUNNING, CampaignStatus.PAUSED])
def test_a_started_campaign_keeps_its_audience_but_may_change_how_it_calls(back_office_user, status):
    campaign = CampaignFactory(status=status, audience_states=["Goa"], audience_min_days_past_due=30)

    with pytest.raises(ApplicationError) as refused:
        campaign_update(
            campaign=campaign,
            actor=back_office_user,
            data={"audience_states": ["Goa", "Kerala"], "max_attempts": 5},
        )

    assert refused.value.code == "campaign_state"
    assert "whom it calls can change (audience_states)" in refused.value.message
    campaign.refresh_from_db()
    assert (campaign.audience_states, campaign.max_attempts) == (["Goa"], 3)
    assert not AuditEvent.objects.exists()

    campaign_update(
        campaign=campaign,
        actor=back_office_user,
        data={"audience_states": ["Goa"], "audience_min_days_past_due": 30, "max_attempts": 5},
    )
    campaign.refresh_from_db()
    assert campaign.max_attempts == 5
    assert AuditEvent.objects.get().details == {"changes": {"max_attempts": [3, 5]}}


def test_a_completed_campaign_changes_nothing(back_office_user):
    campaign = CampaignFactory(status=CampaignStatus.COMPLETED, name="Done")

    with pytest.raises(ApplicationError, match="nothing about it can change"):
        campaign_update(campaign=campaign, actor=back_office_user, data={"name": "Renamed"})

    campaign.refresh_from_db()
    assert campaign.name == "Done"


def test_a_retry_policy_given_for_some_outcomes_keeps_the_others(back_office_user):
    campaign = CampaignFactory()

    campaign_update(
        campaign=campaign,
        actor=back_office_user,
        data={"retry_policy": {"busy": {"after_minutes": 15, "max_retries": 3}}},
    )

    campaign.refresh_from_db()
    assert campaign.retry_policy == {**default_retry_policy(), "busy": {"after_minutes": 15, "max_retries": 3}}


def test_an_update_is_checked_by_the_model(back_office_user):
    campaign = CampaignFactory(audience_min_days_past_due=30)

    with pytest.raises(ValidationError) as refused:
        campaign_update(campaign=campaign, actor=back_office_user, data={"audience_max_days_past_due": 10})

    assert "audience_max_days_past_due" in refused.value.message_dict
    campaign.refresh_from_db()
    assert campaign.audience_max_days_past_due is None


def test_only_settings_are_updated(back_office_user):
    with pytest.raises(TypeError, match="status"):
        campaign_update(campaign=CampaignFactory(), actor=back_office_user, data={"status": "running"})


# --- Audience states by their one name ----------------------------------------------------------------------


def test_a_state_code_is_read_in_the_countries_the_campaign_calls(back_office_user):
    goa = campaign_create(name="Goa", actor=back_office_user, audience_states=["GA"], phone_countries=["IN"])
    georgia = campaign_create(name="Georgia", actor=back_office_user, audience_states=["ga"], phone_countries=["US"])

    assert goa.audience_states == ["Goa"]
    assert georgia.audience_states == ["Georgia"]


def test_a_code_of_two_countries_is_refused_until_named(back_office_user):
    with pytest.raises(ValidationError) as refused:
        campaign_create(name="Both", actor=back_office_user, audience_states=["GA"])  # India and the US

    assert refused.value.message_dict["audience_states"] == ["“GA” may be Goa or Georgia: choose it by name."]
    assert not Campaign.objects.exists()


def test_a_state_audience_finds_borrowers_whatever_their_file_wrote(back_office_user):
    from calls.services.audience import campaign_audience
    from customers.services import customer_upsert, loan_upsert

    written = {}
    for phone, state in [("9876543210", "KA"), ("9876543211", "karnataka"), ("9876543212", "Karnataka ")]:
        customer = customer_upsert(phone=phone, full_name="Asha Rao", state=state).instance
        written[customer.pk] = loan_upsert(customer=customer, loan_id=f"LN-{phone}", outstanding_amount=1000).instance
    LoanFactory(customer=CustomerFactory(state="Kerala"))

    campaign = campaign_create(name="Karnataka", actor=back_office_user, audience_states=["KA"], phone_countries=["IN"])

    assert set(campaign_audience(campaign=campaign)) == set(written.values())
