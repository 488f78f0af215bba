"""The telephony providers by name; a fresh instance per use, so settings are read when it is used."""

from voiceassist.common.registry import Registry

from .base import CallProvider, DialRequest, ProviderError, ProviderEvent, WebhookRejected
from .exotel import ExotelProvider
from .simulated import SimulatedProvider
from .twilio import TwilioProvider

PROVIDERS: Registry[CallProvider] = Registry(
    [SimulatedProvider, TwilioProvider, ExotelProvider],
    what="call provider",
    code="unknown_provider",
    detail="provider",
)

__all__ = [
    "PROVIDERS",
    "CallProvider",
    "DialRequest",
    "ExotelProvider",
    "ProviderError",
    "ProviderEvent",
    "SimulatedProvider",
    "TwilioProvider",
    "WebhookRejected",
    "provider_get",
]


def provider_get(name: str) -> CallProvider:
    """The call provider called ``name`` (``Registry.instance``)."""
    return PROVIDERS.instance(name)
