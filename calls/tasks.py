"""Thin tasks: the dispatcher tick, placing a call, playing a simulated call, reconciling stuck calls,
the daily promise review, the daily purge of recordings past their retention."""

from celery import shared_task
from django.conf import settings

from calls.services.dispatch import call_place, dispatch_due_calls
from calls.services.promises import promises_review
from calls.services.reconcile import call_price_fetch, calls_reconcile
from calls.services.recordings import recordings_purge
from calls.services.simulation import simulated_call_play


@shared_task(name="calls.dispatch")
def dispatch_task() -> dict:
    return dispatch_due_calls()


@shared_task(name="calls.place", acks_late=True)
def call_place_task(call_id: int) -> None:
    """Queued with an expiry (``CALLS_QUEUE_EXPIRES_SECONDS``): a stale message is dropped, never dialled."""
    call_place(call_id=call_id)


@shared_task(name="calls.reconcile")
def reconcile_task() -> dict:
    return calls_reconcile()


@shared_task(name="calls.simulated_event", acks_late=True)
def simulated_call_play_task(call_id: int, index: int = 0) -> None:
    """Play the simulated call beat by beat (line events, then each answer), a pause between beats."""
    if not simulated_call_play(call_id=call_id, beat=index):
        simulated_call_play_task.apply_async((call_id, index + 1), countdown=settings.SIMULATED_EVENT_DELAY)


@shared_task(name="calls.price_fetch", bind=True, max_retries=3)
def call_price_fetch_task(self, call_id: int) -> None:
    """Twilio and Exotel put a call's price on its record minutes after it ends: ask, and ask again later."""
    if not call_price_fetch(call_id=call_id) and self.request.retries < self.max_retries:
        raise self.retry(countdown=600)


@shared_task(name="calls.promises_review")
def promises_review_task() -> dict:
    return promises_review()


@shared_task(name="calls.recordings_purge")
def recordings_purge_task() -> dict:
    """Daily: recordings past VOICE_RECORDING_RETENTION_DAYS are deleted (a provider error: next run)."""
    return recordings_purge()
