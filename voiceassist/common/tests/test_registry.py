"""Providers, gateways and SMS providers are chosen by name from one shape of registry."""

import pytest

from calls.providers import PROVIDERS, SimulatedProvider, provider_get
from payments.gateways import gateway_get
from payments.sms import sms_provider_get
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.registry import Registry


class _Loud:
    name = "loud"


class _Quiet:
    name = "quiet"


def test_a_registry_makes_a_fresh_instance_of_the_named_class_each_time():
    registry = Registry([_Loud, _Quiet], what="speaker", code="unknown_speaker", detail="speaker")

    first, second = registry.instance("loud"), registry.instance("loud")

    assert isinstance(first, _Loud) and first is not second
    assert list(registry) == ["loud", "quiet"] and "quiet" in registry


def test_an_unknown_name_is_an_error_naming_the_known_ones():
    registry = Registry([_Loud, _Quiet], what="speaker", code="unknown_speaker", detail="speaker")

    with pytest.raises(ApplicationError) as raised:
        registry.instance("silent")

    assert raised.value.code == "unknown_speaker"
    assert raised.value.message == "Unknown speaker 'silent': use one of loud, quiet."
    assert raised.value.details == {"speaker": "silent", "known": ["loud", "quiet"]}


@pytest.mark.parametrize(
    ("get", "code"),
    [(provider_get, "unknown_provider"), (gateway_get, "unknown_gateway"), (sms_provider_get, "unknown_sms_provider")],
)
def test_each_kind_of_provider_refuses_an_unknown_name_with_its_own_code(get, code):
    with pytest.raises(ApplicationError) as raised:
        get("carrier-pigeon")

    assert raised.value.code == code and "simulated" in raised.value.message


def test_the_call_providers_are_the_simulated_twilio_and_exotel(monkeypatch):
    assert list(PROVIDERS) == ["simulated", "twilio", "exotel"]
    monkeypatch.setitem(PROVIDERS, "simulated", lambda: "stand-in")

    assert provider_get("simulated") == "stand-in"
    assert isinstance(PROVIDERS.instance("twilio"), PROVIDERS["twilio"]) and SimulatedProvider.name == "simulated"
