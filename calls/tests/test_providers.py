"""The telephony providers: what they send, what they accept, and how they read what comes back.

Provider answers and webhooks are recorded payloads in ``fixtures/``; the network is cut for every
test here, so nothing can reach a real provider.
"""

import json
import logging
import re
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

from calls.conversation import Reply
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
from calls.providers.simulated import PERSONA_WEIGHTS
from calls.providers.twilio import twiml_reply
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
    return SimulatedProvider().line_events(provider_call_id=f"sim-{index}", call_id=index, seed=seed)


def _story(index: int, seed: int = 2026):
    return SimulatedProvider().story(provider_call_id=f"sim-{index}", seed=seed)


def test_simulated_place_call_returns_a_sim_id():
    assert SimulatedProvider().place_call(DIAL) == "sim-42"
    assert SimulatedProvider().hangup("sim-42") is None


def test_simulated_events_are_deterministic():
    for index in range(50):
        assert _events(index) == _events(index)
    assert json.loads(json.dumps(_events(7))) == _events(7)  # JSON-able as they are


def test_simulated_events_depend_on_the_seed():
    assert sum(_story(index, seed=1) != _story(index, seed=2) for index in range(200)) > 50


def test_simulated_outcome_and_persona_mix_over_2000_calls():
    stories = [_story(index) for index in range(2000)]
    share = {key: count / 2000 for key, count in Counter(story.outcome for story in stories).items()}
    assert 0.18 <= share["no_answer"] <= 0.32
    assert 0.06 <= share["busy"] <= 0.14
    assert 0.02 <= share["failed"] <= 0.08
    assert 0.06 <= share["machine"] <= 0.14
    assert 0.43 <= share["human"] <= 0.57
    personas = Counter(story.persona for story in stories if story.outcome == "human")
    # Every kind of answer a borrower gives turns up, promises the most often.
    assert set(personas) == set(PERSONA_WEIGHTS)
    assert personas.most_common(1)[0][0] == "promise"


def test_simulated_sequences_end_terminal_never_go_back_and_have_unique_ids():
    seen_ids: set[str] = set()
    for index in range(500):
        events = _events(index)
        assert events[-1]["status"] in TERMINAL
        ranks = [ORDER[event["status"]] for event in events]
        assert ranks == sorted(ranks)
        assert sum(rank == 3 for rank in ranks) == 1  # one terminal event, the last one
        for event in events:
            assert event["call_sid"] == f"sim-{index}" and event["call_id"] == index
            assert event["event_id"] not in seen_ids
            seen_ids.add(event["event_id"])


def test_simulated_answered_calls_look_real():
    for index in range(400):
        story, events = _story(index), _events(index)
        if story.outcome not in ("human", "machine"):
            continue
        assert [event["status"] for event in events] == ["ringing", "in_progress", "completed"]
        assert events[1]["answered_by"] == story.outcome
        limits = (30, 150) if story.outcome == "human" else (8, 25)
        assert limits[0] <= events[-1]["duration"] <= limits[1]
        # Billed per started minute at ₹0.50.
        minutes = -(-events[-1]["duration"] // 60)
        assert (events[-1]["price"], events[-1]["price_unit"]) == (f"{minutes * 0.5:.2f}", "INR")


def _answer(index: int, step: str, language: str, turn: int = 5) -> dict:
    return SimulatedProvider().answer(
        provider_call_id=f"sim-{index}",
        seed=2026,
        step=step,
        turn=turn,
        language=language,
        facts={"amount": "12500", "loan_end": "4321"},
    )


def test_simulated_people_answer_in_their_language_and_by_persona():
    humans = [index for index in range(600) if _story(index).outcome == "human"]
    for index in humans:
        persona = _story(index).persona
        for language in ("en", "hi"):
            greeting = _answer(index, "greeting", language)
            assert _answer(index, "greeting", language) == greeting  # deterministic
            if persona == "silent":
                assert greeting == {}
                continue
            assert greeting["speech"] and 0 < greeting["confidence"] < 1
            if language == "hi":
                assert not re.search(r"\b(the|is|speaking)\b", greeting["speech"])
            ask = _answer(index, "ask", language)
            if persona == "promise":
                assert "12500" in ask["speech"]
            if persona == "keypad_promise":
                assert ask == {"digits": "1"}
            assert _answer(index, "verify", language) == {"digits": "4321"}


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
    events = next(events for index in range(100) if len(events := _events(index)) == 3)
    provider = SimulatedProvider()
    done = provider.parse_webhook(provider.webhook_fields(_simulated_post(json.dumps(events[2]).encode())))
    assert done.provider_call_id == events[2]["call_sid"] and done.call_id == events[2]["call_id"]
    assert done.status == CallStatus.COMPLETED and done.answered_by in (AnsweredBy.HUMAN, AnsweredBy.MACHINE)
    assert done.duration_seconds == events[2]["duration"]
    assert done.event_id == events[2]["event_id"] and done.raw == events[2]


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"\xff"])
def test_simulated_unreadable_bodies_are_rejected(body):
    with pytest.raises(WebhookRejected):
        SimulatedProvider().webhook_fields(_simulated_post(body))


@pytest.mark.parametrize("fields", [{"status": "ringing"}, {"call_sid": "sim-1", "status": "exploded"}])
def test_simulated_parse_rejects_unreadable_fields(fields):
    with pytest.raises(WebhookRejected):
        SimulatedProvider().parse_webhook(fields)


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
    # Asynchronous detection, its verdict to the status callback; no recording unless the campaign records.
    assert data["MachineDetection"] == "DetectMessageEnd" and data["AsyncAmd"] == "true"
    assert data["AsyncAmdStatusCallback"] == DIAL.status_callback_url
    assert "Record" not in data


def test_twilio_place_call_records_when_the_campaign_does(twilio_settings):
    from dataclasses import replace

    http = RecordedTwilioHttpClient()
    TwilioProvider(http_client=http).place_call(replace(DIAL, record=True))
    data = http.requests[0]["data"]
    assert data["Record"] == "true" and data["RecordingStatusCallback"] == DIAL.status_callback_url


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
    return TwilioProvider().parse_webhook(fixture_json(fixture))


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


def test_twilio_parse_gather_answer():
    heard = TwilioProvider().parse_answer(fixture_json("twilio_gather_digits.json"))
    assert heard.digits == "1" and heard.text == ""
    spoken = TwilioProvider().parse_answer({"CallSid": "CA1", "SpeechResult": "मैं कल भुगतान करूँगा", "Confidence": "0.8"})
    assert spoken.text == "मैं कल भुगतान करूँगा" and spoken.confidence == 0.8 and spoken.digits == ""
    assert TwilioProvider().parse_answer({"CallSid": "CA1", "Confidence": "n/a"}).confidence is None


def test_twilio_parse_async_machine_verdict_and_recording():
    amd = TwilioProvider().parse_webhook({"CallSid": "CA1", "AnsweredBy": "machine_end_beep"})
    assert amd.answered_by == AnsweredBy.MACHINE and amd.status == "" and amd.event_id == "CA1:amd"
    recording = TwilioProvider().parse_webhook(
        {"CallSid": "CA1", "RecordingSid": "RE1", "RecordingStatus": "completed", "RecordingUrl": "https://r/RE1"}
    )
    assert recording.recording_url == "https://r/RE1" and recording.event_id == "CA1:recording:RE1:completed"
    failed = TwilioProvider().parse_webhook(
        {"CallSid": "CA1", "RecordingSid": "RE1", "RecordingStatus": "failed", "RecordingUrl": "https://r/RE1"}
    )
    assert failed.recording_url == ""


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
    event = TwilioProvider().parse_webhook({"CallSid": "CA1", "CallStatus": twilio_status})
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
    event = TwilioProvider().parse_webhook({"CallSid": "CA1", "AnsweredBy": answered_by})
    assert event.answered_by == expected


def test_twilio_parse_rejects_missing_call_sid():
    with pytest.raises(WebhookRejected):
        TwilioProvider().parse_webhook({"CallStatus": "ringing"})


# --- Twilio: TwiML -------------------------------------------------------------------------------


def _xml(text: str) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 (only TwiML these tests just generated)


GATHER_URL = f"{PUBLIC}/api/v1/calls/voice/twilio/42/gather/"


def _reply(**fields) -> Reply:
    return Reply(**{"step": "ask", "language": "hi", "locale": "hi-IN", "say": ("नमस्ते।", "आप कब चुकाएँगे?"), **fields})


@pytest.mark.parametrize(
    ("locale", "voice"), [("hi-IN", "Polly.Aditi"), ("en-IN", "Polly.Raveena"), ("en-US", "Polly.Joanna")]
)
def test_twiml_listens_for_speech_and_keys_with_a_voice_for_the_locale(locale, voice):
    xml = twiml_reply(_reply(locale=locale, listen=True, hints=("kal", "parso")), action_url=GATHER_URL)
    assert "आप कब चुकाएँगे?" in xml  # Hindi stays as text, not character references
    [gather] = list(_xml(xml))
    assert gather.tag == "Gather"
    assert gather.get("input") == "speech dtmf" and gather.get("language") == locale
    assert gather.get("action") == GATHER_URL and gather.get("actionOnEmptyResult") == "true"
    assert gather.get("hints") == "kal, parso" and gather.get("speechTimeout") == "auto"
    assert [(say.tag, say.get("voice"), say.get("language")) for say in gather] == [("Say", voice, locale)] * 2


def test_twiml_an_ending_reply_says_goodbye_and_hangs_up():
    root = _xml(twiml_reply(_reply(listen=False, say=("धन्यवाद।",)), action_url=GATHER_URL))
    assert [child.tag for child in root] == ["Say", "Hangup"] and "Gather" not in ET.tostring(root, encoding="unicode")


def test_twiml_a_transfer_dials_the_agents_line():
    root = _xml(twiml_reply(_reply(listen=False, transfer_to="+918000000001"), action_url=GATHER_URL))
    assert [child.tag for child in root] == ["Say", "Say", "Dial"] and root[2].text == "+918000000001"


def test_twiml_escapes_what_it_says():
    root = _xml(twiml_reply(_reply(listen=False, locale="en-IN", say=("Thank you & goodbye <3",)), action_url=""))
    assert root[0].text == "Thank you & goodbye <3"


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


def _exotel_parse(request):
    provider = ExotelProvider()
    return provider.parse_webhook(provider.webhook_fields(request))


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
    event = _exotel_parse(_exotel_json("exotel_status_completed.json"))
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
    event = _exotel_parse(_exotel_json(fixture))
    assert event.status == status and event.duration_seconds == 0 and event.recording_url == ""
    assert event.call_id == 42 and event.event_id == f"{EXOTEL_CALL_SID}:{raw_status}"


def test_exotel_parse_passthru_digits(exotel_settings):
    fields = ExotelProvider().webhook_fields(_exotel_passthru())
    assert "token" not in fields and fields["CallSid"] == EXOTEL_CALL_SID
    assert ExotelProvider().parse_answer(fields).digits == "1"
    assert ExotelProvider().parse_answer(ExotelProvider().webhook_fields(_exotel_passthru(digits="3"))).digits == "3"


def test_exotel_parse_form_callback_and_fallbacks(exotel_settings):
    request = RequestFactory().post(
        EXOTEL_STATUS_PATH + f"?token={WEBHOOK_TOKEN}",
        data={"CallSid": "abc", "Status": "in-progress", "Duration": "12", "CustomField": "not-a-number"},
    )
    event = _exotel_parse(request)
    assert event.status == CallStatus.IN_PROGRESS and event.duration_seconds == 12 and event.call_id is None
    assert event.event_id == "abc:in-progress" and "token" not in event.raw
    ringing = RequestFactory().post(EXOTEL_STATUS_PATH, data={"CallSid": "abc", "Status": "ringing"})
    assert _exotel_parse(ringing).status == CallStatus.RINGING


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
        _exotel_parse(request_factory())
