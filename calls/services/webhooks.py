"""Provider events in: verify, read, apply. Replays and late events change nothing."""

import enum

from django.db import transaction
from django.http import HttpRequest

from calls.models import AnsweredBy, Call, CallEvent, CallStatus, Disposition
from calls.providers import provider_get
from calls.providers.base import ProviderEvent, WebhookRejected

from .dispatch import call_schedule_retry
from .outcomes import call_keypad_apply
from .status import TERMINAL, call_advance, call_is_ahead, call_record_event


class WebhookResult(enum.Enum):
    APPLIED = "applied"
    IGNORED = "ignored"  # a replay, a late event, or a call we do not know
    FORBIDDEN = "forbidden"  # the signature did not check out
    UNREADABLE = "unreadable"


def call_webhook_process(*, provider_name: str, request: HttpRequest) -> WebhookResult:
    """The one path every provider event takes, real or simulated."""
    provider = provider_get(provider_name)
    if not provider.verify_webhook(request):
        return WebhookResult.FORBIDDEN
    try:
        event = provider.parse_webhook(request)
    except WebhookRejected:
        return WebhookResult.UNREADABLE
    call_id = request.GET.get("call")
    return call_event_apply(
        provider=provider_name, event=event, call_id=int(call_id) if call_id and call_id.isdigit() else None
    )


def _telephony_disposition(call: Call) -> str:
    if call.status == CallStatus.COMPLETED:
        if call.answered_by == AnsweredBy.MACHINE:
            return "machine"
        return "no_input"
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
            "digits": event.digits,
        }.items()
        if v
    }
    call_record_event(call=call, kind="webhook", status=event.status, detail=detail, provider_event_id=event.event_id)
    fields = {}
    if not call.provider_call_id:
        fields["provider_call_id"] = event.provider_call_id
    if event.answered_by and not call.answered_by:
        fields["answered_by"] = event.answered_by
    if event.duration_seconds is not None:
        fields["duration_seconds"] = event.duration_seconds
    if event.recording_url:
        fields["recording_url"] = event.recording_url
    if event.transcript:
        fields["transcript"] = event.transcript
    moved = bool(event.status) and call_is_ahead(call=call, status=event.status)
    if moved:
        call_advance(call=call, to=event.status, detail={"provider_event": event.event_id}, **fields)
    elif fields:
        for name, value in fields.items():
            setattr(call, name, value)
        call.save(update_fields=[*fields, "updated_at"])

    if event.digits and call.disposition_id is None:
        call_keypad_apply(call=call, digits=event.digits)
    if moved and call.status in TERMINAL:
        call_finish(call)
    return WebhookResult.APPLIED if (moved or fields or event.digits) else WebhookResult.IGNORED


def call_finish(call: Call) -> None:
    """A call ended: record how, and schedule the next attempt where the outcome calls for one."""
    outcome = _telephony_disposition(call)
    if call.disposition_id is None and outcome:
        call.disposition = Disposition.objects.get(code=outcome)
        call.save(update_fields=["disposition", "updated_at"])
    if outcome in ("busy", "no_answer", "failed", "machine"):
        call_schedule_retry(call=call, outcome=outcome)
