"""What a call's answer leads to: promises to pay, follow-ups for agents, and the daily review of
promises (kept when the loan's outstanding amount dropped by the promised amount, else broken)."""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from calls.models import Call, Disposition, PromiseStatus, PromiseToPay, WorkItem, WorkItemKind
from customers.models import Customer, Loan
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.services import audit_event_record

from .status import call_record_event

DEFAULT_PROMISE_DAYS = 7


@transaction.atomic
def promise_create(
    *,
    loan: Loan,
    amount: Decimal,
    promised_date: date,
    source_call: Call | None = None,
    actor: AbstractBaseUser | None = None,
    grace_days: int = 3,
) -> PromiseToPay:
    if amount is None or amount <= 0:
        raise ApplicationError("A promise needs an amount above zero.", code="invalid_amount")
    if promised_date < timezone.localdate():
        raise ApplicationError("The promised date is in the past.", code="invalid_date")
    promise = PromiseToPay.objects.create(
        customer_id=loan.customer_id,
        loan=loan,
        amount=amount,
        promised_date=promised_date,
        grace_days=grace_days,
        outstanding_at_promise=loan.outstanding_amount,
        source_call=source_call,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if actor is not None:
        audit_event_record(
            actor=actor,
            action="promise.recorded",
            target=promise,
            details={"amount": str(amount), "promised_date": promised_date.isoformat()},
        )
    return promise


def work_item_create(
    *,
    kind: str,
    customer: Customer,
    loan: Loan | None = None,
    call: Call | None = None,
    promise: PromiseToPay | None = None,
    note: str = "",
    due_at=None,
) -> WorkItem:
    return WorkItem.objects.create(
        kind=kind,
        customer=customer,
        loan=loan,
        call=call,
        promise=promise,
        note=note[:300],
        due_at=due_at or timezone.now(),
    )


def _set_disposition(call: Call, code: str) -> None:
    call.disposition = Disposition.objects.get(code=code)
    call.save(update_fields=["disposition", "keypad", "updated_at"])


@transaction.atomic
def call_keypad_apply(*, call: Call, digits: str) -> str:
    """The customer pressed a key: 1 promise to pay, 2 already paid, 3 talk to an agent."""
    digit = (digits or "").strip()[:1]
    call.keypad = (call.keypad + digit)[-16:]
    call_record_event(call=call, kind="keypad", detail={"digit": digit})
    loan = call.loan
    if digit == "1" and loan is not None:
        promised_date = (
            loan.due_date
            if loan.due_date and loan.due_date >= timezone.localdate()
            else (timezone.localdate() + timedelta(days=DEFAULT_PROMISE_DAYS))
        )
        amount = loan.outstanding_amount or Decimal("0")
        if amount > 0:
            promise_create(loan=loan, amount=amount, promised_date=promised_date, source_call=call)
        _set_disposition(call, "promise_to_pay")
        return "promise_to_pay"
    if digit == "2":
        work_item_create(
            kind=WorkItemKind.PAYMENT_CHECK,
            customer=call.customer,
            loan=loan,
            call=call,
            note="Says the loan is already paid: check the payment.",
        )
        _set_disposition(call, "already_paid")
        return "already_paid"
    if digit == "3":
        work_item_create(
            kind=WorkItemKind.AGENT_REQUESTED,
            customer=call.customer,
            loan=loan,
            call=call,
            note="Pressed 3 to talk to an agent.",
        )
        _set_disposition(call, "agent_requested")
        return "agent_requested"
    call.save(update_fields=["keypad", "updated_at"])
    return ""


def _promise_kept(promise: PromiseToPay) -> bool:
    loan = promise.loan
    if promise.outstanding_at_promise is None or loan.outstanding_amount is None:
        return False
    return promise.outstanding_at_promise - loan.outstanding_amount >= promise.amount


@transaction.atomic
def promises_review(*, today: date | None = None) -> dict[str, int]:
    """Mark open promises kept (the loan dropped by the amount) or broken (past date + grace days)."""
    today = today or timezone.localdate()
    counts = {"kept": 0, "broken": 0}
    open_promises = PromiseToPay.objects.select_for_update(skip_locked=True).filter(status=PromiseStatus.OPEN)
    for promise in open_promises.select_related("loan", "customer").iterator(chunk_size=1000):
        if _promise_kept(promise):
            promise.status = PromiseStatus.KEPT
        elif promise.promised_date + timedelta(days=promise.grace_days) < today:
            promise.status = PromiseStatus.BROKEN
            work_item_create(
                kind=WorkItemKind.BROKEN_PROMISE,
                customer=promise.customer,
                loan=promise.loan,
                promise=promise,
                note=f"Promised {promise.amount} by {promise.promised_date:%d %b %Y}.",
            )
        else:
            continue
        promise.resolved_at = timezone.now()
        promise.save(update_fields=["status", "resolved_at", "updated_at"])
        counts[promise.status] += 1
    return counts
