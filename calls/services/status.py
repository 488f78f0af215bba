"""A call's status moves along one map. An illegal move raises; a provider's late or repeated event
is recorded and ignored, so a status never moves backwards.

Every status write goes through ``call_transition`` (one call), ``call_advance`` (a provider's event,
which may skip steps the map walks through) or ``calls_transition_bulk`` (many calls, one statement).
"""

from collections import deque
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from calls.models import Call, CallEvent, CallEventKind, CallStatus
from voiceassist.common.exceptions import ApplicationError

S = CallStatus
TERMINAL = frozenset({S.COMPLETED, S.BUSY, S.NO_ANSWER, S.FAILED, S.CANCELED, S.LOST})
LIVE = frozenset({S.QUEUED, S.DIALING, S.RINGING, S.IN_PROGRESS})
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SCHEDULED: frozenset({S.QUEUED, S.CANCELED}),
    # Back to scheduled: the guard said no at the instant of dialling, or the message expired unsent.
    S.QUEUED: frozenset({S.DIALING, S.FAILED, S.CANCELED, S.SCHEDULED}),
    S.DIALING: frozenset({S.RINGING, S.IN_PROGRESS, S.COMPLETED, S.BUSY, S.NO_ANSWER, S.FAILED, S.CANCELED, S.LOST}),
    S.RINGING: frozenset({S.IN_PROGRESS, S.COMPLETED, S.BUSY, S.NO_ANSWER, S.FAILED, S.CANCELED, S.LOST}),
    S.IN_PROGRESS: frozenset({S.COMPLETED, S.FAILED, S.LOST}),
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
    call_record_event(call=call, kind=CallEventKind.STATUS, status=to, detail=detail)
    return call


def path_to(current: str, target: str) -> list[str] | None:
    """The shortest walk along the map from ``current`` to ``target`` (without ``current``), or None."""
    came_from: dict[str, str] = {current: current}
    queue = deque([current])
    while queue:
        status = queue.popleft()
        if status == target:
            path = []
            while status != current:
                path.append(status)
                status = came_from[status]
            return path[::-1]
        for nxt in TRANSITIONS[status]:
            if nxt not in came_from:
                came_from[nxt] = status
                queue.append(nxt)
    return None


def call_is_ahead(*, call: Call, status: str) -> bool:
    """True when ``status`` is a step forward for ``call`` that the map can reach (a provider's news)."""
    return PROGRESS[status] > PROGRESS[call.status] and path_to(call.status, status) is not None


@transaction.atomic
def call_advance(*, call: Call, to: str, detail: dict[str, Any] | None = None, **fields: Any) -> Call:
    """Move ``call`` forward to ``to`` along the map, through any step a provider did not report.

    (A call whose provider says "completed" while we still think it is queued passes through dialing,
    so it is stamped as an attempt that reached the network.)
    """
    path = path_to(call.status, to)
    if path is None:
        raise IllegalTransition(
            f"Call #{call.pk} cannot go from {call.get_status_display().lower()} to {S(to).label.lower()}.",
            details={"from": call.status, "to": to},
        )
    for step in path[:-1]:
        call_transition(call=call, to=step, detail={"implied_by": to})
    return call_transition(call=call, to=to, detail=detail, **fields)


def calls_transition_bulk(
    *, call_ids: Iterable[int], to: str, detail: dict[str, Any] | None = None, **fields: Any
) -> int:
    """Move many calls to ``to`` in one statement; those whose status may not go there are left as they are.

    Returns how many moved. Each moved call gets its status event, as ``call_transition`` gives it.
    """
    ids = list(call_ids)
    if not ids:
        return 0
    allowed_from = [status for status, targets in TRANSITIONS.items() if to in targets]
    now = timezone.now()
    stamp = TIMESTAMPS.get(to)
    values = {"status": to, "updated_at": now, **fields}
    with transaction.atomic():
        moving = list(
            Call.objects.select_for_update().filter(pk__in=ids, status__in=allowed_from).values_list("pk", flat=True)
        )
        if not moving:
            return 0
        Call.objects.filter(pk__in=moving).update(**values)
        if stamp and stamp not in fields:
            Call.objects.filter(pk__in=moving, **{f"{stamp}__isnull": True}).update(**{stamp: now})
        CallEvent.objects.bulk_create(
            [CallEvent(call_id=pk, kind=CallEventKind.STATUS, status=to, detail=detail or {}) for pk in moving],
            batch_size=1000,
        )
    return len(moving)
