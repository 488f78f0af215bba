"""Thin tasks: the dispatcher tick, placing a call, playing a simulated call, reconciling stuck calls,
the daily promise review."""

from celery import shared_task
from django.conf import settings

from calls.models import Call
from calls.providers.simulated import SimulatedProvider
from calls.services.dispatch import call_place, dispatch_due_calls
from calls.services.outcomes import promises_review
from calls.services.reconcile import calls_reconcile
from calls.services.webhooks import call_webhook_process


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
    """Deliver the simulated call's events one by one, through the same webhook path a real provider takes."""
    call = Call.objects.only("pk", "provider_call_id").get(pk=call_id)
    simulator = SimulatedProvider()
    events = simulator.simulated_events(
        provider_call_id=call.provider_call_id, call_id=call.pk, seed=settings.SIMULATED_SEED
    )
    if index >= len(events):
        return
    call_webhook_process(provider_name="simulated", request=simulator.build_webhook_request(events[index]))
    if index + 1 < len(events):
        simulated_call_play_task.apply_async((call_id, index + 1), countdown=settings.SIMULATED_EVENT_DELAY)


@shared_task(name="calls.promises_review")
def promises_review_task() -> dict:
    return promises_review()
