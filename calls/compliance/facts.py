"""What the guard needs to know about customers, read for many at once in a fixed number of queries.

A dispatcher tick asks about a thousand calls; the dial-time check about one. Both read the same
facts the same way: the attempts of the last days, the calls on the line, the suppressions in force,
the open promises and the customer's loans.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from calls.models import Call, PromiseStatus, PromiseToPay
from calls.services.status import LIVE
from customers.models import Loan, Suppression

# How far back attempts matter: seven local days, with room for any time zone.
LOOKBACK = timedelta(days=9)


@dataclass(frozen=True, slots=True)
class Attempt:
    at: datetime
    loan_id: int | None  # None: about no loan in particular, so about every one of them
    conversation: bool  # the borrower was spoken to (a right-party contact)


@dataclass(frozen=True, slots=True)
class SuppressionFact:
    kind: str
    loan_id: int | None
    phone: str
    reason: str


@dataclass(frozen=True, slots=True)
class PromiseFact:
    loan_id: int
    amount: Decimal
    promised_date: date
    last_day: date  # the promised date plus grace days: no calls about the loan until the day after


@dataclass(frozen=True, slots=True)
class LoanFact:
    loan_id: str  # the lender's id, for messages
    status: str


@dataclass(slots=True)
class CustomerFacts:
    attempts: list[Attempt] = field(default_factory=list)
    live_calls: set[int] = field(default_factory=set)
    suppressions: list[SuppressionFact] = field(default_factory=list)
    promises: list[PromiseFact] = field(default_factory=list)
    loans: dict[int, LoanFact] = field(default_factory=dict)

    def note_dialled(self, call_id: int) -> None:
        """A call of this customer's was just handed on: later checks in the same pass see it live."""
        self.live_calls.add(call_id)


def facts_load(*, customer_ids: list[int] | set[int], at: datetime) -> dict[int, CustomerFacts]:
    """The facts of every customer in ``customer_ids`` as of ``at`` (attempts after ``at`` are not known yet)."""
    ids = list(set(customer_ids))
    facts = {customer_id: CustomerFacts() for customer_id in ids}
    if not ids:
        return facts
    attempts = Call.objects.filter(customer_id__in=ids, started_at__gte=at - LOOKBACK, started_at__lte=at).values_list(
        "customer_id", "loan_id", "started_at", "disposition__is_right_party_contact"
    )
    for customer_id, loan_id, started_at, right_party in attempts:
        facts[customer_id].attempts.append(Attempt(at=started_at, loan_id=loan_id, conversation=bool(right_party)))
    for customer_id, call_id in Call.objects.filter(customer_id__in=ids, status__in=LIVE).values_list(
        "customer_id", "id"
    ):
        facts[customer_id].live_calls.add(call_id)
    for customer_id, kind, loan_id, phone, reason in (
        Suppression.objects.active()
        .filter(customer_id__in=ids)
        .values_list("customer_id", "kind", "loan_id", "phone", "reason")
    ):
        facts[customer_id].suppressions.append(SuppressionFact(kind=kind, loan_id=loan_id, phone=phone, reason=reason))
    for customer_id, loan_id, amount, promised_date, grace_days in PromiseToPay.objects.filter(
        customer_id__in=ids, status=PromiseStatus.OPEN
    ).values_list("customer_id", "loan_id", "amount", "promised_date", "grace_days"):
        facts[customer_id].promises.append(
            PromiseFact(
                loan_id=loan_id,
                amount=amount,
                promised_date=promised_date,
                last_day=promised_date + timedelta(days=grace_days),
            )
        )
    for customer_id, pk, loan_id, status in Loan.objects.filter(customer_id__in=ids).values_list(
        "customer_id", "id", "loan_id", "status"
    ):
        facts[customer_id].loans[pk] = LoanFact(loan_id=loan_id, status=status)
    return facts
