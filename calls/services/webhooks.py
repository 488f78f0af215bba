"""Provider events in: read, apply. Replays and late events change nothing.

The services take the provider's fields as a plain dict; the views check the signature first, and the
simulated provider's player calls the same services directly.
"""

import enum
import logging

from django.db import transaction

from calls.models import AnsweredBy, Call, CallEvent, CallEventKind, CallStatus, Disposition
from calls.providers import provider_get
from calls.providers.base import ProviderError, ProviderEvent, WebhookRejected

from .dispatch import RETRY_OUTCOMES, call_schedule_retry
from .status import LIVE, TERMINAL, call_advance, call_is_ahead, call_record_event
from .voice import voice_machine_locked

logger = logging.getLogger(__name__)

# Providers that bill a call on their call record some minutes after it ends (not in their webhooks).
PRICED_LATER = ("twilio", "exotel")
PRICE_FETCH_AFTER_SECONDS = 180


class WebhookResult(enum.Enum):
    APPLIED = "applied"
    IGNORED = "ignored"  # a replay, a late event, or a call we do not know
    FORBIDDEN = "forbidden"  # the signature did not check out
    UNREADABLE = "unreadable"


def call_webhook_receive(*, provider_name: str, fields: dict, call_id: int | None = None) -> WebhookResult:
    """The one path every provider event takes, real or simulated: the provider's fields, read and applied."""
    try:
        event = provider_get(provider_name).parse_webhook(fields)
    except WebhookRejected:
        return WebhookResult.UNREADABLE
    return call_event_apply(provider=provider_name, event=event, call_id=call_id)


def _telephony_disposition(call: Call) -> str:
    if call.status == CallStatus.COMPLETED:
        if call.answered_by == AnsweredBy.MACHINE:
            return "machine"
        # Hung up mid-conversation: a conversation with the borrower if the right-party check had passed.
        return "conversation" if (call.dialogue or {}).get("right_party") else "no_input"
    return {
        CallStatus.BUSY: "busy",
        CallStatus.NO_ANSWER: "no_answer",
        CallStatus.FAILED: "failed",
        CallStatus.LOST: "failed",
    }.get(call.status, "")


@transaction.atomic
def call_event_apply(*, provider: str, event: ProviderEvent, call_id: int | None = None) -> WebhookResult:
    calls = Call.objects.select_for_update(of=("self",)).select_related("campaign", "customer", "loan")
    call = calls.filter(provider=provider, provider_call_id=event.provider_call_id).first()
    if call is None and (call_id or event.call_id):
        # Our own id (in the callback URL or the body) only finds a call the provider has not named yet
        # (its event overtook our commit). A call the provider already named is matched by that name:
        # an event about another call, re-posted with "?call=<this one>", changes nothing here.
        candidate = calls.filter(provider=provider, pk=call_id or event.call_id).first()
        if candidate is not None and candidate.provider_call_id in ("", event.provider_call_id):
            call = candidate
    if call is None:
        return WebhookResult.IGNORED
    if event.event_id and CallEvent.objects.filter(call=call, provider_event_id=event.event_id).exists():
        return WebhookResult.IGNORED

    detail = {
        k: v
        for k, v in {
            "status": event.status,
            "answered_by": event.answered_by,
            "duration": event.duration_seconds,
            "recording": bool(event.recording_url),
        }.items()
        if v
    }
    call_record_event(
        call=call, kind=CallEventKind.WEBHOOK, status=event.status, detail=detail, provider_event_id=event.event_id
    )
    fields = {}
    if not call.provider_call_id:
        fields["provider_call_id"] = event.provider_call_id
    machine_detected = event.answered_by == AnsweredBy.MACHINE and call.answered_by != AnsweredBy.MACHINE
    if event.answered_by and (not call.answered_by or machine_detected) and call.disposition_id is None:
        fields["answered_by"] = event.answered_by
    else:
        machine_detected = False
    if event.duration_seconds is not None:
        fields["duration_seconds"] = event.duration_seconds
    if event.recording_url:
        fields["recording_url"] = event.recording_url
    if event.price is not None:
        fields["price"], fields["price_unit"] = event.price, event.price_unit
    moved = bool(event.status) and call_is_ahead(call=call, status=event.status)
    if moved:
        call_advance(call=call, to=event.status, detail={"provider_event": event.event_id}, **fields)
    elif fields:
        for name, value in fields.items():
            setattr(call, name, value)
        call.save(update_fields=[*fields, "updated_at"])

    if machine_detected and call.status in LIVE:
        _machine_answered(call, provider)
    if moved and call.status in TERMINAL:
        call_finish(call)
    return WebhookResult.APPLIED if (moved or fields) else WebhookResult.IGNORED


def _machine_answered(call: Call, provider_name: str) -> None:
    """A machine, not a person: no conversation; the campaign's limited-content message or silence."""
    reply = voice_machine_locked(call=call)
    provider, provider_call_id = provider_get(provider_name), call.provider_call_id

    def speak() -> None:
        try:
            provider.speak_to_live_call(provider_call_id, reply)
        except ProviderError as exc:
            logger.warning("Could not change live call %s after a machine answered: %s", call.pk, exc)

    transaction.on_commit(speak)


def call_finish(call: Call) -> None:
    """A call ended: record how, and schedule the next attempt where the outcome calls for one."""
    outcome = _telephony_disposition(call)
    if call.disposition_id is None and outcome:
        call.disposition = Disposition.objects.get(code=outcome)
        call.save(update_fields=["disposition", "updated_at"])
    code = call.disposition.code if call.disposition_id else outcome
    if code in RETRY_OUTCOMES:
        call_schedule_retry(call=call, outcome=code)
    if call.price is None and call.provider in PRICED_LATER and call.answered_at is not None:
        from calls.tasks import call_price_fetch_task

        call_id = call.pk
        transaction.on_commit(
            lambda: call_price_fetch_task.apply_async((call_id,), countdown=PRICE_FETCH_AFTER_SECONDS)
        )
