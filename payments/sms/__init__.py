"""The SMS providers by name; a fresh instance per use, so settings are read when it is used."""

from voiceassist.common.registry import Registry

from .base import SentSms, SmsProvider, SmsProviderError, SmsRejected, SmsRequest, SmsStatusNotice
from .exotel import ExotelSms
from .simulated import SimulatedSms
from .twilio import TwilioSms

SMS_PROVIDERS: Registry[SmsProvider] = Registry(
    [SimulatedSms, TwilioSms, ExotelSms], what="SMS provider", code="unknown_sms_provider", detail="provider"
)

__all__ = [
    "SMS_PROVIDERS",
    "ExotelSms",
    "SentSms",
    "SimulatedSms",
    "SmsProvider",
    "SmsProviderError",
    "SmsRejected",
    "SmsRequest",
    "SmsStatusNotice",
    "TwilioSms",
    "sms_provider_get",
]


def sms_provider_get(name: str) -> SmsProvider:
    """The SMS provider called ``name`` (``Registry.instance``)."""
    return SMS_PROVIDERS.instance(name)
