"""Calls whose news never came: put right what lost messages and lost webhooks left behind.

- A queued call whose message expired unsent (a worker backlog, a broker outage) never reached the
  network: it goes back to scheduled, and the dispatcher asks the guard about it again.
- A call still dialling, ringing or in progress long after it was placed has probably lost its
  webhooks: the provider is asked for its real state (Twilio's call resource, Exotel's call details),
  which is applied through the same path as a webhook. If the provider cannot say, or the call is
  older than any real call, it is closed as lost, which frees the customer and the provider's slot.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from calls.models import Call, CallStatus, Provider
from calls.providers import provider_get
from calls.providers.base import ProviderError

from .status import call_is_ahead, call_transition
from .webhooks import PRICED_LATER, call_event_apply, call_finish

logger = logging.getLogger(__name__)

_ON_THE_LINE = (CallStatus.DIALING, CallStatus.RINGING, CallStatus.IN_PROGRESS)


def calls_reconcile(*, now: datetime | None = None) -> dict[str, int]:
    """Requeue expired queued calls, and settle calls stuck on the line. Returns counts per outcome."""
    now = now or timezone.now()
    counts = {"requeued": 0, "updated": 0, "still_live": 0, "lost": 0}
    expired_before = now - timedelta(seconds=settings.CALLS_QUEUE_EXPIRES_SECONDS + 60)
    for call_id in Call.objects.filter(status=CallStatus.QUEUED, queued_at__lt=expired_before).values_list(
        "pk", flat=True
    ):
        counts["requeued"] += _requeue(call_id, now)
    stuck_before = now - timedelta(minutes=settings.CALLS_RECONCILE_AFTER_MINUTES)
    stuck = (
        Call.objects.filter(status__in=_ON_THE_LINE, started_at__lt=stuck_before)
        .exclude(provider=Provider.MANUAL)
        .values_list("pk", flat=True)
    )
    for call_id in stuck:
        counts[_settle_stuck(call_id, now)] += 1
    return counts


@transaction.atomic
def _requeue(call_id: int, now: datetime) -> int:
    call = Call.objects.select_for_update(skip_locked=True).filter(pk=call_id, status=CallStatus.QUEUED).first()
    if call is None:
        return 0
    call_transition(
        call=call,
        to=CallStatus.SCHEDULED,
        scheduled_for=now,
        detail={"reason": "Its message expired before a worker placed it; the dispatcher will judge it again."},
    )
    return 1


def _settle_stuck(call_id: int, now: datetime) -> str:
    call = Call.objects.get(pk=call_id)
    error = ""
    if call.provider_call_id:
        try:
            event = provider_get(call.provider).fetch_call(call.provider_call_id)
        except ProviderError as exc:
            error = str(exc)
        else:
            if event.status and call_is_ahead(call=call, status=event.status):
                call_event_apply(provider=call.provider, event=event, call_id=call.pk)
                return "updated"
            if now - call.started_at < timedelta(minutes=settings.CALLS_LOST_AFTER_MINUTES):
                return "still_live"
            error = f"The provider still reports the call as {event.status or 'unknown'}."
    else:
        error = "The call has no provider call id to look up."
    return _close_as_lost(call_id, error)


@transaction.atomic
def _close_as_lost(call_id: int, error: str) -> str:
    call = Call.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=call_id)
    if call.status not in _ON_THE_LINE:
        return "updated"  # a webhook arrived meanwhile
    call_transition(call=call, to=CallStatus.LOST, detail={"error": error})
    logger.warning("Call %s closed as lost: %s", call.pk, error)
    call_finish(call)
    return "lost"


def call_price_fetch(*, call_id: int) -> bool:
    """Read what the provider charged for an ended call from its call record; True when it said."""
    call = Call.objects.get(pk=call_id)
    if call.price is not None or not call.provider_call_id or call.provider not in PRICED_LATER:
        return call.price is not None
    try:
        event = provider_get(call.provider).fetch_call(call.provider_call_id)
    except ProviderError as exc:
        logger.info("No price for call %s yet: %s", call.pk, exc)
        return False
    if event.price is None:
        return False
    Call.objects.filter(pk=call.pk, price__isnull=True).update(
        price=event.price, price_unit=event.price_unit, updated_at=timezone.now()
    )
    return True
