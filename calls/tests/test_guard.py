from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from calls.models import CallStatus, PromiseStatus
from calls.services.guard import compliance_check
from calls.tests.factories import CallFactory, CampaignFactory, PromiseFactory
from customers.tests.factories import CustomerFactory, LoanFactory

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")


def at(hour: int, minute: int = 0, day: date = date(2026, 11, 20), zone: ZoneInfo = IST) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


@pytest.mark.parametrize(
    ("hour", "minute", "allowed"),
    [(7, 59, False), (8, 0, True), (12, 0, True), (18, 59, True), (19, 0, False), (23, 30, False), (0, 0, False)],
)
def test_calls_only_between_eight_and_seven_local_time(hour, minute, allowed):
    customer = CustomerFactory(phone="+919876543210")

    decision = compliance_check(customer=customer, at=at(hour, minute))

    assert decision.allowed is allowed
    if not allowed:
        assert decision.code == "outside_window"
        assert "08:00–19:00" in decision.reason
        assert decision.retry_at.astimezone(IST).time() == time(8, 0)


def test_the_window_is_the_customers_own_time_zone():
    uk_customer = CustomerFactory(phone="+442079460958")
    # 09:00 in India is 03:30 in London in November: too early there.
    assert not compliance_check(customer=uk_customer, at=at(9, 0))
    # 13:30 in India is 08:00 in London.
    assert compliance_check(customer=uk_customer, at=at(13, 30))
    assert not compliance_check(customer=uk_customer, at=at(13, 29))


def test_a_number_spanning_several_zones_must_be_inside_the_window_in_all():
    us_customer = CustomerFactory(phone="+14155552671")  # California
    noon_new_york = datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("America/New_York"))
    assert compliance_check(customer=us_customer, at=noon_new_york)
    eight_new_york = datetime(2026, 11, 20, 8, 30, tzinfo=ZoneInfo("America/New_York"))  # 05:30 in California
    assert not compliance_check(customer=us_customer, at=eight_new_york)


def test_a_campaign_may_narrow_the_window_but_never_widen_it():
    customer = CustomerFactory(phone="+919876543210")
    narrow = CampaignFactory(window_start=time(10, 0), window_end=time(17, 0))
    wide = CampaignFactory(window_start=time(6, 0), window_end=time(22, 0))

    assert not compliance_check(customer=customer, campaign=narrow, at=at(9, 30))
    assert compliance_check(customer=customer, campaign=narrow, at=at(10, 0))
    assert not compliance_check(customer=customer, campaign=narrow, at=at(17, 0))
    assert not compliance_check(customer=customer, campaign=wide, at=at(7, 0))
    assert not compliance_check(customer=customer, campaign=wide, at=at(20, 0))


def test_never_a_do_not_call_customer_and_never_to_be_retried():
    customer = CustomerFactory(do_not_call=True, do_not_call_reason="asked to stop")

    decision = compliance_check(customer=customer, at=at(12))

    assert decision.code == "do_not_call"
    assert "asked to stop" in decision.reason
    assert decision.retry_at is None


def _dialled(customer, when: datetime, n: int) -> None:
    for _ in range(n):
        CallFactory(customer=customer, status=CallStatus.COMPLETED, queued_at=when)


def test_at_most_n_calls_a_day(settings):
    settings.CALLS_MAX_PER_DAY = 3
    customer = CustomerFactory(phone="+919876543210")
    _dialled(customer, at(9), 2)
    assert compliance_check(customer=customer, at=at(12))

    _dialled(customer, at(10), 1)
    decision = compliance_check(customer=customer, at=at(12))
    assert decision.code == "daily_cap"
    assert decision.retry_at == datetime(2026, 11, 21, 0, 0, tzinfo=IST)
    # Calls of yesterday do not count against today.
    assert compliance_check(customer=customer, at=at(12, day=date(2026, 11, 21)))


def test_at_most_m_calls_in_seven_days(settings):
    settings.CALLS_MAX_PER_DAY = 5
    settings.CALLS_MAX_PER_WEEK = 4
    customer = CustomerFactory(phone="+919876543210")
    for days_ago in (6, 5, 3):
        _dialled(customer, at(10) - timedelta(days=days_ago), 1)
    assert compliance_check(customer=customer, at=at(12))

    _dialled(customer, at(9), 1)
    decision = compliance_check(customer=customer, at=at(12))
    assert decision.code == "weekly_cap"
    assert decision.retry_at == at(10) - timedelta(days=6) + timedelta(days=7)


def test_canceled_and_scheduled_calls_do_not_count(settings):
    settings.CALLS_MAX_PER_DAY = 1
    customer = CustomerFactory(phone="+919876543210")
    CallFactory(customer=customer, status=CallStatus.CANCELED, queued_at=at(9))
    CallFactory(customer=customer, status=CallStatus.SCHEDULED)
    assert compliance_check(customer=customer, at=at(12))


def test_no_call_while_a_promise_is_open_and_not_yet_due():
    loan = LoanFactory(customer=CustomerFactory(phone="+919876543210"))
    PromiseFactory(loan=loan, promised_date=date(2026, 11, 25), grace_days=2)

    decision = compliance_check(customer=loan.customer, at=at(12))
    assert decision.code == "promise_open"
    assert decision.retry_at.date() == date(2026, 11, 28)
    # Past its date and grace days, the promise no longer holds calls back.
    assert compliance_check(customer=loan.customer, at=at(12, day=date(2026, 11, 28)))


def test_a_broken_or_kept_promise_does_not_block():
    loan = LoanFactory(customer=CustomerFactory(phone="+919876543210"))
    PromiseFactory(loan=loan, promised_date=date(2026, 11, 25), status=PromiseStatus.BROKEN)
    assert compliance_check(customer=loan.customer, at=at(12))


def test_never_a_second_call_while_one_is_live():
    customer = CustomerFactory(phone="+919876543210")
    live = CallFactory(customer=customer, status=CallStatus.RINGING)

    assert compliance_check(customer=customer, at=at(12)).code == "live_call"
    assert compliance_check(customer=customer, call=live, at=at(12))
