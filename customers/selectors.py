"""Reads on customers: find one by whatever the person at the desk has in hand."""

from django.db.models import Q, QuerySet

from .models import Customer, Loan
from .phones import phone_try_normalize


def customer_find(*, query: str) -> QuerySet[Customer]:
    """Customers matching ``query``: a phone in any format, a loan id, or a fragment of the name.

    A phone or a loan id is looked up first through their unique indexes; only when neither
    matches does the search fall back to name fragments and alternate phones.
    """
    query = " ".join((query or "").split())
    if not query:
        return Customer.objects.none()

    exact = Q(pk__in=Loan.objects.filter(loan_id=query).values("customer_id"))
    phone = phone_try_normalize(query)
    if phone:
        exact |= Q(phone=phone)
    exact_matches = Customer.objects.filter(exact)
    if exact_matches.exists():
        return exact_matches

    broad = Q(full_name__icontains=query)
    if phone:
        broad |= Q(alternate_phones__icontains=phone)
    return Customer.objects.filter(broad)


def customer_list(*, query: str | None = None) -> QuerySet[Customer]:
    """Every customer, or those ``customer_find`` matches when ``query`` is given; loans fetched along."""
    customers = customer_find(query=query) if query and query.strip() else Customer.objects.all()
    return customers.prefetch_related("loans").order_by("full_name", "id")


def loan_list() -> QuerySet[Loan]:
    """Every loan with its customer, in due-date order."""
    return Loan.objects.select_related("customer").order_by("due_date", "id")
