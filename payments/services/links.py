"""Payment links: made at the gateway for an amount on a loan (a promise's, usually), recorded, texted."""

import logging
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from calls.models import PromiseStatus, PromiseToPay
from customers.models import Loan
from payments.gateways import GatewayError, LinkRequest, gateway_get
from payments.models import PaymentLink
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditAction
from voiceassist.common.money import indian_grouping
from voiceassist.common.services import audit_event_record

from .sms import sms_send_link

logger = logging.getLogger(__name__)


class GatewayUnavailable(ApplicationError):
    """The gateway refused or could not be reached; nothing was recorded here."""

    code = "gateway_error"
    status_code = 502


def _amount_problem(*, loan: Loan, amount: Decimal | None) -> str:
    if amount is None or amount <= 0:
        return "A payment link needs an amount above zero."
    if loan.outstanding_amount is None:
        return f"Loan {loan.loan_id} has no outstanding amount on file: a link cannot be checked against it."
    if loan.outstanding_amount <= 0:
        return f"Loan {loan.loan_id} owes nothing: there is nothing to ask for."
    if amount > loan.outstanding_amount:
        return (
            f"A link for ₹{indian_grouping(amount)} is more than loan {loan.loan_id} owes "
            f"(₹{indian_grouping(loan.outstanding_amount)})."
        )
    return ""


def payment_link_create(
    *,
    loan: Loan,
    amount: Decimal | None = None,
    promise: PromiseToPay | None = None,
    actor: AbstractBaseUser | None = None,
    send: bool = True,
    automatic: bool = False,
) -> PaymentLink:
    """A link for ``amount`` (by default the promise's, else all the loan owes), at most what the loan
    owes; audited, then texted to the customer (``send``)."""
    loan = Loan.objects.select_related("customer").get(pk=loan.pk)
    if promise is not None and promise.loan_id != loan.pk:
        raise ApplicationError(
            "That promise is about another loan.", code="promise_not_on_loan", details={"loan": loan.loan_id}
        )
    if amount is None:
        amount = promise.amount if promise is not None else loan.outstanding_amount
    problem = _amount_problem(loan=loan, amount=amount)
    if problem:
        raise ApplicationError(problem, code="invalid_amount", details={"loan": loan.loan_id})
    gateway = gateway_get(settings.PAYMENTS_GATEWAY)
    customer = loan.customer
    expires_at = timezone.now() + timedelta(days=settings.PAYMENT_LINK_VALID_DAYS)
    request = LinkRequest(
        reference=f"va-{loan.pk}-{uuid.uuid4().hex[:16]}",
        amount=amount,
        currency="INR",
        description=f"{settings.VOICE_LENDER_NAME}: payment on loan {loan.loan_id}",
        customer_name=customer.full_name,
        customer_phone=customer.phone,
        expires_at=expires_at,
        notes={"loan_id": loan.loan_id, "promise_id": promise.pk if promise is not None else ""},
    )
    try:
        created = gateway.create_link(request)
    except GatewayError as exc:
        raise GatewayUnavailable(str(exc), details={"gateway": gateway.name}) from exc
    with transaction.atomic():
        link = PaymentLink.objects.create(
            customer=customer,
            loan=loan,
            promise=promise,
            gateway=gateway.name,
            gateway_link_id=created.gateway_link_id,
            short_url=created.short_url,
            amount=amount,
            expires_at=created.expires_at,
            automatic=automatic,
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        audit_event_record(
            actor=actor,
            action=AuditAction.PAYMENT_LINK_CREATED,
            target=link,
            details={
                "gateway": gateway.name,
                "gateway_link_id": created.gateway_link_id,
                "amount": str(amount),
                "loan": loan.loan_id,
                **({"promise": promise.pk} if promise is not None else {}),
            },
        )
        transaction.on_commit(lambda: gateway.link_saved(created.gateway_link_id))
    if send:
        sms_send_link(link=link, actor=actor)
    return link


def promise_link_send(*, promise_id: int) -> PaymentLink | None:
    """The link a promise gets by itself, texted: at most one per promise (again: nothing new), none for a
    promise no longer open or a loan that owes nothing now."""
    promise = PromiseToPay.objects.select_related("loan").filter(pk=promise_id).first()
    if promise is None or promise.status != PromiseStatus.OPEN:
        return None
    if PaymentLink.objects.filter(promise=promise, automatic=True).exists():
        return None
    outstanding = promise.loan.outstanding_amount
    if outstanding is None or outstanding <= 0:
        logger.info("Promise %s: loan owes nothing now (or nothing is on file); no link.", promise.pk)
        return None
    try:
        return payment_link_create(
            loan=promise.loan, promise=promise, amount=min(promise.amount, outstanding), automatic=True
        )
    except IntegrityError:
        return None  # another run made this promise's link in the meantime
