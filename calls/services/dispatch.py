"""The dispatcher: each tick judges the due calls, hands the allowed ones to their provider, and moves
every refused one to the moment it may be called (or cancels it), in bulk.

Claims use ``SELECT … FOR UPDATE SKIP LOCKED``, so several workers never take one call. The guard is
asked again by the worker at the instant of dialling (``call_place``): a call that waited in a queue
past its window never dials.
"""

from collections import defaultdict
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from calls.compliance import (
    GuardDecision,
    GuardSession,
    guard_check_call,
    guard_check_customer,
    guard_request_for_call,
)
from calls.conversation import CONVERSATION_LANGUAGES
from calls.models import Call, CallEvent, CallEventKind, CallStatus, CampaignStatus
from calls.providers import provider_get
from calls.providers.base import DialRequest, ProviderError
from customers.models import Customer, Loan
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditAction
from voiceassist.common.services import audit_event_record

from .status import LIVE, call_record_event, call_transition, calls_transition_bulk

# A retry is scheduled per outcome (the campaign's policy): busy, no answer, failed, machine, and someone
# other than the borrower answered.
RETRY_OUTCOMES = ("busy", "no_answer", "failed", "machine", "not_available")
# Campaign states whose calls wait (or, completed, will never be placed).
_NOT_DIALLING = (CampaignStatus.PAUSED, CampaignStatus.DRAFT, CampaignStatus.COMPLETED)
# How far ahead an ad-hoc call may be asked for: far enough for any plan, near enough for date arithmetic.
ADHOC_MAX_AHEAD = timedelta(days=366)
# An ad-hoc call asked for a moment this recently past is still taken, due at once: clocks differ a little.
ADHOC_CLOCK_SKEW = timedelta(minutes=5)


def _queue_placement(call_ids: list[int]) -> None:
    """After commit, queue placing each call; a message that waits too long expires unsent."""
    from calls.tasks import call_place_task

    def send() -> None:
        for call_id in call_ids:
            call_place_task.apply_async((call_id,), expires=settings.CALLS_QUEUE_EXPIRES_SECONDS)

    transaction.on_commit(send)


def dispatch_due_calls(*, now: datetime | None = None) -> dict[str, int]:
    """Judge the calls that are due and place those allowed, within each provider's free capacity.

    Returns counts per outcome: queued, postponed (moved to their next allowed time), canceled
    (nothing but a person could lift the refusal), waiting (allowed, but no free slot this tick).
    """
    now = now or timezone.now()
    counts = {"queued": 0, "postponed": 0, "canceled": 0, "waiting": 0}
    for provider, limit in settings.CALLS_CONCURRENCY.items():
        after: tuple[datetime, int] | None = None
        for _ in range(settings.CALLS_DISPATCH_MAX_PASSES):
            after, judged, free, refused = _dispatch_pass(provider, limit, now, after, counts)
            # Go on while the batch was full and there are slots to fill or refusals still being cleared.
            if judged < settings.CALLS_DISPATCH_BATCH or (free <= 0 and not refused):
                break
    return counts


def _dispatch_pass(
    provider: str, limit: int, now: datetime, after: tuple[datetime, int] | None, counts: dict[str, int]
) -> tuple[tuple[datetime, int] | None, int, int, int]:
    """One batch of due calls, in order, from after ``after`` (calls left waiting by an earlier pass)."""
    with transaction.atomic():
        free = limit - Call.objects.filter(provider=provider, status__in=LIVE).count()
        due = (
            Call.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=CallStatus.SCHEDULED, scheduled_for__lte=now, provider=provider)
            .exclude(campaign__status__in=_NOT_DIALLING)
            .select_related("customer", "campaign")
            .order_by("scheduled_for", "id")
        )
        if after is not None:
            due = due.filter(Q(scheduled_for__gt=after[0]) | Q(scheduled_for=after[0], id__gt=after[1]))
        calls = list(due[: settings.CALLS_DISPATCH_BATCH])
        if not calls:
            return None, 0, free, 0
        session = GuardSession(customer_ids={call.customer_id for call in calls}, at=now)
        to_queue: list[Call] = []
        # By reason, and whether time alone will lift it: one statement per group.
        refused: dict[tuple[str, bool], list[tuple[Call, GuardDecision]]] = defaultdict(list)
        last_waiting: tuple[datetime, int] | None = None
        for call in calls:
            request = guard_request_for_call(call)
            decision = session.decide(request)
            if not decision:
                refused[decision.code, decision.next_allowed_at is None].append((call, decision))
            elif free > 0:
                to_queue.append(call)
                session.note_dialled(request)
                free -= 1
            else:
                counts["waiting"] += 1
                last_waiting = (call.scheduled_for, call.pk)
        if to_queue:
            ids = [call.pk for call in to_queue]
            calls_transition_bulk(call_ids=ids, to=CallStatus.QUEUED, queued_at=now, blocked_code="", blocked_reason="")
            _queue_placement(ids)
            counts["queued"] += len(ids)
        for pairs in refused.values():
            outcome = _refuse_in_bulk(pairs)
            counts[outcome] += len(pairs)
    return last_waiting or after, len(calls), free, sum(len(pairs) for pairs in refused.values())


def guard_detail(decision: GuardDecision) -> dict:
    """A refusal as a call's event keeps it: the code, the words, the next allowed time."""
    when = decision.next_allowed_at
    return {"code": decision.code, "reason": decision.message, "next_allowed_at": when.isoformat() if when else None}


def _refuse_in_bulk(pairs: list[tuple[Call, GuardDecision]]) -> str:
    """Calls refused for one reason, all with or all without a next allowed time: each moved to its own
    next allowed time (one statement), or all canceled."""
    for call, decision in pairs:
        call.blocked_code = decision.code
        call.blocked_reason = decision.message[:300]
        if decision.next_allowed_at is not None:
            call.scheduled_for = decision.next_allowed_at
    CallEvent.objects.bulk_create(
        [CallEvent(call=call, kind=CallEventKind.GUARD, detail=guard_detail(decision)) for call, decision in pairs]
    )
    calls = [call for call, _ in pairs]
    if pairs[0][1].next_allowed_at is None:
        Call.objects.bulk_update(calls, ["blocked_code", "blocked_reason"])
        calls_transition_bulk(call_ids=[call.pk for call in calls], to=CallStatus.CANCELED)
        return "canceled"
    now = timezone.now()
    for call in calls:
        call.updated_at = now
    Call.objects.bulk_update(calls, ["scheduled_for", "blocked_code", "blocked_reason", "updated_at"])
    return "postponed"


def call_hold(*, call: Call, decision: GuardDecision, detail: dict | None = None) -> Call:
    """The guard said no to a queued call: back to scheduled at its next allowed time, or canceled."""
    call_record_event(call=call, kind=CallEventKind.GUARD, detail={**guard_detail(decision), **(detail or {})})
    fields = {"blocked_code": decision.code, "blocked_reason": decision.message[:300]}
    if decision.next_allowed_at is None:
        return call_transition(call=call, to=CallStatus.CANCELED, **fields)
    return call_transition(call=call, to=CallStatus.SCHEDULED, scheduled_for=decision.next_allowed_at, **fields)


def _dial_request(call: Call) -> DialRequest:
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    # Our call id rides along, so an event that overtakes our own commit still finds its call.
    query = {"call": call.pk}
    if call.provider == "exotel":
        query["token"] = settings.EXOTEL_WEBHOOK_TOKEN
    callback = reverse("api-call-webhook", args=[call.provider]) + "?" + urlencode(query)
    return DialRequest(
        call_id=call.pk,
        to=call.phone_dialled,
        language=call.customer.preferred_language,
        status_callback_url=base + callback,
        voice_url=base + reverse("api-call-voice", args=[call.provider, call.pk]),
        record=bool(call.campaign and call.campaign.record_calls),
    )


def call_place(*, call_id: int, now: datetime | None = None) -> Call:
    """Hand a queued call to its provider (run by the worker), after asking the guard once more.

    Safe to run twice. A call the guard refuses now (the window closed while it waited, a suppression
    arrived, the loan was settled) goes back to scheduled at its next allowed time, or is canceled.
    """
    with transaction.atomic():
        call = Call.objects.select_for_update(of=("self",)).select_related("customer", "campaign").get(pk=call_id)
        if call.status != CallStatus.QUEUED:
            return call  # placed already, or canceled meanwhile
        campaign = call.campaign
        if campaign is not None and campaign.status != CampaignStatus.RUNNING:
            if campaign.status == CampaignStatus.COMPLETED:
                return call_transition(call=call, to=CallStatus.CANCELED, blocked_reason="The campaign was completed.")
            return call_transition(call=call, to=CallStatus.SCHEDULED, blocked_reason="The campaign is paused.")
        decision = guard_check_call(call=call, at=now or timezone.now())
        if not decision:
            return call_hold(call=call, decision=decision, detail={"at": "dial"})
        provider = provider_get(call.provider)
        try:
            provider_call_id = provider.place_call(_dial_request(call))
        except ProviderError as exc:
            # Never reached the network: it counts against neither the caps nor the retry budget.
            call_transition(call=call, to=CallStatus.FAILED, detail={"error": str(exc), "before_dial": True})
            call_schedule_retry(call=call, outcome="failed")
            return call
        call_transition(call=call, to=CallStatus.DIALING, provider_call_id=provider_call_id)
        if call.provider == "simulated":
            from calls.tasks import simulated_call_play_task

            transaction.on_commit(lambda: simulated_call_play_task.delay(call.pk))
    return call


def _failures_before_dial(call: Call) -> int:
    """How many times in a row this attempt failed before reaching the network."""
    return Call.objects.filter(
        campaign_id=call.campaign_id,
        customer_id=call.customer_id,
        loan_id=call.loan_id,
        attempt=call.attempt,
        status=CallStatus.FAILED,
        started_at__isnull=True,
    ).count()


def call_schedule_retry(*, call: Call, outcome: str) -> Call | None:
    """After a busy / no-answer / failed / machine attempt, schedule the next one per the campaign's policy.

    An attempt that never reached the network (``started_at`` empty) is tried again as the same attempt:
    it spends no retry, up to ``CALLS_MAX_FAILURES_BEFORE_DIAL`` failures in a row.
    """
    campaign = call.campaign
    if campaign is None or outcome not in RETRY_OUTCOMES or campaign.status == CampaignStatus.COMPLETED:
        return None
    policy = (campaign.retry_policy or {}).get(outcome) or {}
    if outcome == "failed" and call.started_at is None:
        if _failures_before_dial(call) >= settings.CALLS_MAX_FAILURES_BEFORE_DIAL:
            return None
        attempt = call.attempt
    else:
        retries_used = call.attempt - 1
        if retries_used >= int(policy.get("max_retries", 0)) or call.attempt >= campaign.max_attempts:
            return None
        attempt = call.attempt + 1
    return Call.objects.create(
        campaign=campaign,
        customer_id=call.customer_id,
        loan_id=call.loan_id,
        attempt=attempt,
        phone_dialled=call.phone_dialled,
        provider=call.provider,
        scheduled_for=timezone.now() + timedelta(minutes=int(policy.get("after_minutes", 60))),
    )


@transaction.atomic
def call_schedule_adhoc(
    *, customer: Customer, loan: Loan | None, at: datetime | None = None, provider: str | None = None
) -> Call:
    """One call by the bot outside any campaign (an agent's or an integration's), refused outside the rules
    and when the bot has no script in the customer's language (it never falls back to English)."""
    when = at or timezone.now()
    if customer.preferred_language not in CONVERSATION_LANGUAGES:
        language = customer.get_preferred_language_display()
        raise ApplicationError(
            f"The bot has no script in {language}: an agent must call this customer.",
            code="no_script",
            details={"language": customer.preferred_language, "bot_languages": list(CONVERSATION_LANGUAGES)},
        )
    decision = guard_check_customer(customer=customer, loan_id=loan.pk if loan else None, at=when)
    if not decision:
        raise ApplicationError(
            decision.message,
            code=decision.code,
            details={"next_allowed_at": decision.next_allowed_at.isoformat() if decision.next_allowed_at else None},
        )
    return Call.objects.create(
        customer=customer,
        loan=loan,
        phone_dialled=customer.phone,
        provider=provider or settings.CALLS_DEFAULT_PROVIDER,
        scheduled_for=when,
    )


@transaction.atomic
def call_cancel(*, call: Call, actor=None) -> Call:
    """Cancel a call that has not been answered (audited); one on the line is hung up."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    was = call.status
    if call.status in (CallStatus.DIALING, CallStatus.RINGING) and call.provider_call_id:
        try:
            provider_get(call.provider).hangup(call.provider_call_id)
        except ProviderError as exc:
            raise ApplicationError(str(exc), code="provider_error") from exc
    call = call_transition(call=call, to=CallStatus.CANCELED, detail={"by": getattr(actor, "pk", None)})
    audit_event_record(actor=actor, action=AuditAction.CALL_CANCELED, target=call, details={"was": was})
    return call


def calls_cancel_hopeless(*, customer_ids: list[int] | set[int], now: datetime | None = None) -> int:
    """Cancel the scheduled calls of these customers that only a person could now allow (a suppression
    was set, a loan was settled), each with the guard's reason. The guard decides which: one place."""
    now = now or timezone.now()
    with transaction.atomic():
        calls = list(
            Call.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(customer_id__in=list(customer_ids), status=CallStatus.SCHEDULED)
            .select_related("customer", "campaign")
        )
        if not calls:
            return 0
        session = GuardSession(customer_ids=customer_ids, at=now)
        hopeless: dict[str, list[tuple[Call, GuardDecision]]] = defaultdict(list)  # by reason
        for call in calls:
            decision = session.decide(guard_request_for_call(call))
            if not decision and decision.next_allowed_at is None:
                hopeless[decision.code].append((call, decision))
        for pairs in hopeless.values():
            _refuse_in_bulk(pairs)
    return sum(len(pairs) for pairs in hopeless.values())


@transaction.atomic
def call_request_adhoc(
    *,
    customer: Customer,
    loan: Loan | None,
    at: datetime | None,
    actor: AbstractBaseUser | None,
    now: datetime | None = None,
) -> Call:
    """One call outside any campaign, now or at ``at`` (not in the past, at most a year ahead of ``now``),
    through ``call_schedule_adhoc`` (the guard may refuse), audited."""
    if at is not None:
        _adhoc_time_check(at, now=now or timezone.now())
    if loan is not None and loan.customer_id != customer.pk:
        raise ApplicationError(
            f"Loan {loan.loan_id} belongs to another customer.",
            code="loan_other_customer",
            details={"loan": [f"Loan {loan.loan_id} belongs to another customer."]},
        )
    call = call_schedule_adhoc(customer=customer, loan=loan, at=at)
    audit_event_record(
        actor=actor,
        action=AuditAction.CALL_ADHOC_SCHEDULED,
        target=call,
        details={"scheduled_for": call.scheduled_for.isoformat()},
    )
    return call


def _adhoc_time_check(at: datetime, *, now: datetime) -> None:
    """Refuse a time in the past (beyond a little clock skew) or more than a year ahead, naming the field."""
    if at < now - ADHOC_CLOCK_SKEW:
        message = "The time is in the past."
    elif at > now + ADHOC_MAX_AHEAD:
        message = "The time is more than a year ahead."
    else:
        return
    raise ApplicationError(message, code="invalid", details={"at": [message]})
