"""The telephony providers: what they send, what they accept, and how they read what comes back.

Provider answers and webhooks are recorded payloads in ``fixtures/``; the network is cut for every
test here, so nothing can reach a real provider.
"""

import json
import logging
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
from django.test import RequestFactory
from requests.adapters import BaseAdapter
from twilio.http import HttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator

from calls.models import AnsweredBy, CallStatus
from calls.providers import (
    PROVIDERS,
    DialRequest,
    ExotelProvider,
    ProviderError,
    SimulatedProvider,
    TwilioProvider,
    WebhookRejected,
    provider_get,
)
from calls.providers.exotel import exotel_url_with_token
from calls.providers.twilio import twiml_prompt, twiml_say_and_hangup
from voiceassist.common.exceptions import ApplicationError

FIXTURES = Path(__file__).parent / "fixtures"
TWILIO_SID = "ACa1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
TWILIO_TOKEN = "twilio-auth-token-not-real-0001"
TWILIO_CALL_SID = "CAd4f2e7a9b1c3e5f7a9b1c3d5e7f9a1b3"
EXOTEL_SID = "exampleco1"
EXOTEL_KEY = "exotel-api-key-not-real"
EXOTEL_TOKEN = "exotel-api-token-not-real-0002"
EXOTEL_CALL_SID = "c5797dcbaaeed7678c4062a4a3ed19bq"
WEBHOOK_TOKEN = "exotel-webhook-token-for-tests"
PUBLIC = "https://voice.example.com"

DIAL = DialRequest(
    call_id=42,
    to="+919000012345",
    language="hi",
    status_callback_url=f"{PUBLIC}/api/v1/calls/webhooks/twilio/status/?call=42",
    voice_url=f"{PUBLIC}/api/v1/calls/42/voice/",
)
TERMINAL = {CallStatus.COMPLETED, CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.FAILED, CallStatus.CANCELED}
ORDER = {CallStatus.DIALING: 0, CallStatus.RINGING: 1, CallStatus.IN_PROGRESS: 2, **dict.fromkeys(TERMINAL, 3)}


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def fixture_json(name: str) -> Any:
    return json.loads(fixture_text(name))


# Every test here runs with the network cut: nothing can reach a real provider.
pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture
def twilio_settings(settings):
    settings.TWILIO_ACCOUNT_SID = TWILIO_SID
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    settings.TWILIO_FROM_NUMBER = "+14155550123"
    settings.PUBLIC_BASE_URL = PUBLIC + "/"
    return settings


@pytest.fixture
def exotel_settings(settings):
    settings.EXOTEL_ACCOUNT_SID = EXOTEL_SID
    settings.EXOTEL_API_KEY = EXOTEL_KEY
    settings.EXOTEL_API_TOKEN = EXOTEL_TOKEN
    settings.EXOTEL_SUBDOMAIN = "api.in.exotel.com"
    settings.EXOTEL_CALLER_ID = "08047092345"
    settings.EXOTEL_FLOW_ID = "812345"
    settings.EXOTEL_WEBHOOK_TOKEN = WEBHOOK_TOKEN
    return settings


# --- Registry ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "provider_class"),
    [("simulated", SimulatedProvider), ("twilio", TwilioProvider), ("exotel", ExotelProvider)],
)
def test_provider_get_known_names(name, provider_class):
    provider = provider_get(name)
    assert isinstance(provider, provider_class)
    assert provider.name == name
    assert provider_get(name) is not provider  # fresh per use: settings are read when used


@pytest.mark.parametrize("name", ["plivo", "", "Twilio"])
def test_provider_get_unknown_name_is_an_application_error(name):
    with pytest.raises(ApplicationError) as error:
        provider_get(name)
    assert error.value.code == "unknown_provider"
    assert repr(name) in error.value.message
    for known in PROVIDERS:
        assert known in error.value.message


# --- Simulated: the story of a call --------------------------------------------------------------


def _events(index: int, seed: int = 2026) -> list[dict]:
    return SimulatedProvider().simulated_events(provider_call_id=f"sim-{index}", call_id=index, seed=seed)


def test_simulated_place_call_returns_a_sim_id():
    assert SimulatedProvider().place_call(DIAL) == "sim-42"
    assert SimulatedProvider().hangup("sim-42") is None


def test_simulated_events_are_deterministic():
    for index in range(50):
        assert _events(index) == _events(index)
    assert json.loads(json.dumps(_events(7))) == _events(7)  # JSON-able as they are


def test_simulated_events_depend_on_the_seed():
    assert any(_events(index, seed=1) != _events(index, seed=2) for index in range(200))
    assert sum(_events(index, seed=1) != _events(index, seed=2) for index in range(200)) > 50


def _outcome(events: list[dict]) -> str:
    last = events[-1]
    if last["status"] == CallStatus.COMPLETED:
        if last.get("answered_by") == AnsweredBy.MACHINE:
            return "machine"
        return "human:" + next((event["digits"] for event in events if "digits" in event), "none")
    return last["status"]


def test_simulated_outcome_mix_over_2000_calls():
    outcomes = Counter(_outcome(_events(index)) for index in range(2000))
    share = {key: count / 2000 for key, count in outcomes.items()}
    humans = sum(count for key, count in outcomes.items() if key.startswith("human:"))
    assert 0.18 <= share[CallStatus.NO_ANSWER] <= 0.32
    assert 0.06 <= share[CallStatus.BUSY] <= 0.14
    assert 0.02 <= share[CallStatus.FAILED] <= 0.08
    assert 0.06 <= share["machine"] <= 0.14
    assert 0.43 <= humans / 2000 <= 0.57
    assert 0.40 <= outcomes["human:1"] / humans <= 0.60
    assert 0.09 <= outcomes["human:2"] / humans <= 0.21
    assert 0.09 <= outcomes["human:3"] / humans <= 0.21
    assert 0.13 <= outcomes["human:none"] / humans <= 0.27
    assert set(share) == {"no_answer", "busy", "failed", "machine", "human:1", "human:2", "human:3", "human:none"}


def test_simulated_sequences_end_terminal_never_go_back_and_have_unique_ids():
    seen_ids: set[str] = set()
    for index in range(500):
        events = _events(index)
        assert events[-1]["status"] in TERMINAL
        assert all("status" in event for event in events[:-1] if "digits" not in event)
        ranks = [ORDER[event["status"]] for event in events if "status" in event]
        assert ranks == sorted(ranks)
        assert sum(rank == 3 for rank in ranks) == 1  # one terminal event, the last one
        for event in events:
            assert event["call_sid"] == f"sim-{index}" and event["call_id"] == index
            assert event["event_id"] not in seen_ids
            seen_ids.add(event["event_id"])
            if "digits" in event:
                assert "status" not in event and event["digits"] in {"1", "2", "3"}
                assert [e.get("answered_by") for e in events if e.get("status") == "in_progress"] == ["human"]


def test_simulated_answered_calls_look_real():
    calls = [_events(index) for index in range(400)]
    human = [events for events in calls if _outcome(events).startswith("human:")]
    machine = [events for events in calls if _outcome(events) == "machine"]
    for events in human:
        statuses = [event.get("status") for event in events if "status" in event]
        assert statuses == ["ringing", "in_progress", "completed"]
        completed = events[-1]
        assert 20 <= completed["duration"] <= 120
        assert completed["recording_url"] == f"https://recordings.invalid/{completed['call_sid']}.mp3"
        digits = next((event["digits"] for event in events if "digits" in event), "")
        if digits:
            assert f"pressed {digits}" in completed["transcript"]
        else:
            assert "did not receive your choice" in completed["transcript"]
    for events in machine:
        assert [event["status"] for event in events] == ["ringing", "in_progress", "completed"]
        assert events[1]["answered_by"] == "machine"
        assert events[-1]["duration"] < 20 and "transcript" not in events[-1]


# --- Simulated: webhooks -------------------------------------------------------------------------


def _simulated_post(body: bytes, **headers: str):
    return RequestFactory().post(
        "/api/v1/calls/webhooks/simulated/", data=body, content_type="application/json", **headers
    )


def test_simulated_signature_good_bad_missing(settings):
    settings.SIMULATED_WEBHOOK_SECRET = "test-simulated-secret"
    provider = SimulatedProvider()
    body = json.dumps({"call_sid": "sim-7", "status": "ringing"}).encode()
    assert provider.verify_webhook(_simulated_post(body, HTTP_X_SIMULATED_SIGNATURE=provider.sign(body)))
    assert not provider.verify_webhook(_simulated_post(body, HTTP_X_SIMULATED_SIGNATURE="0" * 64))
    assert not provider.verify_webhook(_simulated_post(body + b" ", HTTP_X_SIMULATED_SIGNATURE=provider.sign(body)))
    assert not provider.verify_webhook(_simulated_post(body))
    signature = provider.sign(body)
    settings.SIMULATED_WEBHOOK_SECRET = "another-secret"
    assert not provider.verify_webhook(_simulated_post(body, HTTP_X_SIMULATED_SIGNATURE=signature))


def test_simulated_parse_webhook():
    events = next(events for index in range(100) if len(events := _events(index)) == 4)
    provider = SimulatedProvider()
    keypad = provider.parse_webhook(_simulated_post(json.dumps(events[2]).encode()))
    assert keypad.status == "" and keypad.digits == events[2]["digits"] and keypad.call_id == events[2]["call_id"]
    done = provider.parse_webhook(_simulated_post(json.dumps(events[3]).encode()))
    assert done.provider_call_id == events[3]["call_sid"]
    assert done.status == CallStatus.COMPLETED and done.answered_by == AnsweredBy.HUMAN
    assert done.duration_seconds == events[3]["duration"]
    assert done.transcript == events[3]["transcript"] and done.recording_url.endswith(".mp3")
    assert done.event_id == events[3]["event_id"] and done.raw == events[3]


@pytest.mark.parametrize(
    "body", [b"not json", b"[1, 2]", b'{"status": "ringing"}', b'{"call_sid": "sim-1", "status": "exploded"}', b"\xff"]
)
def test_simulated_parse_rejects_unreadable_bodies(body):
    with pytest.raises(WebhookRejected):
        SimulatedProvider().parse_webhook(_simulated_post(body))


def test_simulated_build_webhook_request_round_trip(settings):
    settings.SIMULATED_WEBHOOK_SECRET = "test-simulated-secret"
    provider = SimulatedProvider()
    for payload in _events(3) + _events(11):
        request = provider.build_webhook_request(payload)
        assert request.method == "POST"
        assert request.path == "/api/v1/calls/webhooks/simulated/"
        assert request.content_type == "application/json"
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["X-Simulated-Signature"] == provider.sign(request.body)
        assert json.loads(request.body) == payload
        assert int(request.headers["Content-Length"]) == len(request.body)
        assert not request.POST
        assert provider.verify_webhook(request)
        event = provider.parse_webhook(request)
        assert event.provider_call_id == payload["call_sid"] and event.event_id == payload["event_id"]
        assert event.status == payload.get("status", "")
    # A payload signed with another secret does not pass.
    request = provider.build_webhook_request(_events(3)[0])
    settings.SIMULATED_WEBHOOK_SECRET = "changed"
    assert not provider.verify_webhook(request)


# --- Twilio: placing and ending calls ------------------------------------------------------------


class RecordedTwilioHttpClient(HttpClient):
    """Answers every request with a recorded Twilio response, and keeps the requests it was given."""

    def __init__(
        self,
        status: int = 201,
        fixture: str | None = "twilio_call_create_response.json",
        error: Exception | None = None,
    ):
        super().__init__(logging.getLogger("tests.twilio"), is_async=False)
        self.status, self.body, self.error = status, fixture_text(fixture) if fixture else "", error
        self.requests: list[dict] = []

    def request(self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None, **kwargs):
        self.requests.append({"method": method, "uri": uri, "data": data, "auth": auth, "headers": headers})
        if self.error:
            raise self.error
        return TwilioResponse(self.status, self.body)


def test_twilio_place_call_request_and_response(twilio_settings):
    http = RecordedTwilioHttpClient()
    assert TwilioProvider(http_client=http).place_call(DIAL) == TWILIO_CALL_SID
    [sent] = http.requests
    assert sent["method"] == "POST"
    assert sent["uri"] == f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Calls.json"
    assert sent["auth"] == (TWILIO_SID, TWILIO_TOKEN)
    data = sent["data"]
    assert data["To"] == "+919000012345"
    assert data["From"] == "+14155550123"
    assert data["Url"] == DIAL.voice_url
    assert data["Method"] == "POST"
    assert data["StatusCallback"] == DIAL.status_callback_url
    assert data["StatusCallbackMethod"] == "POST"
    assert data["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]
    assert data["MachineDetection"] == "Enable"


def test_twilio_default_http_client_has_a_timeout(twilio_settings):
    assert TwilioProvider()._client().http_client.timeout == 10


@pytest.mark.parametrize("missing", ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER"])
def test_twilio_place_call_without_credentials(twilio_settings, missing):
    setattr(twilio_settings, missing, "")
    http = RecordedTwilioHttpClient()
    with pytest.raises(ProviderError, match=f"Twilio is not configured: set {missing}"):
        TwilioProvider(http_client=http).place_call(DIAL)
    assert http.requests == []


def test_twilio_place_call_api_error_is_a_provider_error_staff_can_act_on(twilio_settings):
    http = RecordedTwilioHttpClient(status=400, fixture="twilio_call_create_error_21215.json")
    with pytest.raises(ProviderError) as error:
        TwilioProvider(http_client=http).place_call(DIAL)
    message = str(error.value)
    assert "error 21215" in message and "Geo permissions" in message
    assert DIAL.to not in message and TWILIO_TOKEN not in message


def test_twilio_place_call_bad_credentials(twilio_settings):
    http = RecordedTwilioHttpClient(status=401, fixture="twilio_call_create_error_20003.json")
    with pytest.raises(ProviderError, match="check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN") as error:
        TwilioProvider(http_client=http).place_call(DIAL)
    assert TWILIO_TOKEN not in str(error.value)


def test_twilio_unknown_error_shows_twilio_message_without_the_number(twilio_settings):
    body = json.dumps({"code": 13224, "message": f"Invalid phone number {DIAL.to}", "status": 400})
    http = RecordedTwilioHttpClient(status=400, fixture=None)
    http.body = body
    with pytest.raises(ProviderError) as error:
        TwilioProvider(http_client=http).place_call(DIAL)
    assert "error 13224" in str(error.value) and "Invalid phone number [number]" in str(error.value)
    assert "9000012345" not in str(error.value)


@pytest.mark.parametrize("exception", [requests.ConnectionError("boom"), requests.Timeout("slow")])
def test_twilio_network_errors_are_provider_errors(twilio_settings, exception):
    http = RecordedTwilioHttpClient(error=exception)
    with pytest.raises(ProviderError, match="Could not reach Twilio"):
        TwilioProvider(http_client=http).place_call(DIAL)


def test_twilio_hangup_completes_the_call(twilio_settings):
    http = RecordedTwilioHttpClient(status=200, fixture="twilio_call_update_response.json")
    TwilioProvider(http_client=http).hangup(TWILIO_CALL_SID)
    [sent] = http.requests
    assert sent["method"] == "POST"
    assert sent["uri"] == f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Calls/{TWILIO_CALL_SID}.json"
    assert sent["data"] == {"Status": "completed"}


def test_twilio_hangup_of_a_call_already_over_is_fine(twilio_settings):
    http = RecordedTwilioHttpClient(status=400, fixture="twilio_call_update_error_21220.json")
    TwilioProvider(http_client=http).hangup(TWILIO_CALL_SID)


def test_twilio_hangup_errors(twilio_settings):
    http = RecordedTwilioHttpClient(status=401, fixture="twilio_call_create_error_20003.json")
    with pytest.raises(ProviderError, match="Twilio refused to end the call"):
        TwilioProvider(http_client=http).hangup(TWILIO_CALL_SID)
    twilio_settings.TWILIO_AUTH_TOKEN = ""
    with pytest.raises(ProviderError, match="TWILIO_AUTH_TOKEN"):
        TwilioProvider(http_client=http).hangup(TWILIO_CALL_SID)


# --- Twilio: webhooks ----------------------------------------------------------------------------

TWILIO_STATUS_PATH = "/api/v1/calls/webhooks/twilio/status/?call=42"


def _twilio_post(params: dict, signature: str | None = None, path: str = TWILIO_STATUS_PATH):
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature is not None else {}
    # Behind a proxy: the app sees its own host, not the public one Twilio signed.
    return RequestFactory().post(path, data=params, HTTP_HOST="10.0.0.5:8000", **headers)


def _twilio_sign(url: str, params: dict, token: str = TWILIO_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


def test_twilio_signature_good(twilio_settings):
    params = fixture_json("twilio_status_completed.json")
    signature = _twilio_sign(PUBLIC + TWILIO_STATUS_PATH, params)
    assert TwilioProvider().verify_webhook(_twilio_post(params, signature))


def test_twilio_signature_bad_missing_or_for_another_url(twilio_settings):
    params = fixture_json("twilio_status_completed.json")
    provider = TwilioProvider()
    good = _twilio_sign(PUBLIC + TWILIO_STATUS_PATH, params)
    assert not provider.verify_webhook(_twilio_post(params))
    assert not provider.verify_webhook(_twilio_post(params, ""))
    assert not provider.verify_webhook(_twilio_post(params, "bm90IGEgc2lnbmF0dXJl"))
    assert not provider.verify_webhook(_twilio_post({**params, "CallDuration": "3600"}, good))
    assert not provider.verify_webhook(_twilio_post(params, _twilio_sign(PUBLIC + TWILIO_STATUS_PATH, params, "x")))
    other_url = "https://attacker.example.com" + TWILIO_STATUS_PATH
    assert not provider.verify_webhook(_twilio_post(params, _twilio_sign(other_url, params)))
    other_path = PUBLIC + "/api/v1/calls/webhooks/twilio/status/?call=43"
    assert not provider.verify_webhook(_twilio_post(params, _twilio_sign(other_path, params)))
    twilio_settings.TWILIO_AUTH_TOKEN = ""
    assert not provider.verify_webhook(_twilio_post(params, good))


def _twilio_parse(fixture: str):
    return TwilioProvider().parse_webhook(_twilio_post(fixture_json(fixture)))


def test_twilio_parse_ringing():
    event = _twilio_parse("twilio_status_ringing.json")
    assert event.provider_call_id == TWILIO_CALL_SID
    assert event.status == CallStatus.RINGING and event.answered_by == "" and event.duration_seconds is None
    assert event.event_id == f"{TWILIO_CALL_SID}:1"
    assert event.call_id is None and event.raw["CallStatus"] == "ringing"


def test_twilio_parse_in_progress_human():
    event = _twilio_parse("twilio_status_in_progress_human.json")
    assert event.status == CallStatus.IN_PROGRESS and event.answered_by == AnsweredBy.HUMAN
    assert event.event_id == f"{TWILIO_CALL_SID}:2"


def test_twilio_parse_completed_with_duration_and_recording():
    event = _twilio_parse("twilio_status_completed.json")
    assert event.status == CallStatus.COMPLETED and event.duration_seconds == 68
    assert event.recording_url == fixture_json("twilio_status_completed.json")["RecordingUrl"]
    assert event.event_id == f"{TWILIO_CALL_SID}:3"


@pytest.mark.parametrize(
    ("fixture", "status"),
    [("twilio_status_busy.json", CallStatus.BUSY), ("twilio_status_no_answer.json", CallStatus.NO_ANSWER)],
)
def test_twilio_parse_unreached(fixture, status):
    event = _twilio_parse(fixture)
    assert event.status == status and event.duration_seconds == 0 and event.answered_by == ""
    assert event.event_id == f"{TWILIO_CALL_SID}:2"


def test_twilio_parse_machine():
    event = _twilio_parse("twilio_status_completed_machine.json")
    assert event.status == CallStatus.COMPLETED and event.answered_by == AnsweredBy.MACHINE
    assert event.duration_seconds == 9


def test_twilio_parse_gather_digits():
    event = _twilio_parse("twilio_gather_digits.json")
    assert event.digits == "1" and event.status == CallStatus.IN_PROGRESS
    assert event.event_id == f"{TWILIO_CALL_SID}:digits:1"


@pytest.mark.parametrize(
    ("twilio_status", "status"),
    [
        ("queued", "dialing"),
        ("initiated", "dialing"),
        ("canceled", "canceled"),
        ("failed", "failed"),
        ("something-new", ""),
    ],
)
def test_twilio_parse_status_mapping_and_event_id_without_sequence(twilio_status, status):
    event = TwilioProvider().parse_webhook(_twilio_post({"CallSid": "CA1", "CallStatus": twilio_status}))
    assert event.status == status and event.event_id == f"CA1:{twilio_status}"


@pytest.mark.parametrize(
    ("answered_by", "expected"),
    [
        ("human", "human"),
        ("machine_start", "machine"),
        ("machine_end_beep", "machine"),
        ("machine_end_silence", "machine"),
        ("machine_end_other", "machine"),
        ("fax", "machine"),
        ("unknown", ""),
    ],
)
def test_twilio_parse_answered_by(answered_by, expected):
    event = TwilioProvider().parse_webhook(_twilio_post({"CallSid": "CA1", "AnsweredBy": answered_by}))
    assert event.answered_by == expected


def test_twilio_parse_speech_result_and_rejects_missing_call_sid():
    event = TwilioProvider().parse_webhook(_twilio_post({"CallSid": "CA1", "SpeechResult": "मैं कल भुगतान करूँगा"}))
    assert event.transcript == "मैं कल भुगतान करूँगा"
    with pytest.raises(WebhookRejected):
        TwilioProvider().parse_webhook(_twilio_post({"CallStatus": "ringing"}))


# --- Twilio: TwiML -------------------------------------------------------------------------------

SCRIPTS = {
    "en": {
        "greeting": "Hello Asha. This is a reminder that 5,000 rupees on your loan is due on 5 December.",
        "menu": "Press 1 if you will pay by the due date. Press 2 if you have already paid. "
        "Press 3 to speak to an agent.",
        "no_input": "Sorry, we did not receive your choice.",
        "goodbye": "Thank you for your time. Goodbye.",
    },
    "hi": {
        "greeting": "नमस्ते आशा। आपके लोन की 5,000 रुपये की किस्त 5 दिसंबर को देय है।",
        "menu": "यदि आप देय तिथि तक भुगतान करेंगे तो 1 दबाएँ। यदि आप पहले ही भुगतान कर चुके हैं तो 2 दबाएँ। "
        "एजेंट से बात करने के लिए 3 दबाएँ।",
        "no_input": "क्षमा करें, हमें आपका विकल्प नहीं मिला।",
        "goodbye": "आपके समय के लिए धन्यवाद। नमस्ते।",
    },
}


def _xml(text: str) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 (only TwiML these tests just generated)


GATHER_URL = f"{PUBLIC}/api/v1/calls/42/gather/"
RETRY_URL = f"{PUBLIC}/api/v1/calls/42/voice/?attempt=2"


@pytest.mark.parametrize(("language", "say_language"), [("en", "en-IN"), ("hi", "hi-IN")])
def test_twiml_prompt_first_attempt_repeats_the_menu(language, say_language):
    script = SCRIPTS[language]
    xml = twiml_prompt(**script, language=language, gather_url=GATHER_URL, retry_url=RETRY_URL)
    assert script["greeting"] in xml  # Hindi stays as text, not character references
    root = _xml(xml)
    assert root.tag == "Response"
    gather, say, redirect = list(root)
    assert gather.tag == "Gather"
    assert gather.attrib == {"numDigits": "1", "timeout": "6", "action": GATHER_URL, "method": "POST"}
    assert [(child.tag, child.text, child.get("language")) for child in gather] == [
        ("Say", script["greeting"], say_language),
        ("Say", script["menu"], say_language),
    ]
    assert (say.tag, say.text, say.get("language")) == ("Say", script["no_input"], say_language)
    assert (redirect.tag, redirect.text, redirect.get("method")) == ("Redirect", RETRY_URL, "POST")


@pytest.mark.parametrize(("language", "say_language"), [("en", "en-IN"), ("hi", "hi-IN")])
def test_twiml_prompt_last_attempt_says_goodbye(language, say_language):
    script = SCRIPTS[language]
    xml = twiml_prompt(**script, language=language, gather_url=GATHER_URL, retry_url=None)
    gather, say, hangup = list(_xml(xml))
    assert gather.tag == "Gather" and len(gather) == 2
    assert (say.tag, say.text, say.get("language")) == ("Say", script["goodbye"], say_language)
    assert hangup.tag == "Hangup"
    assert "Redirect" not in xml and script["no_input"] not in xml


def test_twiml_unknown_language_falls_back_to_indian_english():
    xml = twiml_say_and_hangup(texts=["Hello"], language="ta")
    assert _xml(xml)[0].get("language") == "en-IN"


def test_twiml_say_and_hangup_en_and_hi():
    texts = ["धन्यवाद। हमने 5 दिसंबर तक 5,000 रुपये के भुगतान का आपका वादा दर्ज कर लिया है।", "नमस्ते।"]
    xml = twiml_say_and_hangup(texts=texts, language="hi")
    root = _xml(xml)
    assert [(child.tag, child.text, child.get("language")) for child in root] == [
        ("Say", texts[0], "hi-IN"),
        ("Say", texts[1], "hi-IN"),
        ("Hangup", None, None),
    ]
    assert texts[0] in xml
    english = _xml(twiml_say_and_hangup(texts=["Thank you & goodbye <3"], language="en"))
    assert english[0].text == "Thank you & goodbye <3" and english[0].get("language") == "en-IN"


# --- Exotel: placing calls -----------------------------------------------------------------------


class RecordedAdapter(BaseAdapter):
    """A ``requests`` transport that answers with a recorded Exotel response and keeps what it was sent."""

    def __init__(
        self, status: int = 200, fixture: str = "exotel_connect_response.json", error: Exception | None = None
    ):
        super().__init__()
        self.status, self.error = status, error
        self.body = (FIXTURES / fixture).read_bytes()
        self.content_type = "application/json" if fixture.endswith(".json") else "text/html"
        self.sent: list[tuple[requests.PreparedRequest, Any]] = []

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        self.sent.append((request, timeout))
        if self.error:
            raise self.error
        response = requests.Response()
        response.status_code = self.status
        response._content = self.body
        response.url = request.url
        response.request = request
        response.headers["Content-Type"] = self.content_type
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


def _exotel_session(adapter: RecordedAdapter) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def test_exotel_place_call_request_and_response(exotel_settings):
    adapter = RecordedAdapter()
    callback = f"{PUBLIC}/api/v1/calls/webhooks/exotel/status/?call=42"
    dial = DialRequest(call_id=42, to="+919000012345", language="en", status_callback_url=callback, voice_url="")
    assert ExotelProvider(session=_exotel_session(adapter)).place_call(dial) == EXOTEL_CALL_SID
    [(sent, timeout)] = adapter.sent
    assert timeout == 10
    assert sent.method == "POST"
    assert sent.url == f"https://api.in.exotel.com/v1/Accounts/{EXOTEL_SID}/Calls/connect.json"
    expected_auth = requests.auth._basic_auth_str(EXOTEL_KEY, EXOTEL_TOKEN)
    assert sent.headers["Authorization"] == expected_auth
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = {key: values[0] for key, values in parse_qs(sent.body).items()}
    assert form == {
        "From": "+919000012345",
        "CallerId": "08047092345",
        "Url": f"http://my.exotel.com/{EXOTEL_SID}/exoml/start_voice/812345",
        "StatusCallback": f"{callback}&token={WEBHOOK_TOKEN}",
        "StatusCallbackEvents[0]": "terminal",
        "StatusCallbackContentType": "application/json",
        "CustomField": "42",
    }


def test_exotel_url_with_token_keeps_a_token_already_there(exotel_settings):
    assert exotel_url_with_token(f"{PUBLIC}/x/") == f"{PUBLIC}/x/?token={WEBHOOK_TOKEN}"
    assert exotel_url_with_token(f"{PUBLIC}/x/?token=abc") == f"{PUBLIC}/x/?token=abc"


@pytest.mark.parametrize(
    ("status", "fixture", "expected"),
    [
        (401, "exotel_error_401.json", "check EXOTEL_API_KEY, EXOTEL_API_TOKEN and EXOTEL_ACCOUNT_SID"),
        (500, "exotel_error_500.html", "Exotel had a server error"),
    ],
)
def test_exotel_http_errors_are_provider_errors_without_credentials(exotel_settings, status, fixture, expected):
    adapter = RecordedAdapter(status=status, fixture=fixture)
    with pytest.raises(ProviderError) as error:
        ExotelProvider(session=_exotel_session(adapter)).place_call(DIAL)
    message = str(error.value)
    assert f"HTTP {status}" in message and expected in message
    assert EXOTEL_TOKEN not in message and EXOTEL_KEY not in message


def test_exotel_error_message_echoing_secrets_is_redacted(exotel_settings):
    adapter = RecordedAdapter(status=400, fixture="exotel_error_401.json")
    adapter.body = json.dumps(
        {"RestException": {"Status": 400, "Message": f"Bad From {DIAL.to} for key {EXOTEL_KEY}:{EXOTEL_TOKEN}"}}
    ).encode()
    with pytest.raises(ProviderError) as error:
        ExotelProvider(session=_exotel_session(adapter)).place_call(DIAL)
    message = str(error.value)
    assert "HTTP 400" in message and "Bad From" in message
    assert EXOTEL_TOKEN not in message and EXOTEL_KEY not in message and "9000012345" not in message


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (requests.ReadTimeout("read timed out"), "did not answer within 10 seconds"),
        (requests.ConnectTimeout("connect timed out"), "did not answer within 10 seconds"),
        (requests.ConnectionError("refused"), "Could not reach Exotel"),
    ],
)
def test_exotel_timeouts_and_network_errors(exotel_settings, error, expected):
    adapter = RecordedAdapter(error=error)
    with pytest.raises(ProviderError, match=expected) as raised:
        ExotelProvider(session=_exotel_session(adapter)).place_call(DIAL)
    assert EXOTEL_TOKEN not in str(raised.value)


def test_exotel_answer_without_a_call_id(exotel_settings):
    adapter = RecordedAdapter(status=200, fixture="exotel_error_500.html")
    with pytest.raises(ProviderError, match="no call id"):
        ExotelProvider(session=_exotel_session(adapter)).place_call(DIAL)


def test_exotel_missing_settings(exotel_settings):
    exotel_settings.EXOTEL_API_TOKEN = ""
    exotel_settings.EXOTEL_FLOW_ID = ""
    adapter = RecordedAdapter()
    with pytest.raises(ProviderError, match="set EXOTEL_API_TOKEN, EXOTEL_FLOW_ID"):
        ExotelProvider(session=_exotel_session(adapter)).place_call(DIAL)
    assert adapter.sent == []


def test_exotel_hangup_is_not_possible():
    with pytest.raises(ProviderError, match="Exotel calls cannot be ended from here"):
        ExotelProvider().hangup(EXOTEL_CALL_SID)


# --- Exotel: webhooks ----------------------------------------------------------------------------

EXOTEL_STATUS_PATH = "/api/v1/calls/webhooks/exotel/status/"
EXOTEL_PASSTHRU_PATH = "/api/v1/calls/webhooks/exotel/passthru/"


def _exotel_json(fixture: str, token: str | None = WEBHOOK_TOKEN):
    query = f"?call=42&token={token}" if token is not None else "?call=42"
    return RequestFactory().post(
        EXOTEL_STATUS_PATH + query, data=fixture_text(fixture), content_type="application/json"
    )


def _exotel_passthru(token: str | None = WEBHOOK_TOKEN, **overrides: str):
    params = {**fixture_json("exotel_passthru_digits.json"), **overrides}
    if token is not None:
        params["token"] = token
    return RequestFactory().get(EXOTEL_PASSTHRU_PATH, data=params)


def test_exotel_token_good_bad_missing(exotel_settings):
    provider = ExotelProvider()
    assert provider.verify_webhook(_exotel_json("exotel_status_completed.json"))
    assert provider.verify_webhook(_exotel_passthru())
    assert not provider.verify_webhook(_exotel_json("exotel_status_completed.json", token="wrong"))
    assert not provider.verify_webhook(_exotel_json("exotel_status_completed.json", token=""))
    assert not provider.verify_webhook(_exotel_json("exotel_status_completed.json", token=None))
    assert not provider.verify_webhook(_exotel_passthru(token=WEBHOOK_TOKEN + "x"))
    # A token in the body does not count: it must be in the URL Exotel was given.
    body = RequestFactory().post(EXOTEL_STATUS_PATH, data={"CallSid": "x", "token": WEBHOOK_TOKEN})
    assert not provider.verify_webhook(body)
    exotel_settings.EXOTEL_WEBHOOK_TOKEN = ""
    assert not provider.verify_webhook(_exotel_json("exotel_status_completed.json", token=""))


def test_exotel_parse_completed(exotel_settings):
    event = ExotelProvider().parse_webhook(_exotel_json("exotel_status_completed.json"))
    assert event.provider_call_id == EXOTEL_CALL_SID
    assert event.status == CallStatus.COMPLETED and event.call_id == 42 and event.duration_seconds == 41
    assert event.recording_url.endswith(f"{EXOTEL_CALL_SID}.mp3")
    assert event.event_id == f"{EXOTEL_CALL_SID}:completed"
    assert "token" not in event.raw and event.raw["Legs"][0]["Status"] == "completed"


@pytest.mark.parametrize(
    ("fixture", "status", "raw_status"),
    [
        ("exotel_status_busy.json", CallStatus.BUSY, "busy"),
        ("exotel_status_no_answer.json", CallStatus.NO_ANSWER, "no-answer"),
        ("exotel_status_failed.json", CallStatus.FAILED, "failed"),
    ],
)
def test_exotel_parse_unreached(exotel_settings, fixture, status, raw_status):
    event = ExotelProvider().parse_webhook(_exotel_json(fixture))
    assert event.status == status and event.duration_seconds == 0 and event.recording_url == ""
    assert event.call_id == 42 and event.event_id == f"{EXOTEL_CALL_SID}:{raw_status}"


def test_exotel_parse_passthru_digits(exotel_settings):
    event = ExotelProvider().parse_webhook(_exotel_passthru())
    assert event.provider_call_id == EXOTEL_CALL_SID
    assert event.digits == "1" and event.status == "" and event.call_id == 42
    assert event.event_id == f"{EXOTEL_CALL_SID}:digits:1"
    assert "token" not in event.raw
    assert ExotelProvider().parse_webhook(_exotel_passthru(digits="3")).digits == "3"


def test_exotel_parse_form_callback_and_fallbacks(exotel_settings):
    request = RequestFactory().post(
        EXOTEL_STATUS_PATH + f"?token={WEBHOOK_TOKEN}",
        data={"CallSid": "abc", "Status": "in-progress", "Duration": "12", "CustomField": "not-a-number"},
    )
    event = ExotelProvider().parse_webhook(request)
    assert event.status == CallStatus.IN_PROGRESS and event.duration_seconds == 12 and event.call_id is None
    assert event.event_id == "abc:in-progress" and "token" not in event.raw
    ringing = RequestFactory().post(EXOTEL_STATUS_PATH, data={"CallSid": "abc", "Status": "ringing"})
    assert ExotelProvider().parse_webhook(ringing).status == CallStatus.RINGING


@pytest.mark.parametrize(
    "request_factory",
    [
        lambda: RequestFactory().post(EXOTEL_STATUS_PATH, data=b"{not json", content_type="application/json"),
        lambda: RequestFactory().post(EXOTEL_STATUS_PATH, data=b"[]", content_type="application/json"),
        lambda: RequestFactory().post(EXOTEL_STATUS_PATH, data=b'{"Status": "busy"}', content_type="application/json"),
        lambda: RequestFactory().get(EXOTEL_PASSTHRU_PATH, data={"digits": '"1"'}),
    ],
)
def test_exotel_parse_rejects_unreadable_callbacks(request_factory):
    with pytest.raises(WebhookRejected):
        ExotelProvider().parse_webhook(request_factory())
