"""The guard's decision for one call at one moment: allowed, or the first reason not to and when it may.

Rules are checked in the order below; the first that refuses is the reason reported. The next allowed
time is the earliest moment at which every time-bound rule would say yes (found by moving to each
refusing rule's own "from then on" until none refuses); it is ``None`` when only a person can lift the
refusal (a suppression, a settled loan). All days are the customer's local days.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf import settings

from customers.models import STOPS_EVERY_CALL, LoanStatus, SuppressionKind

from .facts import CustomerFacts
from .jurisdiction import Jurisdiction, jurisdiction_for
from .rules import RuleSet


class Channel(StrEnum):
    BOT = "bot"  # the voice bot, dialled by the dispatcher
    AGENT = "agent"  # a person calling (a callback, an agent's own call)


class Reason(StrEnum):
    """Why not, in the order they are reported when several rules refuse."""

    DO_NOT_CALL = "do_not_call"
    WRONG_NUMBER = "wrong_number"
    STOP_CALLING = "stop_calling"
    DISPUTE = "dispute"
    HOLIDAY = "holiday"
    OUTSIDE_HOURS = "outside_hours"
    LIVE_CALL = "live_call"
    AFTER_CONVERSATION = "after_conversation"
    DEBT_WEEKLY_CAP = "debt_weekly_cap"
    DAILY_CAP = "daily_cap"
    WEEKLY_CAP = "weekly_cap"
    OPEN_PROMISE = "open_promise"
    SETTLED = "settled"  # nothing left to collect on the loan: not a rule of law, so reported last


@dataclass(frozen=True)
class GuardRequest:
    """One call to judge: whom, about which loan (``None``: about all of them), by whom."""

    customer_id: int
    phone: str
    state: str
    loan_id: int | None = None
    channel: Channel = Channel.BOT
    window: tuple[time, time] | None = None  # a campaign's own hours, which can only narrow the law's
    call_id: int | None = None  # the call being judged, which must not count as its own live call


@dataclass(frozen=True)
class GuardDecision:
    allowed: bool
    code: str = ""
    message: str = ""
    next_allowed_at: datetime | None = None  # in the customer's zone; None: only a person can lift it

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = GuardDecision(allowed=True)


@dataclass(frozen=True, slots=True)
class _Refusal:
    code: Reason
    message: str
    until: datetime | None  # from this moment on the rule says yes; None: not by itself


class _Case:
    """One request with its facts and jurisdiction: what every rule looks at."""

    def __init__(self, request: GuardRequest, facts: CustomerFacts, asked_at: datetime) -> None:
        self.request = request
        self.facts = facts
        self.asked_at = asked_at
        self.place: Jurisdiction = jurisdiction_for(request.phone, request.state)
        self.rules: RuleSet = self.place.rules
        self.zone: ZoneInfo = self.place.home_zone
        if request.loan_id is not None:
            self.debts = {request.loan_id}
        else:
            active = {pk for pk, loan in facts.loans.items() if loan.status == LoanStatus.ACTIVE}
            self.debts = active or set(facts.loans)
        start, end = self.rules.window
        if request.window is not None:
            start, end = max(start, request.window[0]), min(end, request.window[1])
        self.window = (start, end)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.zone)

    def about_debts(self, loan_id: int | None) -> bool:
        """Whether an attempt, suppression or promise about ``loan_id`` concerns this call's debts."""
        return loan_id is None or loan_id in self.debts

    def loan_name(self, loan_id: int | None) -> str:
        loan = self.facts.loans.get(loan_id) if loan_id is not None else None
        return f"loan {loan.loan_id}" if loan else "this loan"

    def attempt_dates(self, *, debt: int | None = None) -> list[date]:
        """Local dates of the attempts (about ``debt`` when given), newest first."""
        return [day for day, loan_id in self._attempt_days if debt is None or loan_id is None or loan_id == debt]

    @cached_property
    def _attempt_days(self) -> list[tuple[date, int | None]]:
        # Worked out once per decision: the rules ask for them again at every step towards the next allowed time.
        days = [(self.local_date(a.at), a.loan_id) for a in self.facts.attempts]
        return sorted(days, key=lambda day: day[0], reverse=True)


def _day(moment: date) -> str:
    return f"{moment:%a %-d %b %Y}"


# --- The rules, in reporting order ---------------------------------------------------------------


def _do_not_call(case: _Case, at: datetime) -> _Refusal | None:
    for s in case.facts.suppressions:
        if s.kind in STOPS_EVERY_CALL and (s.loan_id is None or s.loan_id in case.debts):
            label = SuppressionKind(s.kind).label.lower()
            what = "on do-not-call" if s.kind == SuppressionKind.DO_NOT_CALL else f"marked “{label}”"
            scope = f" for {case.loan_name(s.loan_id)}" if s.loan_id is not None else ""
            return _Refusal(Reason.DO_NOT_CALL, f"The customer is {what}{scope} ({s.reason}).", None)
    return None


def _wrong_number(case: _Case, at: datetime) -> _Refusal | None:
    for s in case.facts.suppressions:
        if s.kind == SuppressionKind.WRONG_NUMBER and s.phone == case.request.phone:
            return _Refusal(
                Reason.WRONG_NUMBER,
                f"{s.phone} was reported as a wrong number ({s.reason}): no calls until the customer's phone changes.",
                None,
            )
    return None


def _stop_calling(case: _Case, at: datetime) -> _Refusal | None:
    if case.request.channel != Channel.BOT:
        return None
    for s in case.facts.suppressions:
        if s.kind == SuppressionKind.STOP_CALLING:
            return _Refusal(Reason.STOP_CALLING, f"The customer asked the bot to stop calling ({s.reason}).", None)
    return None


def _dispute(case: _Case, at: datetime) -> _Refusal | None:
    for s in case.facts.suppressions:
        if s.kind == SuppressionKind.DISPUTE and case.about_debts(s.loan_id):
            what = case.loan_name(s.loan_id) if s.loan_id is not None else "The debt"
            return _Refusal(
                Reason.DISPUTE,
                f"{what[0].upper()}{what[1:]} is disputed ({s.reason}): no calls until back office resolves it.",
                None,
            )
    return None


def _holiday(case: _Case, at: datetime) -> _Refusal | None:
    if case.request.channel != Channel.BOT or not case.rules.holidays:
        return None
    for zone in case.place.zones:
        today = at.astimezone(zone).date()
        name = case.place.holiday(today)
        if name:
            day = today + timedelta(days=1)
            while case.place.holiday(day):
                day += timedelta(days=1)
            return _Refusal(
                Reason.HOLIDAY,
                f"{_day(today)} is {name}, a public holiday for the customer ({case.place.code}): no bot calls.",
                datetime.combine(day, time(0), tzinfo=zone),
            )
    return None


def _outside_hours(case: _Case, at: datetime) -> _Refusal | None:
    start, end = case.window
    if start >= end:
        law = case.rules.window
        return _Refusal(
            Reason.OUTSIDE_HOURS,
            f"The campaign's hours lie outside the legal hours {law[0]:%H:%M}–{law[1]:%H:%M}: it can never call.",
            None,
        )
    # Where the customer may be in several zones, the hour must be right in every one of them.
    for zone in case.place.zones:
        local = at.astimezone(zone)
        if not start <= local.time() < end:
            opens = datetime.combine(local.date(), start, tzinfo=zone)
            if local.time() >= end:
                opens = datetime.combine(local.date() + timedelta(days=1), start, tzinfo=zone)
            return _Refusal(
                Reason.OUTSIDE_HOURS,
                f"It is {local:%H:%M} for the customer ({zone.key}); calls are allowed {start:%H:%M}–{end:%H:%M} "
                "their time.",
                opens,
            )
    return None


def _live_call(case: _Case, at: datetime) -> _Refusal | None:
    others = case.facts.live_calls - {case.request.call_id}
    until = case.asked_at + timedelta(minutes=settings.CALLS_LIVE_CALL_RETRY_MINUTES)
    if others and at < until:
        return _Refusal(Reason.LIVE_CALL, "The customer is already on a call.", until)
    return None


def _after_conversation(case: _Case, at: datetime) -> _Refusal | None:
    quiet = case.rules.quiet_days_after_conversation
    if not quiet:
        return None
    today = case.local_date(at)
    latest: tuple[date, int | None] | None = None
    for attempt in case.facts.attempts:
        if attempt.conversation and case.about_debts(attempt.loan_id):
            spoke = case.local_date(attempt.at)
            if spoke <= today < spoke + timedelta(days=quiet) and (latest is None or spoke > latest[0]):
                latest = (spoke, attempt.loan_id)
    if latest is None:
        return None
    spoke, loan_id = latest
    resume = spoke + timedelta(days=quiet)
    return _Refusal(
        Reason.AFTER_CONVERSATION,
        f"The borrower was spoken to about {case.loan_name(loan_id)} on {_day(spoke)}: no calls about it for "
        f"{quiet} days, until {_day(resume)} ({case.rules.sources.get('quiet_days_after_conversation', 'the law')}).",
        case.midnight(resume),
    )


def _weekly(case: _Case, dates: list[date], cap: int, today: date) -> date | None:
    """With at most ``cap`` attempts in any 7 consecutive days: the day the next one is allowed, or None (now)."""
    in_week = [d for d in dates if today - timedelta(days=6) <= d <= today]
    if len(in_week) < cap:
        return None
    # The cap-th newest attempt leaves the 7-day window 7 days after its own day.
    return in_week[cap - 1] + timedelta(days=7)


def _debt_weekly_cap(case: _Case, at: datetime) -> _Refusal | None:
    cap = case.rules.max_attempts_per_debt_7_days
    if cap is None:
        return None
    today = case.local_date(at)
    for debt in sorted(case.debts):
        resume = _weekly(case, case.attempt_dates(debt=debt), cap, today)
        if resume is not None:
            return _Refusal(
                Reason.DEBT_WEEKLY_CAP,
                f"Already {cap} or more calls about {case.loan_name(debt)} in the 7 days to {_day(today)} "
                f"(at most {cap}, {case.rules.sources.get('max_attempts_per_debt_7_days', 'the law')}).",
                case.midnight(resume),
            )
    return None


def _daily_cap(case: _Case, at: datetime) -> _Refusal | None:
    cap = case.rules.max_attempts_per_day
    if cap is None:
        return None
    today = case.local_date(at)
    count = sum(1 for d in case.attempt_dates() if d == today)
    if count >= cap:
        return _Refusal(
            Reason.DAILY_CAP,
            f"Already {count} calls to this customer on {_day(today)} (at most {cap} a day).",
            case.midnight(today + timedelta(days=1)),
        )
    return None


def _weekly_cap(case: _Case, at: datetime) -> _Refusal | None:
    cap = case.rules.max_attempts_per_7_days
    if cap is None:
        return None
    today = case.local_date(at)
    resume = _weekly(case, case.attempt_dates(), cap, today)
    if resume is None:
        return None
    return _Refusal(
        Reason.WEEKLY_CAP,
        f"Already {cap} or more calls to this customer in the 7 days to {_day(today)} (at most {cap}).",
        case.midnight(resume),
    )


def _open_promise(case: _Case, at: datetime) -> _Refusal | None:
    today = case.local_date(at)
    holding = [p for p in case.facts.promises if case.about_debts(p.loan_id) and p.last_day >= today]
    if not holding:
        return None
    promise = max(holding, key=lambda p: p.last_day)
    return _Refusal(
        Reason.OPEN_PROMISE,
        f"The customer promised to pay {promise.amount} on {case.loan_name(promise.loan_id)} by "
        f"{_day(promise.promised_date)}; no calls about it until that promise is due.",
        case.midnight(promise.last_day + timedelta(days=1)),
    )


def _settled(case: _Case, at: datetime) -> _Refusal | None:
    loan_id = case.request.loan_id
    loan = case.facts.loans.get(loan_id) if loan_id is not None else None
    if loan is None or loan.status == LoanStatus.ACTIVE:
        return None
    return _Refusal(
        Reason.SETTLED,
        f"Loan {loan.loan_id} is {LoanStatus(loan.status).label.lower()}: there is nothing to call about.",
        None,
    )


RULES: tuple[Callable[[_Case, datetime], _Refusal | None], ...] = (
    _do_not_call,
    _wrong_number,
    _stop_calling,
    _dispute,
    _holiday,
    _outside_hours,
    _live_call,
    _after_conversation,
    _debt_weekly_cap,
    _daily_cap,
    _weekly_cap,
    _open_promise,
    _settled,
)
# Enough steps to walk past a long holiday season; each step moves strictly forward.
_MAX_STEPS = 100


def guard_evaluate(*, request: GuardRequest, facts: CustomerFacts, at: datetime) -> GuardDecision:
    """May ``request`` be placed at ``at``, given ``facts``? The one judgement every caller uses."""
    case = _Case(request, facts, at)
    refusals = [refusal for rule in RULES if (refusal := rule(case, at)) is not None]
    if not refusals:
        return ALLOWED
    next_allowed_at = _next_allowed(case, at, refusals)
    # The first refusal in RULES order is reported, except that a refusal no time lifts outranks the ones time
    # does when nothing else will: a settled loan's call at night is canceled as settled, not as outside hours.
    lasting = next((refusal for refusal in refusals if refusal.until is None), None)
    reported = lasting if next_allowed_at is None and lasting is not None else refusals[0]
    return GuardDecision(
        allowed=False,
        code=reported.code.value,
        message=reported.message,
        next_allowed_at=next_allowed_at,
    )


def _next_allowed(case: _Case, at: datetime, refusals: list[_Refusal]) -> datetime | None:
    moment = at
    for _ in range(_MAX_STEPS):
        if any(refusal.until is None for refusal in refusals):
            return None
        moment = max(refusal.until for refusal in refusals)
        refusals = [refusal for rule in RULES if (refusal := rule(case, moment)) is not None]
        if not refusals:
            return moment.astimezone(case.zone)
    return None
