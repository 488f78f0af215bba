"""The dispatcher: each tick claims due calls, asks the guard, and hands the allowed ones to their
provider. Claims use ``SELECT … FOR UPDATE SKIP LOCKED``, so several workers never take one call."""

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from calls.models import Call, CallStatus, CampaignStatus
from calls.providers import provider_get
from calls.providers.base import DialRequest, ProviderError
from customers.models import Customer, Loan
from voiceassist.common.exceptions import ApplicationError

from .guard import compliance_check
from .status import LIVE, call_record_event, call_transition

# A retry is scheduled per telephony outcome (the campaign's policy): busy, no answer, failed, machine.
RETRY_OUTCOMES = ("busy", "no_answer", "failed", "machine")


def _queue_placement(call: Call) -> None:
    from calls.tasks import call_place_task

    transaction.on_commit(lambda: call_place_task.delay(call.pk))


def dispatch_due_calls(*, now: datetime | None = None) -> dict[str, int]:
    """Claim the calls that are due, within each provider's free capacity. Returns counts per outcome."""
    now = now or timezone.now()
    counts = {"queued": 0, "postponed": 0, "canceled": 0}
    for provider, limit in settings.CALLS_CONCURRENCY.items():
        with transaction.atomic():
            live = Call.objects.filter(provider=provider, status__in=LIVE).count()
            free = limit - live
            if free <= 0:
                continue
            due = (
                Call.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=CallStatus.SCHEDULED, scheduled_for__lte=now, provider=provider)
                .exclude(campaign__status__in=[CampaignStatus.PAUSED, CampaignStatus.DRAFT, CampaignStatus.COMPLETED])
                .select_related("customer", "campaign")
                .order_by("scheduled_for", "id")[:free]
            )
            for call in due:
                counts[_dispatch_one(call, now)] += 1
    return counts


def _dispatch_one(call: Call, now: datetime) -> str:
    decision = compliance_check(customer=call.customer, campaign=call.campaign, call=call, at=now)
    if decision:
        call_transition(call=call, to=CallStatus.QUEUED, blocked_reason="")
        _queue_placement(call)
        return "queued"
    call_record_event(call=call, kind="guard", detail={"code": decision.code, "reason": decision.reason})
    if decision.retry_at is None:
        call_transition(call=call, to=CallStatus.CANCELED, blocked_reason=decision.reason[:300])
        return "canceled"
    call.scheduled_for = decision.retry_at
    call.blocked_reason = decision.reason[:300]
    call.save(update_fields=["scheduled_for", "blocked_reason", "updated_at"])
    return "postponed"


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
    )


def call_place(*, call_id: int) -> Call:
    """Hand a queued call to its provider (run by the worker). Safe to run twice."""
    with transaction.atomic():
        call = Call.objects.select_for_update().select_related("customer").get(pk=call_id)
        if call.status != CallStatus.QUEUED:
            return call  # placed already, or canceled meanwhile
        provider = provider_get(call.provider)
        try:
            provider_call_id = provider.place_call(_dial_request(call))
        except ProviderError as exc:
            call_transition(call=call, to=CallStatus.FAILED, detail={"error": str(exc)})
            call_schedule_retry(call=call, outcome="failed")
            return call
        call_transition(call=call, to=CallStatus.DIALING, provider_call_id=provider_call_id)
        if call.provider == "simulated":
            from calls.tasks import simulated_call_play_task

            transaction.on_commit(lambda: simulated_call_play_task.delay(call.pk))
    return call


def call_schedule_retry(*, call: Call, outcome: str) -> Call | None:
    """After a busy / no-answer / failed / machine attempt, schedule the next one per the campaign's policy."""
    campaign = call.campaign
    if campaign is None or outcome not in RETRY_OUTCOMES or campaign.status == CampaignStatus.COMPLETED:
        return None
    policy = (campaign.retry_policy or {}).get(outcome) or {}
    retries_used = call.attempt - 1
    if retries_used >= int(policy.get("max_retries", 0)) or call.attempt >= campaign.max_attempts:
        return None
    return Call.objects.create(
        campaign=campaign,
        customer_id=call.customer_id,
        loan_id=call.loan_id,
        attempt=call.attempt + 1,
        phone_dialled=call.phone_dialled,
        provider=call.provider,
        scheduled_for=timezone.now() + timedelta(minutes=int(policy.get("after_minutes", 60))),
    )


@transaction.atomic
def call_schedule_adhoc(
    *, customer: Customer, loan: Loan | None, at: datetime | None = None, provider: str | None = None
) -> Call:
    """One call outside any campaign (an agent's or an integration's), refused outside the rules."""
    when = at or timezone.now()
    decision = compliance_check(customer=customer, at=when)
    if not decision:
        raise ApplicationError(decision.reason, code=decision.code)
    return Call.objects.create(
        customer=customer,
        loan=loan,
        phone_dialled=customer.phone,
        provider=provider or settings.CALLS_DEFAULT_PROVIDER,
        scheduled_for=when,
    )


@transaction.atomic
def call_cancel(*, call: Call, actor=None) -> Call:
    """Cancel a call that has not been answered; one on the line is hung up."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.status in (CallStatus.DIALING, CallStatus.RINGING) and call.provider_call_id:
        try:
            provider_get(call.provider).hangup(call.provider_call_id)
        except ProviderError as exc:
            raise ApplicationError(str(exc), code="provider_error") from exc
    return call_transition(call=call, to=CallStatus.CANCELED, detail={"by": getattr(actor, "pk", None)})
