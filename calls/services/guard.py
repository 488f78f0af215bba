"""The compliance guard: asked before every dial, it answers yes, or no with a reason.

Rules, in order: never a do-not-call customer; only inside the calling window in the customer's local
time (the legal window in settings, narrowed by the campaign, never widened); at most
``CALLS_MAX_PER_DAY`` calls a local day and ``CALLS_MAX_PER_WEEK`` in 7 days; not while a promise to
pay is open and not yet due; never a second call while one is live.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
from django.conf import settings
from django.utils import timezone
from phonenumbers import timezone as phone_timezones

from calls.models import Call, CallStatus, Campaign, PromiseStatus, PromiseToPay
from customers.models import Customer

from .status import LIVE

# Calls that count against the caps: every call that was handed to a provider.
_DIALLED = [s for s in CallStatus.values if s not in (CallStatus.SCHEDULED, CallStatus.CANCELED)]


@dataclass(frozen=True)
class GuardDecision:
    allowed: bool
    code: str = ""
    reason: str = ""
    retry_at: datetime | None = None  # the earliest moment the answer may change; None: never (do-not-call)

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = GuardDecision(allowed=True)


def legal_window() -> tuple[time, time]:
    return time.fromisoformat(settings.CALLS_WINDOW_START), time.fromisoformat(settings.CALLS_WINDOW_END)


def calling_window(campaign: Campaign | None) -> tuple[time, time]:
    """The legal window, narrowed by the campaign's own (a campaign can never widen it)."""
    start, end = legal_window()
    if campaign is not None:
        start, end = max(start, campaign.window_start), min(end, campaign.window_end)
    return start, end


def customer_time_zones(customer: Customer) -> list[ZoneInfo]:
    """The time zones of the customer's phone number (several for large countries)."""
    try:
        names = phone_timezones.time_zones_for_number(phonenumbers.parse(customer.phone))
    except phonenumbers.NumberParseException:
        names = ()
    zones = [ZoneInfo(name) for name in names if name != "Etc/Unknown"]
    return zones or [ZoneInfo(settings.TIME_ZONE)]


def _window_check(customer: Customer, campaign: Campaign | None, now: datetime) -> GuardDecision:
    start, end = calling_window(campaign)
    # Where the number could be in several zones, it must be inside the window in every one of them.
    for zone in customer_time_zones(customer):
        local = now.astimezone(zone)
        if not start <= local.time() < end:
            opens = datetime.combine(local.date(), start, tzinfo=zone)
            if local.time() >= end:
                opens += timedelta(days=1)
            return GuardDecision(
                allowed=False,
                code="outside_window",
                reason=f"It is {local:%H:%M} for the customer ({zone.key}); calls are allowed "
                f"{start:%H:%M}–{end:%H:%M} their time.",
                retry_at=opens,
            )
    return ALLOW


def _local_midnight(customer: Customer, now: datetime) -> datetime:
    zone = customer_time_zones(customer)[0]
    return datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)


def _caps_check(customer: Customer, now: datetime, exclude: Call | None) -> GuardDecision:
    dialled = Call.objects.filter(customer=customer, status__in=_DIALLED, queued_at__gte=now - timedelta(days=7))
    if exclude is not None:
        dialled = dialled.exclude(pk=exclude.pk)
    midnight = _local_midnight(customer, now)
    week = list(dialled.order_by("queued_at").values_list("queued_at", flat=True))
    today = [at for at in week if at >= midnight]
    if len(today) >= settings.CALLS_MAX_PER_DAY:
        return GuardDecision(
            allowed=False,
            code="daily_cap",
            reason=f"Already {len(today)} calls to this customer today (at most {settings.CALLS_MAX_PER_DAY}).",
            retry_at=midnight + timedelta(days=1),
        )
    if len(week) >= settings.CALLS_MAX_PER_WEEK:
        return GuardDecision(
            allowed=False,
            code="weekly_cap",
            reason=f"Already {len(week)} calls to this customer in 7 days (at most {settings.CALLS_MAX_PER_WEEK}).",
            retry_at=week[len(week) - settings.CALLS_MAX_PER_WEEK] + timedelta(days=7),
        )
    return ALLOW


def _promise_check(customer: Customer, today: date) -> GuardDecision:
    promises = PromiseToPay.objects.filter(customer=customer, status=PromiseStatus.OPEN)
    for promise in promises.order_by("-promised_date"):
        last_day = promise.promised_date + timedelta(days=promise.grace_days)
        if last_day >= today:
            return GuardDecision(
                allowed=False,
                code="promise_open",
                reason=f"The customer promised to pay {promise.amount} by {promise.promised_date:%d %b %Y}; "
                "no calls until that promise is due.",
                retry_at=timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time(0))),
            )
    return ALLOW


def compliance_check(
    *, customer: Customer, campaign: Campaign | None = None, call: Call | None = None, at: datetime | None = None
) -> GuardDecision:
    """May ``customer`` be called now (or ``at``)? ``call`` is the call about to be dialled, if any."""
    now = at or timezone.now()
    if customer.do_not_call:
        reason = customer.do_not_call_reason or "no reason given"
        return GuardDecision(allowed=False, code="do_not_call", reason=f"The customer is on do-not-call ({reason}).")
    decision = _window_check(customer, campaign, now)
    if not decision:
        return decision
    live = Call.objects.filter(customer=customer, status__in=LIVE)
    if call is not None:
        live = live.exclude(pk=call.pk)
    if live.exists():
        return GuardDecision(
            allowed=False,
            code="live_call",
            reason="The customer is already on a call.",
            retry_at=now + timedelta(minutes=10),
        )
    decision = _caps_check(customer, now, call)
    if not decision:
        return decision
    return _promise_check(customer, now.astimezone(customer_time_zones(customer)[0]).date())
