"""Reads on customers: find one by whatever the person at the desk has in hand."""

from django.db.models import Prefetch, Q, QuerySet

from .models import Customer, Loan, Suppression
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
    return customers.with_do_not_call().prefetch_related("loans").order_by("full_name", "id")


def customer_prefetch(lookup: str = "customer") -> Prefetch:
    """Fetch the customer a record names together with whether it may be called (for summaries in lists)."""
    return Prefetch(lookup, queryset=Customer.objects.with_do_not_call())


def loan_list() -> QuerySet[Loan]:
    """Every loan with its customer, in due-date order."""
    return Loan.objects.prefetch_related(customer_prefetch()).order_by("due_date", "id")


def suppression_list(*, customer_id: int, active: bool | None = None) -> QuerySet[Suppression]:
    """A customer's suppressions, newest first; ``active`` keeps only those in force (or only cleared ones)."""
    suppressions = Suppression.objects.filter(customer_id=customer_id).select_related("loan")
    if active is not None:
        suppressions = suppressions.filter(cleared_at__isnull=active)
    return suppressions.order_by("-created_at", "-id")
