"""Suppressions, the one record of "don't call": set by outcomes, agents, the API and the admin (audited, said
once through the ``suppression_set`` signal, so the calls app cancels what may no longer happen), and cleared
by back office alone, with a reason."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditAction
from voiceassist.common.roles import user_is_back_office
from voiceassist.common.services import audit_event_record

from .models import BACK_OFFICE_ONLY, PER_LOAN, Customer, Loan, Suppression, SuppressionKind
from .signals import suppression_set


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
        action=AuditAction.SUPPRESSION_SET,
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
        action=AuditAction.SUPPRESSION_CLEARED,
        target=suppression.customer,
        details={"kind": suppression.kind, "suppression": suppression.pk, "reason": suppression.clear_reason},
    )
    return suppression
