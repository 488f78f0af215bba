"""Writes on customers and loans. One customer per normalised phone; every change is reported."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditAction
from voiceassist.common.services import audit_event_record

from .merge import (
    LOAN_ATTRIBUTES,
    customer_attributes,
    customer_given,
    customer_merge,
    customer_state,
    loan_attributes,
    loan_given,
    loan_state,
    merge,
)
from .models import (
    Customer,
    Loan,
    LoanStatus,
    Payment,
    PaymentSource,
    loan_status_for,
)
from .phones import phone_normalize
from .signals import loans_settled, payment_recorded

# Field-level changes as the upload entries record them, by file column: {"amount": ["50000.00", "42000.00"]}.
Changes = dict[str, list[Any]]


@dataclass
class UpsertResult:
    instance: Any
    created: bool
    changes: Changes = field(default_factory=dict)


def _apply(instance: Any, attributes: dict[str, Any]) -> list[str]:
    """Set the attributes that differ on ``instance``; return their names."""
    changed = [name for name, value in attributes.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, attributes[name])
    return changed


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
    """Create the customer with this phone, or update the one that has it: one row through the merge core
    (``customers.merge``), exactly as an upload merges a batch.

    ``phone`` may be in any format (see ``phone_normalize``). Values left as ``None`` are not
    touched. Safe under concurrency: two calls for one phone at once leave one customer.
    """
    e164 = phone_normalize(phone)
    cleaned = {
        "name": full_name,
        "email": email,
        "state": state,
        "language": preferred_language,
        "national_id": national_id or None,
        "alternate_phone": (
            None if alternate_phones is None else [phone_normalize(p) for p in alternate_phones if str(p).strip()]
        ),
    }
    given = customer_given(cleaned, phone=e164)

    customer = Customer.objects.select_for_update().filter(phone=e164).first()
    if customer is None:
        if not given.values.get("name"):
            raise ApplicationError(f"A name is required to add the new customer {e164}.", code="name_required")
        fingerprint = given.national_id.fingerprint if given.national_id else None
        attributes = customer_attributes(given.values, phone=e164, fingerprint=fingerprint)
        try:
            with transaction.atomic():
                customer = Customer.objects.create(
                    phone=e164, first_uploaded_at=uploaded_at, last_uploaded_at=uploaded_at, **attributes
                )
            return UpsertResult(instance=customer, created=True)
        except IntegrityError:
            # Another request added this phone between our read and our insert: update theirs.
            customer = Customer.objects.select_for_update().get(phone=e164)

    merged, changes = customer_merge(
        customer_state(customer), given, stored_fingerprint=customer.national_id_fingerprint
    )
    fingerprint = given.national_id.fingerprint if given.national_id else customer.national_id_fingerprint
    update_fields = _apply(customer, customer_attributes(merged, phone=e164, fingerprint=fingerprint))
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
    """Create the loan with this id for ``customer``, or update it, through the merge core. A loan never
    changes hands; its status follows what it owes (``loan_status_for``)."""
    loan_id = loan_id.strip()
    if not loan_id:
        raise ApplicationError("A loan id is required.", code="loan_id_required")
    given = loan_given(
        {
            "principal": principal_amount,
            "amount": outstanding_amount,
            "amount_due": amount_due,
            "due_date": due_date,
            "days_past_due": days_past_due,
        }
    )
    loan = Loan.objects.select_for_update().filter(loan_id=loan_id).first()
    if loan is None:
        attributes = {name: value for name, value in loan_attributes(given).items() if value is not None}
        status = loan_status_for(status=status or LoanStatus.ACTIVE, outstanding=attributes.get("outstanding_amount"))
        loan = Loan.objects.create(customer=customer, loan_id=loan_id, status=status, **attributes)
        return UpsertResult(instance=loan, created=True)
    if loan.customer_id != customer.pk:
        raise ApplicationError(
            f"Loan {loan_id} belongs to another customer ({loan.customer.phone}).", code="loan_other_customer"
        )
    changes = _loan_merge_save(loan, given, status=status)
    return UpsertResult(instance=loan, created=False, changes=changes)


def _loan_merge_save(loan: Loan, given: dict[str, Any], *, status: str | None) -> Changes:
    """Merge ``given`` into a stored loan and save what changed; its status follows what it owes
    (``loan_status_for``), and a loan that became settled is announced."""
    was_settled = loan.status == LoanStatus.SETTLED
    current = loan_state(loan)
    changes = merge(current, given)
    update_fields = _apply(loan, loan_attributes({**current, **given}))
    new_status = loan_status_for(status=status or loan.status, outstanding=loan.outstanding_amount)
    if new_status != loan.status:
        changes["status"] = [loan.status, new_status]
        loan.status = new_status
        update_fields.append("status")
    if update_fields:
        loan.save(update_fields=[*update_fields, "updated_at"])
    if loan.status == LoanStatus.SETTLED and not was_settled:
        loans_settled_announce(loan_ids=[loan.loan_id])
    return changes


# The customer search's GIN indexes (migrations 0006, 0008), whose new entries wait in a pending list.
SEARCH_GIN_INDEXES = ("customer_full_name_trgm", "customer_alternate_phones_gin")


def customer_search_indexes_merge() -> None:
    """Merge the search indexes' pending entries in bulk, after writing many customers (an upload's batch):
    far cheaper than row by row, and a search then reads no long unmerged list. PostgreSQL only."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT gin_clean_pending_list(to_regclass(name)) FROM unnest(%s::text[]) AS name "
            "WHERE to_regclass(name) IS NOT NULL",
            [list(SEARCH_GIN_INDEXES)],
        )


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
        action=AuditAction.LOAN_PAYMENT_RECORDED,
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


@transaction.atomic
def customer_edit(*, customer: Customer, phone: str, values: dict[str, Any], actor: AbstractBaseUser | None) -> Changes:
    """Back office edits one customer (the admin's form): the values go through the merge core like a file's row,
    a new primary phone is normalised and must be nobody else's, and the changes are audited."""
    e164 = phone_normalize(phone)
    changes: Changes = {}
    if e164 != customer.phone:
        if Customer.objects.filter(phone=e164).exclude(pk=customer.pk).exists():
            raise ApplicationError(f"Another customer already has the phone {e164}.", code="phone_taken")
        changes["phone"] = [customer.phone, e164]
        customer.phone = e164
    cleaned = {
        "name": values.get("full_name"),
        "email": values.get("email"),
        "state": values.get("state"),
        "language": values.get("preferred_language"),
        "alternate_phone": [phone_normalize(p) for p in values.get("alternate_phones") or [] if str(p).strip()],
    }
    given = customer_given(cleaned, phone=e164)
    merged, merged_changes = customer_merge(
        customer_state(customer), given, stored_fingerprint=customer.national_id_fingerprint
    )
    changes |= merged_changes
    attributes = customer_attributes(merged, phone=e164, fingerprint=customer.national_id_fingerprint)
    if customer.pk is None:
        customer.phone = e164
        for name, value in attributes.items():
            setattr(customer, name, value)
        customer.save()
        audit_event_record(actor=actor, action=AuditAction.CUSTOMER_CREATED, target=customer, details={"phone": e164})
        return changes
    update_fields = _apply(customer, attributes)
    if changes or update_fields:
        customer.save(update_fields=list({*update_fields, "phone", "updated_at"}))
        audit_event_record(
            actor=actor, action=AuditAction.CUSTOMER_EDITED, target=customer, details={"changes": changes}
        )
    return changes


@transaction.atomic
def loan_edit(*, loan: Loan, values: dict[str, Any], actor: AbstractBaseUser | None) -> Changes:
    """Back office edits one loan (the admin's form): through the merge core, its status following what it owes
    (``loan_status_for``: nothing outstanding settles it, and its calls are canceled); audited."""
    status = values.get("status")
    if loan.pk is None:
        created = loan_upsert(
            customer=values["customer"],
            loan_id=values["loan_id"],
            principal_amount=values.get("principal_amount"),
            outstanding_amount=values.get("outstanding_amount"),
            amount_due=values.get("amount_due"),
            due_date=values.get("due_date"),
            days_past_due=values.get("days_past_due"),
            status=status,
        )
        loan.pk = created.instance.pk
        audit_event_record(actor=actor, action=AuditAction.LOAN_CREATED, target=created.instance, details={})
        return {}
    given = loan_given({column: values.get(attribute) for column, attribute in LOAN_ATTRIBUTES.items()})
    changes = _loan_merge_save(loan, given, status=status)
    if changes:
        audit_event_record(actor=actor, action=AuditAction.LOAN_EDITED, target=loan, details={"changes": changes})
    return changes
