"""The guard asked again at the instant of dialling, queued messages that expire, and attempts that
never reached the network (they count against nothing)."""

from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from calls.models import Call, CallStatus, CampaignStatus
from calls.providers.base import ProviderError
from calls.services.dispatch import call_place, dispatch_due_calls
from calls.tasks import call_place_task
from calls.tests.factories import CallFactory, CampaignFactory, phone_template
from customers.models import SuppressionKind
from customers.tests.factories import CustomerFactory, SuppressionFactory
from voiceassist.common.testing import wait_until

IST = ZoneInfo("Asia/Kolkata")
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=IST)
EVENING = datetime(2026, 11, 20, 19, 5, tzinfo=IST)


def queued_call(number: int = 0, **kwargs) -> Call:
    customer = CustomerFactory(phone=f"+91987654{number:04d}")
    return CallFactory(status=CallStatus.QUEUED, queued_at=NOON, customer=customer, **kwargs)


@pytest.mark.django_db
def test_a_call_queued_in_hours_and_picked_up_after_the_window_closed_goes_back_to_scheduled():
    call = queued_call()

    call_place(call_id=call.pk, now=EVENING)

    call.refresh_from_db()
    assert call.status == CallStatus.SCHEDULED
    assert call.scheduled_for == datetime(2026, 11, 21, 8, 0, tzinfo=IST)
    assert (call.blocked_code, call.provider_call_id, call.started_at) == ("outside_hours", "", None)
    assert "19:05" in call.blocked_reason
    guard = call.events.get(kind="guard")
    assert guard.detail["at"] == "dial" and guard.detail["next_allowed_at"] == "2026-11-21T08:00:00+05:30"


@pytest.mark.django_db
def test_a_suppression_or_a_settled_loan_that_arrived_while_queued_cancels_the_call():
    disputed = queued_call()
    SuppressionFactory(customer=disputed.customer, kind=SuppressionKind.DISPUTE, loan=disputed.loan)
    settled = queued_call(1)
    settled.loan.outstanding_amount, settled.loan.status = 0, "settled"
    settled.loan.save()

    call_place(call_id=disputed.pk, now=NOON)
    call_place(call_id=settled.pk, now=NOON)

    assert Call.objects.get(pk=disputed.pk).status == CallStatus.CANCELED
    assert Call.objects.get(pk=disputed.pk).blocked_code == "dispute"
    assert (Call.objects.get(pk=settled.pk).status, Call.objects.get(pk=settled.pk).blocked_code) == (
        CallStatus.CANCELED,
        "settled",
    )


@pytest.mark.django_db
def test_a_call_of_a_paused_campaign_waits_and_of_a_completed_one_is_canceled():
    paused = queued_call(campaign=CampaignFactory(status=CampaignStatus.PAUSED))
    done = queued_call(1, campaign=CampaignFactory(status=CampaignStatus.COMPLETED))

    call_place(call_id=paused.pk, now=NOON)
    call_place(call_id=done.pk, now=NOON)

    assert Call.objects.get(pk=paused.pk).status == CallStatus.SCHEDULED
    assert Call.objects.get(pk=done.pk).status == CallStatus.CANCELED


@pytest.mark.django_db
def test_queued_messages_carry_an_expiry(settings, django_capture_on_commit_callbacks):
    settings.CALLS_QUEUE_EXPIRES_SECONDS = 90
    call = CallFactory(customer=CustomerFactory(phone="+919876543210"), scheduled_for=NOON)

    with (
        mock.patch.object(call_place_task, "apply_async") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        dispatch_due_calls(now=NOON)

    send.assert_called_once_with((call.pk,), expires=90)


@pytest.mark.django_db
def test_a_call_the_provider_refused_counts_for_nothing_and_is_tried_again_as_the_same_attempt(settings):
    settings.CALLS_MAX_FAILURES_BEFORE_DIAL = 2
    campaign = CampaignFactory(status=CampaignStatus.RUNNING, max_attempts=1)
    call = queued_call(campaign=campaign)

    with mock.patch("calls.providers.simulated.SimulatedProvider.place_call", side_effect=ProviderError("down")):
        call_place(call_id=call.pk, now=NOON)
        call.refresh_from_db()
        assert (call.status, call.started_at) == (CallStatus.FAILED, None)
        assert call.events.get(status=CallStatus.FAILED).detail == {"error": "down", "before_dial": True}
        retry = Call.objects.exclude(pk=call.pk).get()
        # The campaign allows one attempt: this one never happened, so the retry is still attempt 1.
        assert (retry.attempt, retry.status) == (1, CallStatus.SCHEDULED)

        retry.status, retry.queued_at = CallStatus.QUEUED, NOON
        retry.save()
        call_place(call_id=retry.pk, now=NOON)
    # Two failures before dialling in a row: the campaign gives up on this loan.
    assert Call.objects.count() == 2
    assert Call.objects.filter(started_at__isnull=False).count() == 0


# --- With a real worker ----------------------------------------------------------------------------


@pytest.mark.worker
def test_a_real_worker_started_after_the_window_closed_never_dials(celery_worker_process):
    """The call is queued while its customer is in hours; the worker only starts once they are not."""
    now = timezone.now()
    customer = CustomerFactory(phone=phone_template(in_hours=False, margin=timedelta(minutes=20)).format(1))
    yesterday_noon = (now - timedelta(days=1)).astimezone(ZoneInfo("UTC"))
    # A moment that was inside the customer's hours: walk back an hour at a time until the guard agrees.
    from calls.compliance import guard_check_customer

    inside = yesterday_noon
    while not guard_check_customer(customer=customer, at=inside):
        inside -= timedelta(hours=1)
    call = CallFactory(customer=customer, scheduled_for=inside - timedelta(minutes=1))

    assert dispatch_due_calls(now=inside)["queued"] == 1  # the message waits in the broker: no worker yet
    assert Call.objects.get(pk=call.pk).status == CallStatus.QUEUED

    celery_worker_process()

    call = wait_until(lambda: Call.objects.filter(pk=call.pk, status=CallStatus.SCHEDULED).first(), timeout=60)
    assert call.blocked_code in ("outside_hours", "holiday")
    assert call.provider_call_id == "" and call.started_at is None
    assert call.scheduled_for > timezone.now()
    assert call.events.filter(kind="guard", detail__at="dial").exists()


@pytest.mark.worker
def test_a_real_worker_drops_an_expired_message_and_the_call_is_handed_back(celery_worker_process):
    from calls.services.reconcile import calls_reconcile
    from voiceassist.common.models import WorkerHeartbeat
    from voiceassist.common.tasks import worker_heartbeat

    customer = CustomerFactory(phone=phone_template(in_hours=True).format(2))
    call = CallFactory(customer=customer, status=CallStatus.QUEUED, queued_at=timezone.now() - timedelta(minutes=10))
    call_place_task.apply_async((call.pk,), expires=timezone.now() - timedelta(minutes=5))
    worker_heartbeat.delay()  # queued after it: once this has run, the worker has seen the stale message

    celery_worker_process()
    wait_until(lambda: WorkerHeartbeat.objects.exists(), timeout=60)

    call.refresh_from_db()
    assert (call.status, call.provider_call_id) == (CallStatus.QUEUED, "")
    assert calls_reconcile()["requeued"] == 1
    call.refresh_from_db()
    assert call.status == CallStatus.SCHEDULED
