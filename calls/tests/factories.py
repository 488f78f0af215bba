from datetime import date, datetime, time, timedelta

import factory
from django.utils import timezone

from calls.compliance import jurisdiction_for
from calls.models import Call, CallStatus, Campaign, PromiseToPay
from customers.tests.factories import CustomerFactory, LoanFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    provider = "simulated"
    window_start = time(8, 0)
    window_end = time(19, 0)


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    customer = factory.SubFactory(CustomerFactory)
    loan = factory.SubFactory(LoanFactory, customer=factory.SelfAttribute("..customer"))
    phone_dialled = factory.SelfAttribute("customer.phone")
    provider = "simulated"
    status = CallStatus.SCHEDULED
    scheduled_for = factory.LazyFunction(timezone.now)


class PromiseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PromiseToPay

    loan = factory.SubFactory(LoanFactory)
    customer = factory.SelfAttribute("loan.customer")
    amount = 1000
    promised_date = factory.LazyFunction(timezone.localdate)
    outstanding_at_promise = factory.SelfAttribute("loan.outstanding_amount")


def calling_day(*, phone: str = "+919876543210", after: int = 1) -> date:
    """The first day at least ``after`` days from today (the customer's today) that is not a public
    holiday for this phone: tests that book a call "tomorrow" must not land on Diwali."""
    place = jurisdiction_for(phone)
    day = timezone.now().astimezone(place.home_zone).date() + timedelta(days=after)
    while place.holiday(day):
        day += timedelta(days=1)
    return day


def calling_day_at(hour: int, minute: int = 0, *, phone: str = "+919876543210") -> datetime:
    """``calling_day`` at this local time of the customer's."""
    place = jurisdiction_for(phone)
    return datetime.combine(calling_day(phone=phone), time(hour, minute), tzinfo=place.home_zone)


# Numbers of places spread round the globe ({} takes four digits), for tests run by real processes at
# the real time of day: at any moment some of these are in calling hours and some are not.
PLACES_ROUND_THE_GLOBE = (
    "+91987654{:04d}",  # India
    "+1212555{:04d}",  # New York
    "+1415555{:04d}",  # California
    "+1808555{:04d}",  # Hawaii
    "+44207946{:04d}",  # London
    "+8131234{:04d}",  # Tokyo
    "+6129120{:04d}",  # Sydney
    "+5511991{:06d}",  # São Paulo
)


def phone_template(*, in_hours: bool, margin: timedelta = timedelta(minutes=30), now: datetime | None = None) -> str:
    """A template of numbers whose customers are (or are not) in calling hours now, and stay so for
    ``margin``: no holiday, nothing to do with the guard but the hour."""
    now = now or timezone.now()
    for template in PLACES_ROUND_THE_GLOBE:
        phone = template.format(0)
        place = jurisdiction_for(phone)
        start, end = place.rules.window
        inside = []
        for moment in (now, now + margin):
            local = moment.astimezone(place.home_zone)
            if place.holiday(local.date()):
                break
            inside.append(start <= local.time() < end)
        else:
            if all(inside) if in_hours else not any(inside):
                return template
    raise AssertionError("No place round the globe fits; add one to PLACES_ROUND_THE_GLOBE.")
