"""The one name a US customer's state is stored by is one the compliance guard reads as that state, and
campaigns written before states had one name keep their audience."""

from importlib import import_module

import pytest
from django.apps import apps

from calls.compliance import jurisdiction_for
from calls.compliance.rules.us_states import US_STATES as GUARDS_US_STATES
from calls.compliance.rules.us_states import us_state_code
from calls.tests.factories import CampaignFactory
from customers.states import US_STATES, state_normalize


def test_the_guard_reads_every_stored_us_state_as_its_own():
    assert set(US_STATES) == set(GUARDS_US_STATES)
    for code in US_STATES:
        assert us_state_code(state_normalize(code, country="US")) == code


def test_a_customer_written_ma_is_under_massachusetts_law():
    assert jurisdiction_for("+14155550123", state_normalize("MA", country="US")).state == "MA"


@pytest.mark.django_db
def test_the_migration_gives_campaigns_audience_states_their_one_name(settings):
    settings.CALL_COUNTRIES = ["IN", "US"]
    migration = import_module("calls.migrations.0010_campaign_audience_states_one_name")
    indian = CampaignFactory(audience_states=["KA", "goa"], phone_countries=["IN"])
    both = CampaignFactory(audience_states=["GA"])  # Goa and Georgia borrowers alike were written GA
    everyone = CampaignFactory(audience_states=[])

    migration.audience_states_normalize(apps, None)

    for campaign in (indian, both, everyone):
        campaign.refresh_from_db()
    assert indian.audience_states == ["Goa", "Karnataka"]
    assert both.audience_states == ["Georgia", "Goa"]
    assert everyone.audience_states == []
