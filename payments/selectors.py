"""Payments' reads."""

from django.db.models import Prefetch, QuerySet

from customers.models import Customer

from .models import LinkStatus, PaymentLink, SmsMessage

OPEN_STATUSES = (LinkStatus.CREATED, LinkStatus.PARTLY_PAID)


def payment_link_list() -> QuerySet[PaymentLink]:
    """Newest first, each with its loan and its text messages (newest first)."""
    return PaymentLink.objects.select_related("loan", "customer").prefetch_related(
        Prefetch("messages", queryset=SmsMessage.objects.order_by("-created_at", "-id"))
    )


def customer_open_links(*, customer: Customer) -> list[PaymentLink]:
    """The customer's links that can still be paid, newest first."""
    return list(payment_link_list().filter(customer=customer, status__in=OPEN_STATUSES))
