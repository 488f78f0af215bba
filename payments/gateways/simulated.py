"""The simulated gateway (the default): links that look real and get paid, with no money and no network.

A seeded share of links is paid (``SIMULATED_PAYMENT_SHARE``; the same ``SIMULATED_SEED`` and link id
always give the same outcome): most of those in full, some in part, the rest never. The payments arrive
as signed webhooks, handed to the same service a real gateway's webhook reaches, by a Celery task a
little after the link is made (``SIMULATED_PAYMENT_DELAY`` seconds).
"""

import hashlib
import hmac
import json
import logging
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from .base import CreatedLink, GatewayNotice, LinkRequest, NoticeKind, PaymentGateway, WebhookRejected

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "x-simulated-signature"
LINK_HOST = "https://pay.simulated.invalid"
EVENTS: dict[str, str] = {
    "payment_link.paid": NoticeKind.PAID,
    "payment_link.partially_paid": NoticeKind.PARTLY_PAID,
    "payment_link.expired": NoticeKind.EXPIRED,
    "payment_link.cancelled": NoticeKind.CANCELLED,
}
# Of the links that get paid, this share is paid only in part.
PARTLY_PAID_SHARE = 0.3
PART_PAID = (Decimal("0.25"), Decimal("0.4"), Decimal("0.5"), Decimal("0.6"))


@dataclass(frozen=True)
class SimulatedDelivery:
    """A webhook as the gateway would send it: the raw body and the headers."""

    body: bytes
    headers: dict[str, str]


def _sign(body: bytes) -> str:
    return hmac.new(settings.SIMULATED_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()


def _decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except ArithmeticError:
        return None


class SimulatedGateway(PaymentGateway):
    name = "simulated"

    def create_link(self, request: LinkRequest) -> CreatedLink:
        link_id = f"plink_sim_{uuid.uuid4().hex[:16]}"
        return CreatedLink(gateway_link_id=link_id, short_url=f"{LINK_HOST}/{link_id}", expires_at=request.expires_at)

    def link_saved(self, gateway_link_id: str) -> None:
        from payments.tasks import simulated_link_pay_task

        try:
            simulated_link_pay_task.apply_async((gateway_link_id,), countdown=settings.SIMULATED_PAYMENT_DELAY)
        except (BrokerError, OSError) as exc:
            logger.warning("Simulated payment of %s not queued (%s).", gateway_link_id, type(exc).__name__)

    # --- What the customer does with the link ------------------------------------------------------

    def deliveries_for(
        self, *, gateway_link_id: str, amount: Decimal, now: datetime | None = None
    ) -> list[SimulatedDelivery]:
        """The webhooks this link brings: none, one part payment, or one full payment (seeded)."""
        rng = random.Random(f"{settings.SIMULATED_SEED}:{gateway_link_id}")  # noqa: S311 (a seeded simulation)
        if rng.random() >= settings.SIMULATED_PAYMENT_SHARE:
            return []
        if rng.random() < PARTLY_PAID_SHARE:
            paid = (amount * rng.choice(PART_PAID)).quantize(Decimal("1"), rounding=ROUND_DOWN)
            if 0 < paid < amount:
                return [
                    self.delivery(
                        gateway_link_id=gateway_link_id,
                        event="payment_link.partially_paid",
                        amount=paid,
                        link_amount_paid=paid,
                        rng=rng,
                        now=now,
                    )
                ]
        return [
            self.delivery(
                gateway_link_id=gateway_link_id,
                event="payment_link.paid",
                amount=amount,
                link_amount_paid=amount,
                rng=rng,
                now=now,
            )
        ]

    def delivery(
        self,
        *,
        gateway_link_id: str,
        event: str,
        amount: Decimal | None = None,
        link_amount_paid: Decimal | None = None,
        rng: random.Random | None = None,
        now: datetime | None = None,
    ) -> SimulatedDelivery:
        """One signed webhook (tests make their own with it, e.g. a replay or an expiry)."""
        rng = rng or random.Random()  # noqa: S311 (a simulation, not a secret)
        body: dict = {"id": f"evt_sim_{rng.getrandbits(64):016x}", "event": event, "link_id": gateway_link_id}
        if amount is not None:
            body["payment"] = {
                "id": f"pay_sim_{rng.getrandbits(64):016x}",
                "amount": str(amount),
                "paid_at": (now or timezone.now()).isoformat(),
            }
        if link_amount_paid is not None:
            body["link_amount_paid"] = str(link_amount_paid)
        raw = json.dumps(body).encode()
        return SimulatedDelivery(body=raw, headers={"content-type": "application/json", SIGNATURE_HEADER: _sign(raw)})

    # --- Webhooks -------------------------------------------------------------------------------

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> bool:
        signature = headers.get(SIGNATURE_HEADER, "")
        if not signature or not settings.SIMULATED_WEBHOOK_SECRET:
            return False
        return hmac.compare_digest(signature.encode(), _sign(body).encode())

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> GatewayNotice:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise WebhookRejected("The simulated webhook body is not JSON.") from exc
        if not isinstance(data, dict) or not data.get("id") or not isinstance(data.get("event"), str):
            raise WebhookRejected("The simulated webhook has no id or event.")
        payment = data.get("payment") if isinstance(data.get("payment"), dict) else {}
        paid_at = None
        if payment.get("paid_at"):
            try:
                paid_at = datetime.fromisoformat(str(payment["paid_at"]))
            except ValueError as exc:
                raise WebhookRejected("The simulated webhook's paid_at is not a date and time.") from exc
        return GatewayNotice(
            event_id=str(data["id"])[:100],
            event=data["event"][:64],
            kind=EVENTS.get(data["event"], NoticeKind.OTHER),
            gateway_link_id=str(data.get("link_id") or ""),
            payment_id=str(payment.get("id") or ""),
            amount=_decimal(payment.get("amount")),
            link_amount_paid=_decimal(data.get("link_amount_paid")),
            paid_at=paid_at,
        )
