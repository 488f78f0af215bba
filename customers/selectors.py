"""Reads on customers: find one by whatever the person at the desk has in hand."""

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from .models import Customer, Loan, Suppression
from .phones import phone_try_normalize

# A name fragment stops at this many customers, taken in no particular order, before anything sorts them:
# a fragment that names more people than this ("kumar" among a million) is refined, not paged through.
NAME_MATCHES = 500


def customer_find(*, query: str) -> QuerySet[Customer]:
    """Customers matching ``query``: a phone in any format, a loan id, or a fragment of the name.

    A phone and a loan id are two lookups in their unique indexes (never one query that ORs them, which
    PostgreSQL answers by reading the whole table); when either finds someone, that is the answer. Only
    when neither does is ``query`` a name fragment (the trigram index on PostgreSQL) or an alternate
    phone (the index on ``alternate_phones``), and at most ``NAME_MATCHES`` customers are found.
    """
    query = " ".join((query or "").split())
    if not query:
        return Customer.objects.none()

    phone = phone_try_normalize(query)
    exact = list(Loan.objects.filter(loan_id=query).values_list("customer_id", flat=True))
    if phone:
        exact += Customer.objects.filter(phone=phone).values_list("pk", flat=True)
    if exact:
        return Customer.objects.filter(pk__in=exact)

    broad = Q(full_name__icontains=query)
    if phone:
        broad |= _alternate_phone_is(phone)
    return Customer.objects.filter(pk__in=Customer.objects.filter(broad).order_by().values("pk")[:NAME_MATCHES])


def _alternate_phone_is(phone: str) -> Q:
    """``phone`` among the alternate phones: JSON containment on PostgreSQL (indexed), the text elsewhere."""
    if connection.vendor == "postgresql":
        return Q(alternate_phones__contains=[phone])
    return Q(alternate_phones__icontains=phone)


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
