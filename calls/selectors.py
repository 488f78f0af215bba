"""Reads on calls: a customer's calls, the agents' open work, lists. (The figures live in ``calls.figures``.)"""

from django.db.models import QuerySet

from calls.models import Call, Campaign, PromiseToPay, WorkItem
from customers.selectors import customer_prefetch


def customer_calls(*, customer_id: int) -> QuerySet[Call]:
    return (
        Call.objects.filter(customer_id=customer_id).select_related("disposition", "campaign").order_by("-created_at")
    )


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("audience_upload").order_by("-created_at", "-id")


def call_list(*, with_events: bool = False) -> QuerySet[Call]:
    """Every call, newest first, with what a list shows of its customer, loan, campaign and disposition; with
    ``with_events`` also its events in order, for a call's detail."""
    calls = Call.objects.select_related("customer", "loan", "campaign", "disposition").order_by("-scheduled_for", "-id")
    return calls.prefetch_related("events") if with_events else calls


def promise_list() -> QuerySet[PromiseToPay]:
    return PromiseToPay.objects.select_related("customer", "loan").order_by("promised_date", "id")


def work_item_list(*, done: bool = False) -> QuerySet[WorkItem]:
    """The agents' queue: open follow-ups (soonest due first), or with ``done`` the finished ones (latest first)."""
    items = (
        WorkItem.objects.filter(done_at__isnull=not done)
        .select_related("loan", "claimed_by")
        .prefetch_related(customer_prefetch())
    )
    return items.order_by("-done_at", "-id") if done else items.order_by("due_at", "id")
