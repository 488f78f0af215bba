"""The payment gateways by name; a fresh instance per use, so settings are read when it is used."""

from voiceassist.common.exceptions import ApplicationError

from .base import (
    CreatedLink,
    GatewayError,
    GatewayNotice,
    LinkRequest,
    NoticeKind,
    PaymentGateway,
    WebhookRejected,
)
from .razorpay import RazorpayGateway
from .simulated import SimulatedGateway

GATEWAYS: dict[str, type[PaymentGateway]] = {
    SimulatedGateway.name: SimulatedGateway,
    RazorpayGateway.name: RazorpayGateway,
}

__all__ = [
    "GATEWAYS",
    "CreatedLink",
    "GatewayError",
    "GatewayNotice",
    "LinkRequest",
    "NoticeKind",
    "PaymentGateway",
    "RazorpayGateway",
    "SimulatedGateway",
    "WebhookRejected",
    "gateway_get",
]


def gateway_get(name: str) -> PaymentGateway:
    """The gateway called ``name``; an unknown name is a configuration mistake staff must see."""
    gateway_class = GATEWAYS.get(name)
    if gateway_class is None:
        raise ApplicationError(
            f"Unknown payment gateway {name!r}: use one of {', '.join(GATEWAYS)}.",
            code="unknown_gateway",
            details={"gateway": name, "known": list(GATEWAYS)},
        )
    return gateway_class()
