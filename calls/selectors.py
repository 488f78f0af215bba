"""Reads on calls: a customer's calls, the agents' open work, lists. (The figures live in ``calls.figures``.)"""

from django.db.models import QuerySet

from calls.models import Call, Campaign, PromiseToPay, WorkItem
from customers.selectors import customer_prefetch


def customer_calls(*, customer_id: int) -> QuerySet[Call]:
    return (
        Call.objects.filter(customer_id=customer_id).select_related("disposition", "campaign").order_by("-created_at")
    )


def work_items_open() -> QuerySet[WorkItem]:
    items = WorkItem.objects.filter(done_at__isnull=True).select_related("loan").prefetch_related(customer_prefetch())
    return items.order_by("due_at", "id")


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("audience_upload").order_by("-created_at", "-id")


def call_list() -> QuerySet[Call]:
    """Every call, newest first, with what a list shows of its customer, loan and disposition."""
    return Call.objects.select_related("customer", "loan", "campaign", "disposition").order_by("-scheduled_for", "-id")


def call_detail_queryset() -> QuerySet[Call]:
    """Calls with everything their detail shows: disposition and events in order."""
    return call_list().prefetch_related("events")


def promise_list() -> QuerySet[PromiseToPay]:
    return PromiseToPay.objects.select_related("customer", "loan").order_by("promised_date", "id")


def work_items_done() -> QuerySet[WorkItem]:
    items = WorkItem.objects.filter(done_at__isnull=False).select_related("loan").prefetch_related(customer_prefetch())
    return items.order_by("-done_at", "-id")


def work_item_list(*, done: bool = False) -> QuerySet[WorkItem]:
    """The agents' queue: open follow-ups (soonest due first), or with ``done`` the finished ones (latest first)."""
    items = work_items_done() if done else work_items_open()
    return items.select_related("claimed_by")
