"""Reads on calls: campaign figures, a customer's calls, the agents' open work."""

from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from calls.models import Call, CallStatus, Campaign, PromiseStatus, PromiseToPay, WorkItem
from customers.selectors import customer_prefetch


def campaign_metrics(*, campaign: Campaign) -> dict:
    """Attempts, connects and their rate, right-party contacts, promises (count, amount), kept rate, collected."""
    calls = Call.objects.filter(campaign=campaign)
    figures = calls.aggregate(
        attempts=Count("id", filter=~Q(status__in=[CallStatus.SCHEDULED, CallStatus.CANCELED])),
        connects=Count("id", filter=Q(disposition__is_contact=True)),
        right_party_contacts=Count("id", filter=Q(disposition__is_right_party_contact=True)),
        scheduled=Count("id", filter=Q(status=CallStatus.SCHEDULED)),
    )
    promises = PromiseToPay.objects.filter(source_call__campaign=campaign)
    promise_figures = promises.aggregate(
        promise_count=Count("id"),
        promised_total=Sum("amount"),
        kept=Count("id", filter=Q(status=PromiseStatus.KEPT)),
        resolved=Count("id", filter=Q(status__in=[PromiseStatus.KEPT, PromiseStatus.BROKEN])),
        collected_total=Sum("amount", filter=Q(status=PromiseStatus.KEPT)),
    )
    attempts = figures["attempts"]
    return {
        **figures,
        "connect_rate": round(figures["connects"] / attempts, 4) if attempts else 0.0,
        "promises": promise_figures["promise_count"],
        "promised_amount": promise_figures["promised_total"] or Decimal("0.00"),
        "kept_rate": round(promise_figures["kept"] / promise_figures["resolved"], 4)
        if promise_figures["resolved"]
        else 0.0,
        "collected_amount": promise_figures["collected_total"] or Decimal("0.00"),
    }


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
