"""The one interface every payment gateway implements, and what it reports back.

Gateways take and give plain values: the webhook service hands them the raw body and the headers (a
dict with lower-case names), never a request.
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class LinkRequest:
    """Everything a gateway needs to make one payment link."""

    reference: str  # ours, unique per link: the gateway refuses a second link with it
    amount: Decimal  # in rupees
    currency: str
    description: str
    customer_name: str
    customer_phone: str  # E.164, or "" when the customer has none the gateway can use
    expires_at: datetime
    notes: dict = field(default_factory=dict)  # echoed back by the gateway (loan and promise ids)


@dataclass(frozen=True)
class CreatedLink:
    gateway_link_id: str
    short_url: str
    expires_at: datetime | None


class NoticeKind:
    """What a gateway's event says happened to a link, in the product's words."""

    PAID = "paid"
    PARTLY_PAID = "partly_paid"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    OTHER = ""  # an event the product does not act on (kept, answered 200)


@dataclass(frozen=True)
class GatewayNotice:
    """A gateway's webhook, read. Unknown or absent facts stay empty."""

    event_id: str  # unique per event: a replay carries the same one
    event: str  # the gateway's own name for it ("payment_link.paid")
    kind: str  # a ``NoticeKind`` value
    gateway_link_id: str = ""
    payment_id: str = ""  # the gateway's id of the payment the event reports, if it reports one
    amount: Decimal | None = None  # that payment's amount, in rupees
    link_amount_paid: Decimal | None = None  # all paid on the link so far, when the gateway says it
    paid_at: datetime | None = None


class WebhookRejected(Exception):
    """The webhook cannot be read (not JSON, fields missing): answered with 400, nothing changes."""


class GatewayError(Exception):
    """The gateway refused or failed to make a link; the message is safe to show staff."""


class PaymentGateway(ABC):
    name: str

    @abstractmethod
    def create_link(self, request: LinkRequest) -> CreatedLink:
        """Make the link at the gateway. Raises ``GatewayError`` when refused or unreachable."""

    @abstractmethod
    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> bool:
        """True only when the body was signed by the gateway (checked over the raw bytes)."""

    @abstractmethod
    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> GatewayNotice:
        """Read a verified webhook. Raises ``WebhookRejected`` when it cannot be read."""

    def link_saved(self, gateway_link_id: str) -> None:  # noqa: B027 (optional)
        """Called once the link is committed here. Real gateways have nothing to do; the simulated one
        starts paying it."""
