"""Promises to pay: the rules every promise obeys, whoever takes it (the bot, an agent, the admin, the
API), and how payments judge it.

The rules (``promise_problem``, one place): the amount is above zero and at most what the loan still
owes; the date is not in the past and within ``PROMISE_HORIZON_DAYS``; grace days, when given, are 0 to
``PROMISE_MAX_GRACE_DAYS``. A loan has one open promise: a
new one replaces the old, which is kept as *replaced*. By default a promise is for the amount due now
(the file's EMI) where the lender's file says it, else for the whole outstanding amount.

Judged by payments (``customers.Payment``, whatever reported it) on the loan from the day the promise
was made to its date plus grace days: **kept** as soon as they reach the promised amount; after the
last day, **partly kept** when some arrived (the amount is recorded) and **broken** when none did —
both put a follow-up in the agents' queue.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from calls.models import Call, PromiseStatus, PromiseToPay, WorkItemKind
from calls.signals import promise_made
from customers.models import Loan, Payment
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditAction
from voiceassist.common.money import indian_grouping
from voiceassist.common.services import audit_event_record

from .work_items import work_item_create

# The most days of grace a promise may be given after its date before it is judged (the default: PROMISE_GRACE_DAYS).
PROMISE_MAX_GRACE_DAYS = 30


@dataclass(frozen=True)
class PromiseProblem:
    code: str
    field: str  # the field to correct: "amount", "promised_date" or "grace_days"
    message: str


def promise_problem(
    *,
    amount: Decimal | None,
    promised_date: date,
    outstanding: Decimal | None,
    today: date,
    grace_days: int | None = None,
) -> PromiseProblem | None:
    """Why a promise of ``amount`` by ``promised_date`` (plus ``grace_days``, None for the default) on a loan
    owing ``outstanding`` can't be taken, or None."""
    if amount is None or amount <= 0:
        return PromiseProblem("invalid_amount", "amount", "A promise needs an amount above zero.")
    if outstanding is not None and amount > outstanding:
        return PromiseProblem(
            "amount_above_outstanding",
            "amount",
            f"₹{indian_grouping(amount)} is more than the ₹{indian_grouping(outstanding)} the loan still owes.",
        )
    if promised_date < today:
        return PromiseProblem("invalid_date", "promised_date", "The promised date is in the past.")
    horizon = today + timedelta(days=settings.PROMISE_HORIZON_DAYS)
    if promised_date > horizon:
        return PromiseProblem(
            "beyond_horizon",
            "promised_date",
            f"The promised date is more than {settings.PROMISE_HORIZON_DAYS} days ahead "
            f"(the latest is {horizon:%d %b %Y}): agree a nearer date, or a plan with a supervisor.",
        )
    if grace_days is not None and not 0 <= grace_days <= PROMISE_MAX_GRACE_DAYS:
        return PromiseProblem(
            "invalid_grace_days",
            "grace_days",
            f"Grace days must be from 0 to {PROMISE_MAX_GRACE_DAYS}; {grace_days} is not.",
        )
    return None


def promise_default_amount(loan: Loan) -> Decimal | None:
    """What a promise is for when nobody named an amount: the instalment due, else all that is owed."""
    if loan.amount_due and loan.amount_due > 0:
        return min(loan.amount_due, loan.outstanding_amount) if loan.outstanding_amount else loan.amount_due
    return loan.outstanding_amount


@transaction.atomic
def promise_create(
    *,
    loan: Loan,
    promised_date: date,
    amount: Decimal | None = None,
    source_call: Call | None = None,
    actor: AbstractBaseUser | None = None,
    grace_days: int | None = None,
    today: date | None = None,
) -> PromiseToPay:
    """Take a promise (every caller comes here), replacing the loan's open one; audited, and announced
    after commit (``promise_made``: the payments app sends a payment link)."""
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    amount = amount if amount is not None else promise_default_amount(loan)
    today = today or timezone.localdate()
    problem = promise_problem(
        amount=amount,
        promised_date=promised_date,
        outstanding=loan.outstanding_amount,
        today=today,
        grace_days=grace_days,
    )
    if problem is not None:
        raise ApplicationError(
            problem.message, code=problem.code, details={problem.field: [problem.message], "loan": loan.loan_id}
        )
    previous = PromiseToPay.objects.select_for_update().filter(loan=loan, status=PromiseStatus.OPEN).first()
    if previous is not None:
        # The rule is one open promise per loan (a database constraint too): the old one steps aside first.
        previous.status, previous.resolved_at = PromiseStatus.REPLACED, timezone.now()
        previous.save(update_fields=["status", "resolved_at", "updated_at"])
    promise = PromiseToPay.objects.create(
        customer_id=loan.customer_id,
        loan=loan,
        amount=amount,
        promised_date=promised_date,
        grace_days=settings.PROMISE_GRACE_DAYS if grace_days is None else grace_days,
        outstanding_at_promise=loan.outstanding_amount,
        source_call=source_call,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    details = {"amount": str(amount), "promised_date": promised_date.isoformat(), "loan": loan.loan_id}
    if previous is not None:
        previous.replaced_by = promise
        previous.save(update_fields=["replaced_by", "updated_at"])
        details["replaces"] = previous.pk
    if source_call is not None:
        details["call"] = source_call.pk
    audit_event_record(actor=actor, action=AuditAction.PROMISE_RECORDED, target=promise, details=details)
    transaction.on_commit(lambda: promise_made.send(sender=PromiseToPay, promise=promise))
    return promise


def _last_day(promise: PromiseToPay) -> date:
    return promise.promised_date + timedelta(days=promise.grace_days)


def _paid_towards(promise: PromiseToPay) -> Decimal:
    """Payments on the loan from the day the promise was made to its last day."""
    made_on = timezone.localdate(promise.created_at)
    paid = Payment.objects.filter(loan_id=promise.loan_id, paid_on__gte=made_on, paid_on__lte=_last_day(promise))
    return paid.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def promise_judge(*, promise: PromiseToPay, today: date | None = None) -> str:
    """Judge one open promise by the payments so far: kept, partly kept or broken — or still open."""
    today = today or timezone.localdate()
    paid = _paid_towards(promise)
    if paid >= promise.amount:
        outcome = PromiseStatus.KEPT
    elif _last_day(promise) >= today:
        if paid != promise.paid_amount:
            promise.paid_amount = paid
            promise.save(update_fields=["paid_amount", "updated_at"])
        return PromiseStatus.OPEN
    else:
        outcome = PromiseStatus.PARTLY_KEPT if paid > 0 else PromiseStatus.BROKEN
        by = f"{promise.promised_date:%d %b %Y}"
        note = (
            f"Paid ₹{indian_grouping(paid)} of the ₹{indian_grouping(promise.amount)} promised by {by}."
            if paid > 0
            else f"Promised ₹{indian_grouping(promise.amount)} by {by}; nothing arrived."
        )
        work_item_create(
            kind=WorkItemKind.BROKEN_PROMISE, customer=promise.customer, loan=promise.loan, promise=promise, note=note
        )
    promise.status, promise.paid_amount, promise.resolved_at = outcome, paid, timezone.now()
    promise.save(update_fields=["status", "paid_amount", "resolved_at", "updated_at"])
    return outcome


@transaction.atomic
def promise_payment_arrived(*, loan_id: int, today: date | None = None) -> str | None:
    """A payment on the loan: its open promise is kept the moment payments reach the amount."""
    promise = (
        PromiseToPay.objects.select_for_update(skip_locked=True)
        .select_related("customer", "loan")
        .filter(loan_id=loan_id, status=PromiseStatus.OPEN)
        .first()
    )
    return promise_judge(promise=promise, today=today) if promise is not None else None


@transaction.atomic
def promises_review(*, today: date | None = None) -> dict[str, int]:
    """The daily review: every open promise judged (kept, partly kept, broken, or still open)."""
    today = today or timezone.localdate()
    counts = {PromiseStatus.KEPT.value: 0, PromiseStatus.PARTLY_KEPT.value: 0, PromiseStatus.BROKEN.value: 0}
    open_promises = PromiseToPay.objects.select_for_update(skip_locked=True).filter(status=PromiseStatus.OPEN)
    for promise in open_promises.select_related("loan", "customer").iterator(chunk_size=1000):
        outcome = promise_judge(promise=promise, today=today)
        if outcome in counts:
            counts[outcome] += 1
    return counts
