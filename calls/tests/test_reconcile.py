"""Calls whose webhooks were lost: the provider is asked for the real state, or the call is closed as
lost, so it neither blocks its customer nor holds a provider slot for ever."""

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from calls.compliance import guard_check_customer
from calls.models import Call, CallStatus, CampaignStatus, Provider
from calls.providers.base import ProviderError, ProviderEvent
from calls.providers.simulated import SimulatedProvider
from calls.services.dispatch import dispatch_due_calls
from calls.services.reconcile import calls_reconcile
from calls.tests.factories import CallFactory, CampaignFactory, phone_template
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def stuck_call(*, minutes: int, provider: str = Provider.SIMULATED, status: str = CallStatus.RINGING, **kwargs) -> Call:
    started = timezone.now() - timedelta(minutes=minutes)
    call = CallFactory(
        customer=CustomerFactory(phone=phone_template(in_hours=True).format(kwargs.pop("number", 1))),
        provider=provider,
        status=status,
        queued_at=started,
        started_at=started,
        **kwargs,
    )
    call.provider_call_id = f"sim-{call.pk}" if provider == Provider.SIMULATED else "CA" + "0" * 32
    call.save()
    return call


def test_a_stuck_call_takes_the_state_the_provider_reports(settings):
    settings.CALLS_RECONCILE_AFTER_MINUTES = 15
    call = stuck_call(minutes=20)
    truth = SimulatedProvider().fetch_call(call.provider_call_id)
    assert guard_check_customer(customer=call.customer).code == "live_call"

    assert calls_reconcile() == {"requeued": 0, "updated": 1, "still_live": 0, "lost": 0}

    call.refresh_from_db()
    assert call.status == truth.status and call.ended_at is not None
    assert call.events.filter(provider_event_id=truth.event_id).exists()
    assert guard_check_customer(customer=call.customer)  # the customer may be called again
    assert calls_reconcile()["updated"] == 0  # done once


def test_a_call_younger_than_the_threshold_is_left_alone():
    stuck_call(minutes=5)
    assert calls_reconcile() == {"requeued": 0, "updated": 0, "still_live": 0, "lost": 0}


def test_a_call_the_provider_cannot_tell_about_is_closed_as_lost_and_frees_its_slot(settings):
    settings.CALLS_CONCURRENCY = {"twilio": 1}
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = ""  # asking Twilio fails: not configured
    campaign = CampaignFactory(status=CampaignStatus.RUNNING, provider=Provider.TWILIO)
    call = stuck_call(minutes=30, provider=Provider.TWILIO, campaign=campaign)
    waiting = CallFactory(
        customer=CustomerFactory(phone=phone_template(in_hours=True).format(2)),
        provider=Provider.TWILIO,
        scheduled_for=timezone.now() - timedelta(minutes=1),
    )
    assert dispatch_due_calls()["waiting"] == 1  # the stuck call holds Twilio's only slot

    assert calls_reconcile()["lost"] == 1

    call.refresh_from_db()
    assert call.status == CallStatus.LOST and call.disposition.code == "failed"
    assert "Twilio is not configured" in call.events.get(status=CallStatus.LOST).detail["error"]
    assert Call.objects.filter(campaign=campaign, attempt=2, status=CallStatus.SCHEDULED).exists()  # the policy retries
    with mock.patch("calls.services.dispatch._queue_placement"):
        assert dispatch_due_calls()["queued"] == 1
    assert Call.objects.get(pk=waiting.pk).status == CallStatus.QUEUED


def test_a_call_still_live_at_the_provider_waits_until_it_is_too_old(settings):
    settings.CALLS_LOST_AFTER_MINUTES = 120
    still = ProviderEvent(provider_call_id="x", status=CallStatus.IN_PROGRESS, event_id="x:fetched:in-progress")
    young = stuck_call(minutes=30, status=CallStatus.IN_PROGRESS, number=1)
    old = stuck_call(minutes=180, status=CallStatus.IN_PROGRESS, number=2)

    with mock.patch.object(SimulatedProvider, "fetch_call", return_value=still):
        assert calls_reconcile() == {"requeued": 0, "updated": 0, "still_live": 1, "lost": 1}

    assert Call.objects.get(pk=young.pk).status == CallStatus.IN_PROGRESS
    assert Call.objects.get(pk=old.pk).status == CallStatus.LOST


def test_a_provider_error_is_recorded_on_the_lost_call():
    call = stuck_call(minutes=30)
    with mock.patch.object(SimulatedProvider, "fetch_call", side_effect=ProviderError("Lookup refused (HTTP 500)")):
        calls_reconcile()
    assert Call.objects.get(pk=call.pk).events.get(status=CallStatus.LOST).detail == {
        "error": "Lookup refused (HTTP 500)"
    }


def test_a_queued_call_whose_message_expired_goes_back_to_the_dispatcher():
    fresh = CallFactory(status=CallStatus.QUEUED, queued_at=timezone.now())
    stale_at = timezone.now() - timedelta(seconds=settings.CALLS_QUEUE_EXPIRES_SECONDS + 120)
    stale = CallFactory(status=CallStatus.QUEUED, queued_at=stale_at)

    assert calls_reconcile()["requeued"] == 1

    assert Call.objects.get(pk=fresh.pk).status == CallStatus.QUEUED
    stale.refresh_from_db()
    assert stale.status == CallStatus.SCHEDULED and stale.scheduled_for >= stale_at
