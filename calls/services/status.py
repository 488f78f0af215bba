"""A call's status moves along one map. An illegal move raises; a provider's late or repeated event
is recorded and ignored, so a status never moves backwards."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from calls.models import Call, CallEvent, CallStatus
from voiceassist.common.exceptions import ApplicationError

S = CallStatus
TERMINAL = frozenset({S.COMPLETED, S.BUSY, S.NO_ANSWER, S.FAILED, S.CANCELED})
LIVE = frozenset({S.QUEUED, S.DIALING, S.RINGING, S.IN_PROGRESS})
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SCHEDULED: frozenset({S.QUEUED, S.CANCELED}),
    S.QUEUED: frozenset({S.DIALING, S.FAILED, S.CANCELED}),
    S.DIALING: frozenset({S.RINGING, S.IN_PROGRESS, S.COMPLETED, S.BUSY, S.NO_ANSWER, S.FAILED, S.CANCELED}),
    S.RINGING: frozenset({S.IN_PROGRESS, S.COMPLETED, S.BUSY, S.NO_ANSWER, S.FAILED, S.CANCELED}),
    S.IN_PROGRESS: frozenset({S.COMPLETED, S.FAILED}),
    **{status: frozenset() for status in TERMINAL},
}
# How far along a call is: an event for a status at or behind the current one is stale.
PROGRESS = {S.SCHEDULED: 0, S.QUEUED: 1, S.DIALING: 2, S.RINGING: 3, S.IN_PROGRESS: 4, **dict.fromkeys(TERMINAL, 5)}
# When each status is reached, stamp this field.
TIMESTAMPS = {
    S.QUEUED: "queued_at",
    S.DIALING: "started_at",
    S.IN_PROGRESS: "answered_at",
    **dict.fromkeys(TERMINAL, "ended_at"),
}


class IllegalTransition(ApplicationError):
    code = "illegal_transition"


def call_record_event(
    *, call: Call, kind: str, status: str = "", detail: dict | None = None, provider_event_id: str = ""
) -> CallEvent:
    return CallEvent.objects.create(
        call=call, kind=kind, status=status, detail=detail or {}, provider_event_id=provider_event_id
    )


@transaction.atomic
def call_transition(*, call: Call, to: str, detail: dict[str, Any] | None = None, **fields: Any) -> Call:
    """Move ``call`` to ``to`` (and set ``fields``), or raise ``IllegalTransition``."""
    if to not in TRANSITIONS[call.status]:
        raise IllegalTransition(
            f"Call #{call.pk} cannot go from {call.get_status_display().lower()} to {S(to).label.lower()}.",
            details={"from": call.status, "to": to},
        )
    call.status = to
    stamp = TIMESTAMPS.get(to)
    if stamp and getattr(call, stamp) is None:
        fields.setdefault(stamp, timezone.now())
    for name, value in fields.items():
        setattr(call, name, value)
    call.save(update_fields=["status", *fields, "updated_at"])
    call_record_event(call=call, kind="status", status=to, detail=detail)
    return call


def call_is_behind(*, call: Call, status: str) -> bool:
    """True when ``status`` is no step forward for ``call`` (a replay, or an event that came late)."""
    return PROGRESS[status] <= PROGRESS[call.status] and status not in TRANSITIONS[call.status]
