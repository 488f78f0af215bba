"""Writes on customers and loans. One customer per normalised phone; every change is reported."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.roles import user_is_back_office
from voiceassist.common.services import audit_event_record

from .models import (
    BACK_OFFICE_ONLY,
    PER_LOAN,
    Customer,
    Loan,
    LoanStatus,
    Payment,
    PaymentSource,
    Suppression,
    SuppressionKind,
    loan_status_for,
)
from .national_ids import national_id_fingerprint
from .phones import phone_normalize
from .signals import loans_settled, payment_recorded, suppression_set

# Field-level changes as the upload entries record them: {"field": ["old", "new"]}.
Changes = dict[str, list[Any]]


@dataclass
class UpsertResult:
    instance: Any
    created: bool
    changes: Changes = field(default_factory=dict)


def as_change_value(value: Any) -> Any:
    """A value as change logs and upload entries hold it: amounts as ``"50000.00"``, dates as ISO text."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _apply_changes(instance: Any, values: dict[str, Any]) -> Changes:
    """Set the given values on ``instance`` and return what actually changed."""
    changes: Changes = {}
    for name, new in values.items():
        old = getattr(instance, name)
        if old != new:
            changes[name] = [as_change_value(old), as_change_value(new)]
            setattr(instance, name, new)
    return changes


def _customer_values(
    *,
    full_name: str | None,
    alternate_phones: list[str] | None,
    email: str | None,
    state: str | None,
    preferred_language: str | None,
    national_id: str | None,
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if full_name is not None:
        values["full_name"] = " ".join(full_name.split())
    if alternate_phones is not None:
        values["alternate_phones"] = sorted({phone_normalize(p) for p in alternate_phones if str(p).strip()})
    if email is not None:
        values["email"] = email.strip()
    if state is not None:
        values["state"] = state.strip()
    if preferred_language is not None:
        values["preferred_language"] = preferred_language
    if national_id:
        fingerprint = national_id_fingerprint(national_id)
        values["national_id_fingerprint"] = fingerprint.fingerprint
        values["national_id_last4"] = fingerprint.last4
    return values


@transaction.atomic
def customer_upsert(
    *,
    phone: str,
    full_name: str | None = None,
    alternate_phones: list[str] | None = None,
    email: str | None = None,
    state: str | None = None,
    preferred_language: str | None = None,
    national_id: str | None = None,
    uploaded_at: datetime | None = None,
) -> UpsertResult:
    """Create the customer with this phone, or update the one that has it.

    ``phone`` may be in any format (see ``phone_normalize``). Values left as ``None`` are not
    touched. Safe under concurrency: two calls for one phone at once leave one customer.
    """
    e164 = phone_normalize(phone)
    values = _customer_values(
        full_name=full_name,
        alternate_phones=alternate_phones,
        email=email,
        state=state,
        preferred_language=preferred_language,
        national_id=national_id,
    )
    if "alternate_phones" in values:
        values["alternate_phones"] = [p for p in values["alternate_phones"] if p != e164]

    customer = Customer.objects.select_for_update().filter(phone=e164).first()
    if customer is None:
        if not values.get("full_name"):
            raise ApplicationError(f"A name is required to add the new customer {e164}.", code="name_required")
        try:
            with transaction.atomic():
                customer = Customer.objects.create(
                    phone=e164, first_uploaded_at=uploaded_at, last_uploaded_at=uploaded_at, **values
                )
            return UpsertResult(instance=customer, created=True)
        except IntegrityError:
            # Another request added this phone between our read and our insert: update theirs.
            customer = Customer.objects.select_for_update().get(phone=e164)

    changes = _apply_changes(customer, values)
    if "national_id_fingerprint" in changes:
        # The id is never recorded, not even in the change log: only that it changed.
        changes.pop("national_id_fingerprint")
    update_fields = list(values) if changes else []
    if uploaded_at is not None:
        customer.last_uploaded_at = uploaded_at
        update_fields.append("last_uploaded_at")
        if customer.first_uploaded_at is None:
            customer.first_uploaded_at = uploaded_at
            update_fields.append("first_uploaded_at")
    if update_fields:
        customer.save(update_fields=[*update_fields, "updated_at"])
    return UpsertResult(instance=customer, created=False, changes=changes)


@transaction.atomic
def loan_upsert(
    *,
    customer: Customer,
    loan_id: str,
    principal_amount: Decimal | None = None,
    outstanding_amount: Decimal | None = None,
    amount_due: Decimal | None = None,
    due_date: date | None = None,
    days_past_due: int | None = None,
    status: str | None = None,
) -> UpsertResult:
    """Create the loan with this id for ``customer``, or update it. A loan never changes hands."""
    loan_id = loan_id.strip()
    if not loan_id:
        raise ApplicationError("A loan id is required.", code="loan_id_required")
    values = {
        name: value
        for name, value in {
            "principal_amount": principal_amount,
            "outstanding_amount": outstanding_amount,
            "amount_due": amount_due,
            "due_date": due_date,
            "days_past_due": days_past_due,
            "status": status,
        }.items()
        if value is not None
    }
    loan = Loan.objects.select_for_update().filter(loan_id=loan_id).first()
    if loan is None:
        status = values.pop("status", LoanStatus.ACTIVE)
        status = loan_status_for(status=status, outstanding=values.get("outstanding_amount"))
        loan = Loan.objects.create(customer=customer, loan_id=loan_id, status=status, **values)
        return UpsertResult(instance=loan, created=True)
    if loan.customer_id != customer.pk:
        raise ApplicationError(
            f"Loan {loan_id} belongs to another customer ({loan.customer.phone}).", code="loan_other_customer"
        )
    was_settled = loan.status == LoanStatus.SETTLED
    changes = _apply_changes(loan, values)
    changes.update(
        _apply_changes(loan, {"status": loan_status_for(status=loan.status, outstanding=loan.outstanding_amount)})
    )
    if changes:
        loan.save(update_fields=[*changes, "updated_at"])
    if loan.status == LoanStatus.SETTLED and not was_settled:
        loans_settled_announce(loan_ids=[loan.loan_id])
    return UpsertResult(instance=loan, created=False, changes=changes)


def loans_settled_announce(*, loan_ids: list[str]) -> None:
    """Tell the apps above, once the transaction commits, that these loans have nothing left to collect."""
    if loan_ids:
        transaction.on_commit(lambda: loans_settled.send(sender=Loan, loan_ids=list(loan_ids)))


def payments_recorded_announce(*, payment_ids: list[int]) -> None:
    """Tell the apps above, once the transaction commits, of payments recorded in bulk (a lender's file), one
    ``payment_recorded`` per payment as ``loan_record_payment`` sends it."""
    if not payment_ids:
        return
    ids = list(payment_ids)

    def send() -> None:
        for start in range(0, len(ids), 1000):
            for payment in Payment.objects.filter(pk__in=ids[start : start + 1000]).select_related("loan"):
                payment_recorded.send(sender=Payment, payment=payment)

    transaction.on_commit(send)


@transaction.atomic
def suppression_set_for(
    *,
    customer: Customer,
    kind: str,
    reason: str,
    source: str,
    actor: AbstractBaseUser | None,
    loan: Loan | None = None,
    reference: str = "",
) -> Suppression:
    """Stop calls to ``customer`` (or about ``loan``) for ``reason``; audited, and said once.

    Setting the same suppression again returns the one in force. A wrong number is recorded against
    the phone the customer has now: it lapses if a later file gives them another.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise ApplicationError("Say why this customer must not be called.", code="reason_required")
    if kind not in SuppressionKind.values:
        raise ApplicationError(f"“{kind}” is not a kind of suppression.", code="invalid_kind")
    if kind in BACK_OFFICE_ONLY and actor is not None and not user_is_back_office(actor):
        raise ApplicationError(
            f"Only back office may mark a customer “{SuppressionKind(kind).label.lower()}”.", code="back_office_only"
        )
    if loan is not None and loan.customer_id != customer.pk:
        raise ApplicationError(f"Loan {loan.loan_id} belongs to another customer.", code="loan_other_customer")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)  # one writer of a customer's suppressions
    loan = loan if kind in PER_LOAN else None
    phone = customer.phone if kind == SuppressionKind.WRONG_NUMBER else ""
    existing = Suppression.objects.active().filter(customer=customer, kind=kind, loan=loan, phone=phone).first()
    if existing is not None:
        return existing
    suppression = Suppression.objects.create(
        customer=customer,
        kind=kind,
        loan=loan,
        phone=phone,
        reason=reason[:300],
        source=source,
        reference=reference[:64],
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_event_record(
        actor=actor,
        action="suppression.set",
        target=customer,
        details={"kind": kind, "loan": loan.loan_id if loan else None, "reason": suppression.reason, "source": source},
    )
    transaction.on_commit(lambda: suppression_set.send(sender=Suppression, suppression=suppression))
    return suppression


@transaction.atomic
def suppression_clear(*, suppression: Suppression, actor: AbstractBaseUser | None, reason: str) -> Suppression:
    """Lift a suppression. Only back office may: agents and integrations can set them, never clear them."""
    if actor is None or not user_is_back_office(actor):
        raise ApplicationError("Only back office may clear a suppression.", code="back_office_only")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ApplicationError("Say why calls may resume.", code="reason_required")
    suppression = Suppression.objects.select_for_update().get(pk=suppression.pk)
    if suppression.cleared_at is not None:
        return suppression
    suppression.cleared_at = timezone.now()
    suppression.cleared_by = actor
    suppression.clear_reason = reason[:300]
    suppression.save(update_fields=["cleared_at", "cleared_by", "clear_reason", "updated_at"])
    audit_event_record(
        actor=actor,
        action="suppression.cleared",
        target=suppression.customer,
        details={"kind": suppression.kind, "suppression": suppression.pk, "reason": suppression.clear_reason},
    )
    return suppression


@transaction.atomic
def loan_record_payment(
    *,
    loan: Loan,
    amount: Decimal,
    paid_on: date,
    reference: str = "",
    actor: AbstractBaseUser | None,
    source: str = PaymentSource.STAFF,
    gateway: str = "",
    paid_at: datetime | None = None,
) -> Payment:
    """Record money received: the loan owes that much less (never below zero). A reference is taken once
    per loan, whoever reports it first (a gateway's webhook, staff, a file): the same payment never counts
    twice. Announced (``payment_recorded``) after commit."""
    if amount is None or amount <= 0:
        raise ApplicationError("A payment needs an amount above zero.", code="invalid_amount")
    if paid_on > timezone.localdate():
        raise ApplicationError("A payment cannot be dated in the future.", code="invalid_date")
    reference = reference.strip()
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    if reference and loan.payments.filter(reference=reference).exists():
        raise ApplicationError(
            f"Payment {reference} is already recorded on loan {loan.loan_id}.", code="duplicate_payment"
        )
    payment = Payment.objects.create(
        loan=loan,
        amount=amount,
        paid_on=paid_on,
        paid_at=paid_at,
        reference=reference,
        source=source,
        gateway=gateway,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if loan.outstanding_amount is not None:
        was_settled = loan.status == LoanStatus.SETTLED
        loan.outstanding_amount = max(Decimal("0.00"), loan.outstanding_amount - amount)
        loan.status = loan_status_for(status=loan.status, outstanding=loan.outstanding_amount)
        loan.save(update_fields=["outstanding_amount", "status", "updated_at"])
        if loan.status == LoanStatus.SETTLED and not was_settled:
            loans_settled_announce(loan_ids=[loan.loan_id])
    audit_event_record(
        actor=actor,
        action="loan.payment_recorded",
        target=loan,
        details={
            "amount": str(amount),
            "paid_on": paid_on.isoformat(),
            "reference": reference,
            "source": source,
            **({"gateway": gateway} if gateway else {}),
        },
    )
    transaction.on_commit(lambda: payment_recorded.send(sender=Payment, payment=payment))
    return payment
