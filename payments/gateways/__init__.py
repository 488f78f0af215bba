"""The payment gateways by name; a fresh instance per use, so settings are read when it is used."""

from voiceassist.common.registry import Registry

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

GATEWAYS: Registry[PaymentGateway] = Registry(
    [SimulatedGateway, RazorpayGateway], what="payment gateway", code="unknown_gateway", detail="gateway"
)

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
    """The payment gateway called ``name`` (``Registry.instance``)."""
    return GATEWAYS.instance(name)
