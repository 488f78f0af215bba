"""The telephony providers by name; a fresh instance per use, so settings are read when it is used."""

from voiceassist.common.exceptions import ApplicationError

from .base import CallProvider, DialRequest, ProviderError, ProviderEvent, WebhookRejected
from .exotel import ExotelProvider
from .simulated import SimulatedProvider
from .twilio import TwilioProvider

PROVIDERS: dict[str, type[CallProvider]] = {
    SimulatedProvider.name: SimulatedProvider,
    TwilioProvider.name: TwilioProvider,
    ExotelProvider.name: ExotelProvider,
}

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
    """The provider called ``name``; an unknown name is a configuration mistake staff must see."""
    provider_class = PROVIDERS.get(name)
    if provider_class is None:
        raise ApplicationError(
            f"Unknown call provider {name!r}: use one of {', '.join(PROVIDERS)}.",
            code="unknown_provider",
            details={"provider": name, "known": list(PROVIDERS)},
        )
    return provider_class()
