"""The SMS providers by name; a fresh instance per use, so settings are read when it is used."""

from voiceassist.common.exceptions import ApplicationError

from .base import SentSms, SmsProvider, SmsProviderError, SmsRejected, SmsRequest, SmsStatusNotice
from .exotel import ExotelSms
from .simulated import SimulatedSms
from .twilio import TwilioSms

SMS_PROVIDERS: dict[str, type[SmsProvider]] = {
    SimulatedSms.name: SimulatedSms,
    TwilioSms.name: TwilioSms,
    ExotelSms.name: ExotelSms,
}

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
    provider_class = SMS_PROVIDERS.get(name)
    if provider_class is None:
        raise ApplicationError(
            f"Unknown SMS provider {name!r}: use one of {', '.join(SMS_PROVIDERS)}.",
            code="unknown_sms_provider",
            details={"provider": name, "known": list(SMS_PROVIDERS)},
        )
    return provider_class()
