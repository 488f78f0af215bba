"""Gateway events in: checked, read once, applied. Replays and late events change nothing.

The service takes the raw body and the headers, as the gateway sent them: the view only reads them off
the request, and the simulated gateway hands over the same two things.
"""

import enum
import logging
from collections.abc import Mapping
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from customers.models import PaymentSource
from customers.services import loan_record_payment
from payments.gateways import GatewayNotice, NoticeKind, gateway_get
from payments.gateways.base import WebhookRejected
from payments.models import GatewayEvent, LinkStatus, PaymentLink
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.services import audit_event_record

logger = logging.getLogger(__name__)


class WebhookResult(enum.Enum):
    APPLIED = "applied"
    IGNORED = "ignored"  # a replay, an event about a link we do not know, or one we do not act on
    FORBIDDEN = "forbidden"  # the signature did not check out
    UNREADABLE = "unreadable"


# Where a link's status may go. Paid is final; an expired or cancelled link that still got paid (the
# payment raced the expiry) is paid; nothing moves back.
LINK_MOVES: dict[str, set[str]] = {
    LinkStatus.CREATED: {LinkStatus.PARTLY_PAID, LinkStatus.PAID, LinkStatus.EXPIRED, LinkStatus.CANCELLED},
    LinkStatus.PARTLY_PAID: {LinkStatus.PAID, LinkStatus.EXPIRED, LinkStatus.CANCELLED},
    LinkStatus.EXPIRED: {LinkStatus.PAID},
    LinkStatus.CANCELLED: {LinkStatus.PAID},
    LinkStatus.PAID: set(),
}


def headers_lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in headers.items()}


def payment_webhook_receive(*, gateway_name: str, body: bytes, headers: Mapping[str, str]) -> WebhookResult:
    """The one path every gateway event takes, real or simulated: checked, read, applied."""
    gateway = gateway_get(gateway_name)
    headers = headers_lower(headers)
    if not gateway.verify_webhook(body, headers):
        return WebhookResult.FORBIDDEN
    try:
        notice = gateway.parse_webhook(body, headers)
    except WebhookRejected as exc:
        logger.info("Unreadable %s webhook: %s", gateway_name, exc)
        return WebhookResult.UNREADABLE
    return payment_notice_apply(gateway_name=gateway_name, notice=notice)


def _payment_record(*, link: PaymentLink, notice: GatewayNotice, gateway_name: str) -> bool:
    """The payment, recorded on the loan once: False when its reference is already there (a replay under
    another event id, or a lender's file that reported it first)."""
    paid_at = notice.paid_at or timezone.now()
    # A gateway clock a little ahead of ours must not make the payment "dated in the future".
    paid_on = min(timezone.localdate(paid_at), timezone.localdate())
    try:
        with transaction.atomic():
            loan_record_payment(
                loan=link.loan,
                amount=notice.amount,
                paid_on=paid_on,
                reference=notice.payment_id,
                actor=None,
                source=PaymentSource.GATEWAY,
                gateway=gateway_name,
                paid_at=paid_at,
            )
    except ApplicationError as exc:
        if exc.code == "duplicate_payment":
            return False
        raise
    return True


@transaction.atomic
def payment_notice_apply(*, gateway_name: str, notice: GatewayNotice) -> WebhookResult:
    links = PaymentLink.objects.select_for_update(of=("self",)).select_related("loan")
    link = links.filter(gateway=gateway_name, gateway_link_id=notice.gateway_link_id).first()
    try:
        with transaction.atomic():
            event = GatewayEvent.objects.create(gateway=gateway_name, event_id=notice.event_id, kind=notice.event)
    except IntegrityError:
        return WebhookResult.IGNORED  # this event was applied before
    if link is None or not notice.kind:
        event.detail = {"ignored": "unknown link" if link is None else "not acted on"}
        event.save(update_fields=["detail"])
        return WebhookResult.IGNORED

    detail: dict = {"link": link.pk, "loan": link.loan.loan_id}
    paying = notice.kind in (NoticeKind.PAID, NoticeKind.PARTLY_PAID)
    if paying and notice.payment_id and notice.amount is not None and notice.amount > 0:
        recorded = _payment_record(link=link, notice=notice, gateway_name=gateway_name)
        detail.update(payment_id=notice.payment_id, amount=str(notice.amount), recorded=recorded)
        if not recorded:
            detail["already_recorded"] = True

    amount_paid = link.amount_paid
    if notice.link_amount_paid is not None:
        amount_paid = max(amount_paid, notice.link_amount_paid)
    elif paying and notice.amount:
        amount_paid = amount_paid + notice.amount  # once per event id: this event is new
    target = notice.kind
    if paying and amount_paid >= link.amount:
        target = LinkStatus.PAID
    status_from = link.status
    if target in LINK_MOVES[link.status]:
        link.status = target
    if amount_paid != link.amount_paid or link.status != status_from:
        link.amount_paid = amount_paid
        link.save(update_fields=["amount_paid", "status", "updated_at"])
    detail.update(status_from=status_from, status_to=link.status, amount_paid=str(link.amount_paid))
    event.detail = detail
    event.save(update_fields=["detail"])
    audit_event_record(
        actor=None,
        action=f"payment_link.{notice.kind}",
        target=link,
        details={"gateway": gateway_name, "event": notice.event, "event_id": notice.event_id, **detail},
    )
    return WebhookResult.APPLIED


def link_amount_due(link: PaymentLink) -> Decimal:
    """What is left to pay on the link."""
    return max(Decimal("0.00"), link.amount - link.amount_paid)
