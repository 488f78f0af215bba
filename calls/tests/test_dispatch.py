import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from calls.models import Call, CallStatus, CampaignStatus
from calls.services.campaigns import campaign_complete, campaign_pause, campaign_resume, campaign_start
from calls.services.dispatch import (
    call_place,
    call_request_adhoc,
    call_schedule_adhoc,
    call_schedule_retry,
    dispatch_due_calls,
)
from calls.tests.factories import CallFactory, CampaignFactory, PromiseFactory, calling_day_at
from customers.models import Loan, LoanStatus
from customers.services import loan_record_payment
from customers.tests.factories import CustomerFactory, LoanFactory
from uploads.tests.factories import upload_rows
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditEvent

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=IST)


def test_starting_a_campaign_schedules_one_call_per_borrower_of_its_audience(back_office_user):
    goa = [LoanFactory(customer=CustomerFactory(state="Goa"), days_past_due=10) for _ in range(3)]
    LoanFactory(customer=CustomerFactory(state="Kerala"), days_past_due=10)
    LoanFactory(customer=CustomerFactory(state="Goa", do_not_call=True), days_past_due=10)
    LoanFactory(customer=CustomerFactory(state="Goa"), days_past_due=10, outstanding_amount=0, status="settled")
    LoanFactory(customer=CustomerFactory(state="Goa"), days_past_due=0)
    campaign = CampaignFactory(audience_states=["Goa"], audience_min_days_past_due=5)

    scheduled = campaign_start(campaign=campaign, actor=back_office_user)

    assert scheduled == 3
    calls = Call.objects.filter(campaign=campaign)
    assert {c.loan_id for c in calls} == {loan.pk for loan in goa}
    assert {c.status for c in calls} == {CallStatus.SCHEDULED}
    assert all(c.phone_dialled == c.customer.phone and c.provider == "simulated" for c in calls)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RUNNING
    assert AuditEvent.objects.get(action="campaign.started").details == {"calls_scheduled": 3, "left_out_no_script": {}}


def test_a_borrower_with_several_loans_gets_one_call_about_all_of_them(back_office_user):
    two = CustomerFactory(state="Goa")
    LoanFactory(customer=two, days_past_due=10)
    LoanFactory(customer=two, days_past_due=40)
    one = LoanFactory(customer=CustomerFactory(state="Goa"), days_past_due=10)
    campaign = CampaignFactory(audience_states=["Goa"])

    assert campaign_start(campaign=campaign, actor=back_office_user) == 2

    calls = {call.customer_id: call for call in Call.objects.filter(campaign=campaign)}
    assert calls[two.pk].loan_id is None  # about every loan of theirs the campaign covers
    assert calls[one.customer_id].loan_id == one.pk


def test_customers_whose_language_has_no_script_are_left_out_and_counted(back_office_user):
    for language in ("mr", "mr", "ta", "hi", "en"):
        LoanFactory(customer=CustomerFactory(state="Goa", preferred_language=language), days_past_due=10)
    campaign = CampaignFactory(audience_states=["Goa"])

    assert campaign_start(campaign=campaign, actor=back_office_user) == 2

    campaign.refresh_from_db()
    assert campaign.audience_left_out == {"mr": 2, "ta": 1}
    assert set(Call.objects.filter(campaign=campaign).values_list("customer__preferred_language", flat=True)) == {
        "en",
        "hi",
    }


def test_a_campaign_on_an_uploads_customers():
    upload = upload_rows([["Name", "Phone", "Loan ID", "Amount"], ["Asha Rao", "9876543210", "LN-1", "100"]])
    LoanFactory()  # not in the upload
    campaign = CampaignFactory(audience_upload=upload)

    assert campaign_start(campaign=campaign, actor=None) == 1
    assert Call.objects.get().loan.loan_id == "LN-1"


def test_campaign_lifecycle_refuses_moves_out_of_order():
    campaign = CampaignFactory()
    with pytest.raises(ApplicationError, match="cannot be paused"):
        campaign_pause(campaign=campaign, actor=None)
    campaign_start(campaign=campaign, actor=None)
    with pytest.raises(ApplicationError, match="cannot be started"):
        campaign_start(campaign=campaign, actor=None)
    campaign_pause(campaign=campaign, actor=None)
    campaign_resume(campaign=campaign, actor=None)
    campaign_complete(campaign=campaign, actor=None)
    with pytest.raises(ApplicationError, match="cannot be resumed"):
        campaign_resume(campaign=campaign, actor=None)


def test_completing_a_campaign_cancels_calls_not_yet_placed():
    LoanFactory.create_batch(2)
    campaign = CampaignFactory()
    campaign_start(campaign=campaign, actor=None)

    campaign_complete(campaign=campaign, actor=None)

    assert set(Call.objects.values_list("status", flat=True)) == {CallStatus.CANCELED}


def test_the_dispatcher_queues_due_calls_the_guard_allows(django_capture_on_commit_callbacks):
    due = CallFactory(customer=CustomerFactory(phone="+919876543210"), scheduled_for=NOON - timedelta(minutes=1))
    later = CallFactory(scheduled_for=NOON + timedelta(hours=1))

    with django_capture_on_commit_callbacks() as callbacks:
        counts = dispatch_due_calls(now=NOON)

    assert counts == {"queued": 1, "postponed": 0, "canceled": 0, "waiting": 0}
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == CallStatus.QUEUED and due.queued_at is not None
    assert later.status == CallStatus.SCHEDULED
    assert len(callbacks) == 1  # placing the call is queued for after the commit


def test_the_dispatcher_postpones_calls_outside_the_window_and_says_why():
    night = datetime(2026, 11, 20, 21, 0, tzinfo=IST)
    call = CallFactory(customer=CustomerFactory(phone="+919876543210"), scheduled_for=night - timedelta(minutes=5))

    assert dispatch_due_calls(now=night)["postponed"] == 1

    call.refresh_from_db()
    assert call.status == CallStatus.SCHEDULED
    assert call.scheduled_for == datetime(2026, 11, 21, 8, 0, tzinfo=IST)
    assert "calls are allowed 08:00–19:00" in call.blocked_reason
    assert call.blocked_code == "outside_hours"
    assert call.events.get(kind="guard").detail["code"] == "outside_hours"


def test_the_dispatcher_cancels_calls_to_do_not_call_customers():
    call = CallFactory(customer=CustomerFactory(do_not_call="asked"), scheduled_for=NOON)

    assert dispatch_due_calls(now=NOON)["canceled"] == 1
    call.refresh_from_db()
    assert call.status == CallStatus.CANCELED


def test_the_dispatcher_skips_paused_campaigns_and_respects_the_provider_limit(settings):
    settings.CALLS_CONCURRENCY = {"simulated": 2}
    paused = CampaignFactory(status=CampaignStatus.PAUSED)
    CallFactory(campaign=paused, scheduled_for=NOON)
    running = CampaignFactory(status=CampaignStatus.RUNNING)
    CallFactory(campaign=running, status=CallStatus.RINGING, scheduled_for=NOON)
    for _ in range(3):
        CallFactory(campaign=running, scheduled_for=NOON)

    assert dispatch_due_calls(now=NOON)["queued"] == 1  # one slot left of two


def test_a_tick_costs_the_same_few_queries_whatever_the_table_holds(django_assert_max_num_queries, settings):
    settings.CALLS_CONCURRENCY = {"simulated": 5}
    for _ in range(30):
        CallFactory(scheduled_for=NOON + timedelta(days=1))  # not due
    for _ in range(3):
        CallFactory(customer=CustomerFactory(), scheduled_for=NOON)
    with django_assert_max_num_queries(40):
        dispatch_due_calls(now=NOON)


def test_placing_a_call_hands_it_to_the_provider(django_capture_on_commit_callbacks):
    call = CallFactory(status=CallStatus.QUEUED)

    with django_capture_on_commit_callbacks():
        call_place(call_id=call.pk, now=NOON)  # within the customer's calling hours, whatever the clock says

    call.refresh_from_db()
    assert call.status == CallStatus.DIALING
    assert call.provider_call_id == f"sim-{call.pk}"
    call_place(call_id=call.pk, now=NOON)  # a second delivery of the task changes nothing
    assert Call.objects.get(pk=call.pk).status == CallStatus.DIALING


@pytest.mark.parametrize(
    ("outcome", "after", "retries"),
    [("busy", 30, 2), ("no_answer", 120, 2), ("failed", 60, 1), ("machine", 240, 1)],
)
def test_retries_follow_the_campaigns_policy_per_outcome(outcome, after, retries):
    campaign = CampaignFactory(status=CampaignStatus.RUNNING, max_attempts=5)
    call = CallFactory(campaign=campaign, status=CallStatus.BUSY, started_at=timezone.now())

    attempts = [call]
    while (nxt := call_schedule_retry(call=attempts[-1], outcome=outcome)) is not None:
        nxt.started_at = timezone.now()  # each retry was dialled and ended the same way
        attempts.append(nxt)

    assert len(attempts) == 1 + retries
    second = attempts[1]
    assert second.attempt == 2 and second.status == CallStatus.SCHEDULED
    expected = timezone.now() + timedelta(minutes=after)
    assert abs((second.scheduled_for - expected).total_seconds()) < 60


def test_no_retry_after_a_conversation_or_beyond_the_attempt_cap():
    campaign = CampaignFactory(status=CampaignStatus.RUNNING, max_attempts=1)
    call = CallFactory(campaign=campaign)
    assert call_schedule_retry(call=call, outcome="busy") is None
    assert (
        call_schedule_retry(
            call=CallFactory(campaign=CampaignFactory(status=CampaignStatus.RUNNING)), outcome="promise_to_pay"
        )
        is None
    )


def test_an_ad_hoc_call_goes_through_the_guard():
    customer = CustomerFactory(phone="+919876543210")
    with pytest.raises(ApplicationError) as refused:
        call_schedule_adhoc(customer=customer, loan=None, at=datetime(2026, 11, 20, 20, 0, tzinfo=IST))
    assert refused.value.code == "outside_hours"

    call = call_schedule_adhoc(customer=customer, loan=None, at=NOON)
    assert call.status == CallStatus.SCHEDULED and call.campaign is None


@pytest.mark.parametrize(
    ("ahead", "message"),
    [
        (timedelta(minutes=-6), "The time is in the past."),
        (timedelta(days=-400), "The time is in the past."),
        (timedelta(days=367), "The time is more than a year ahead."),
    ],
)
def test_an_adhoc_call_is_refused_a_time_in_the_past_or_beyond_a_year(back_office_user, ahead, message):
    now = calling_day_at(11)

    with pytest.raises(ApplicationError) as refused:
        call_request_adhoc(customer=CustomerFactory(), loan=None, at=now + ahead, actor=back_office_user, now=now)

    # The API answers it as it answers a field it cannot take: "invalid", the message under the field.
    assert (refused.value.code, refused.value.message) == ("invalid", message)
    assert refused.value.details == {"at": [message]}
    assert not Call.objects.exists() and not AuditEvent.objects.filter(action="call.adhoc_scheduled").exists()


@pytest.mark.parametrize("ahead", [timedelta(minutes=-4), timedelta(0), timedelta(hours=2)])
def test_an_adhoc_call_from_a_moment_just_past_to_a_year_ahead_is_scheduled(back_office_user, ahead):
    """A time a few minutes past is taken (clocks differ a little); the guard still judges the time."""
    now = calling_day_at(11)

    call = call_request_adhoc(customer=CustomerFactory(), loan=None, at=now + ahead, actor=back_office_user, now=now)

    assert call.scheduled_for == now + ahead and call.status == CallStatus.SCHEDULED
    assert AuditEvent.objects.get(action="call.adhoc_scheduled").actor == back_office_user


def test_the_bot_is_not_sent_to_a_customer_whose_language_it_does_not_speak():
    customer = CustomerFactory(phone="+919876543210", preferred_language="ta")
    with pytest.raises(ApplicationError) as refused:
        call_schedule_adhoc(customer=customer, loan=None, at=NOON)
    assert refused.value.code == "no_script" and "Tamil" in refused.value.message
    assert not Call.objects.exists()


def test_starting_a_large_campaign_is_one_statement(django_assert_max_num_queries):
    customers = CustomerFactory.create_batch(50)
    for customer in customers:
        LoanFactory(customer=customer, outstanding_amount=Decimal("10"))
    campaign = CampaignFactory()
    with django_assert_max_num_queries(8):
        assert campaign_start(campaign=campaign, actor=None) == 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_never_claim_the_same_call(settings):
    settings.CALLS_CONCURRENCY = {"simulated": 100}
    now = timezone.now().astimezone(IST).replace(hour=12, minute=0)
    for _ in range(40):
        CallFactory(scheduled_for=now - timedelta(minutes=1))
    barrier = threading.Barrier(2)
    results = []

    def tick():
        barrier.wait()
        try:
            results.append(dispatch_due_calls(now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(r["queued"] for r in results) == 40
    assert Call.objects.filter(status=CallStatus.QUEUED).count() == 40
    # Each call was moved to queued exactly once.
    from calls.models import CallEvent

    assert CallEvent.objects.filter(status=CallStatus.QUEUED).count() == 40


# --- Refusals in bulk, in the customer's zone ------------------------------------------------------


def test_one_tick_moves_every_blocked_call_and_gives_the_slots_to_calls_that_may_dial(
    settings, django_assert_max_num_queries
):
    settings.CALLS_CONCURRENCY = {"simulated": 5}
    settings.CALLS_DISPATCH_BATCH = 10
    # Noon in India is 01:30 in New York: thirty calls there are due first, and none may dial.
    blocked = [
        CallFactory(customer=CustomerFactory(phone=f"+1212555{i:04d}"), scheduled_for=NOON - timedelta(hours=2))
        for i in range(30)
    ]
    allowed = [
        CallFactory(customer=CustomerFactory(phone=f"+91987654{i:04d}"), scheduled_for=NOON - timedelta(minutes=1))
        for i in range(6)
    ]

    with django_assert_max_num_queries(80):  # a few statements per batch of ten, not a few per call
        counts = dispatch_due_calls(now=NOON)

    assert counts == {"queued": 5, "postponed": 30, "canceled": 0, "waiting": 1}
    new_york_morning = datetime(2026, 11, 20, 8, 0, tzinfo=ZoneInfo("America/New_York"))
    assert {Call.objects.get(pk=c.pk).scheduled_for for c in blocked} == {new_york_morning}
    assert set(Call.objects.filter(pk__in=[c.pk for c in blocked]).values_list("blocked_code", flat=True)) == {
        "outside_hours"
    }
    assert Call.objects.filter(pk__in=[c.pk for c in allowed], status=CallStatus.QUEUED).count() == 5
    # The next tick has nothing left to postpone; the sixth call waits for a free slot.
    assert dispatch_due_calls(now=NOON) == {"queued": 0, "postponed": 0, "canceled": 0, "waiting": 1}


def test_a_refused_call_moves_to_the_customers_own_next_morning_and_does_not_starve_others(settings):
    settings.CALLS_CONCURRENCY = {"simulated": 1}
    los_angeles = ZoneInfo("America/Los_Angeles")
    # 11:00 on the 20th in California is already the 21st in India, the server's zone.
    now = datetime(2026, 11, 20, 11, 0, tzinfo=los_angeles)
    promised = LoanFactory(customer=CustomerFactory(phone="+14155550001"))
    PromiseFactory(loan=promised, promised_date=date(2026, 11, 20), grace_days=0)
    held = CallFactory(customer=promised.customer, loan=promised, scheduled_for=now - timedelta(hours=1))
    other = CallFactory(customer=CustomerFactory(phone="+14155550002"), scheduled_for=now - timedelta(minutes=5))

    assert dispatch_due_calls(now=now) == {"queued": 1, "postponed": 1, "canceled": 0, "waiting": 0}

    held.refresh_from_db()
    assert held.scheduled_for == datetime(2026, 11, 21, 8, 0, tzinfo=los_angeles) > now
    assert held.blocked_code == "open_promise"
    assert Call.objects.get(pk=other.pk).status == CallStatus.QUEUED


def test_calls_about_a_loan_that_became_settled_are_canceled_with_the_reason(django_capture_on_commit_callbacks):
    upload_rows([["Name", "Phone", "Loan ID", "Amount"], ["Asha Rao", "9876543210", "LN-1", "1,000"]])
    loan = Loan.objects.get(loan_id="LN-1")
    campaign = CampaignFactory(status=CampaignStatus.RUNNING)
    call = CallFactory(campaign=campaign, customer=loan.customer, loan=loan, scheduled_for=NOON + timedelta(days=3))

    with django_capture_on_commit_callbacks(execute=True):
        upload_rows([["Name", "Phone", "Loan ID", "Amount"], ["Asha Rao", "9876543210", "LN-1", "0.00"]])

    loan.refresh_from_db()
    call.refresh_from_db()
    assert loan.status == LoanStatus.SETTLED
    assert (call.status, call.blocked_code) == (CallStatus.CANCELED, "settled")
    assert "Loan LN-1 is settled" in call.blocked_reason
    # Settled loans are no campaign's audience.
    assert campaign_start(campaign=CampaignFactory(), actor=None) == 0


def test_a_payment_that_clears_the_loan_cancels_its_calls(back_office_user, django_capture_on_commit_callbacks):
    loan = LoanFactory(outstanding_amount=Decimal("500.00"))
    call = CallFactory(customer=loan.customer, loan=loan, scheduled_for=NOON + timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        loan_record_payment(loan=loan, amount=Decimal("500.00"), paid_on=date(2026, 11, 20), actor=back_office_user)

    assert Call.objects.get(pk=call.pk).status == CallStatus.CANCELED


def test_campaigns_move_along_their_own_map():
    campaign = CampaignFactory()
    with pytest.raises(ApplicationError, match="draft; it cannot be resumed"):
        campaign_resume(campaign=campaign, actor=None)
    campaign_complete(campaign=campaign, actor=None)  # a draft may be abandoned
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.COMPLETED
    with pytest.raises(ApplicationError, match="completed; it cannot be paused"):
        campaign_pause(campaign=campaign, actor=None)
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["campaign.completed"]
