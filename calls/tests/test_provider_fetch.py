"""Looking a call up at its provider, to reconcile calls whose status webhooks were lost.

Provider answers are recorded payloads in ``fixtures/``; the network is cut for every test here.
"""

import json
from decimal import Decimal
from typing import Any

import pytest
import requests

from calls.models import AnsweredBy, CallStatus
from calls.providers import CallProvider, ExotelProvider, ProviderError, SimulatedProvider, TwilioProvider
from calls.tests.test_providers import (
    EXOTEL_CALL_SID,
    EXOTEL_KEY,
    EXOTEL_SID,
    EXOTEL_TOKEN,
    TWILIO_CALL_SID,
    TWILIO_SID,
    TWILIO_TOKEN,
    RecordedAdapter,
    RecordedTwilioHttpClient,
    fixture_json,
)

TWILIO_CALL_URL = f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Calls/{TWILIO_CALL_SID}.json"
EXOTEL_CALL_URL = f"https://api.in.exotel.com/v1/Accounts/{EXOTEL_SID}/Calls/{EXOTEL_CALL_SID}.json"


# Every test here runs with the network cut: nothing can reach a real provider.
pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture
def twilio_settings(settings):
    settings.TWILIO_ACCOUNT_SID = TWILIO_SID
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    return settings


@pytest.fixture
def exotel_settings(settings):
    settings.EXOTEL_ACCOUNT_SID = EXOTEL_SID
    settings.EXOTEL_API_KEY = EXOTEL_KEY
    settings.EXOTEL_API_TOKEN = EXOTEL_TOKEN
    settings.EXOTEL_SUBDOMAIN = "api.in.exotel.com"
    return settings


def test_fetch_call_is_part_of_the_provider_interface():
    assert "fetch_call" in CallProvider.__abstractmethods__


# --- Twilio --------------------------------------------------------------------------------------


def _twilio_fetch(status: int = 200, fixture: str | None = "twilio_call_fetch_completed.json", **kwargs: Any):
    http = RecordedTwilioHttpClient(status=status, fixture=fixture, **kwargs)
    return TwilioProvider(http_client=http).fetch_call(TWILIO_CALL_SID), http


def test_twilio_fetch_request(twilio_settings):
    _, http = _twilio_fetch()
    [sent] = http.requests
    assert sent["method"] == "GET"
    assert sent["uri"] == TWILIO_CALL_URL
    assert sent["auth"] == (TWILIO_SID, TWILIO_TOKEN)
    assert not sent["data"]


@pytest.mark.parametrize(
    ("fixture", "twilio_status", "status", "answered_by", "duration"),
    [
        ("twilio_call_fetch_completed.json", "completed", CallStatus.COMPLETED, AnsweredBy.HUMAN, 68),
        ("twilio_call_fetch_completed_machine.json", "completed", CallStatus.COMPLETED, AnsweredBy.MACHINE, 9),
        ("twilio_call_fetch_in_progress.json", "in-progress", CallStatus.IN_PROGRESS, AnsweredBy.HUMAN, None),
        ("twilio_call_fetch_no_answer.json", "no-answer", CallStatus.NO_ANSWER, "", 0),
        ("twilio_call_fetch_busy.json", "busy", CallStatus.BUSY, "", 0),
    ],
)
def test_twilio_fetch_maps_the_call(twilio_settings, fixture, twilio_status, status, answered_by, duration):
    event, _ = _twilio_fetch(fixture=fixture)
    assert event.provider_call_id == TWILIO_CALL_SID
    assert event.status == status and event.answered_by == answered_by and event.duration_seconds == duration
    assert event.event_id == f"{TWILIO_CALL_SID}:fetched:{twilio_status}"
    assert event.recording_url == "" and event.call_id is None
    assert event.raw["status"] == twilio_status and event.raw["sid"] == TWILIO_CALL_SID


def test_twilio_fetch_raw_is_json_and_names_no_account(twilio_settings):
    event, _ = _twilio_fetch()
    raw = json.dumps(event.raw)
    assert TWILIO_SID not in raw and TWILIO_TOKEN not in raw
    assert event.raw["duration"] == "68" and event.raw["answered_by"] == "human"
    assert (
        event.raw["start_time"] == "2025-11-21T10:15:04+00:00" and event.raw["end_time"] == "2025-11-21T10:16:12+00:00"
    )


def test_twilio_fetch_quotes_the_call_id(twilio_settings):
    http = RecordedTwilioHttpClient(status=200, fixture="twilio_call_fetch_completed.json")
    event = TwilioProvider(http_client=http).fetch_call("../Recordings/RE1")
    [sent] = http.requests
    assert sent["uri"] == f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Calls/..%2FRecordings%2FRE1.json"
    assert event.provider_call_id == "../Recordings/RE1"


def test_twilio_fetch_twice_is_the_same_event(twilio_settings):
    first, _ = _twilio_fetch()
    second, _ = _twilio_fetch()
    assert first == second and first.event_id == second.event_id


def test_twilio_fetch_unknown_status_is_empty(twilio_settings):
    http = RecordedTwilioHttpClient(status=200, fixture="twilio_call_fetch_completed.json")
    http.body = json.dumps({**fixture_json("twilio_call_fetch_completed.json"), "status": "something-new"})
    event = TwilioProvider(http_client=http).fetch_call(TWILIO_CALL_SID)
    assert event.status == "" and event.event_id == f"{TWILIO_CALL_SID}:fetched:something-new"


def test_twilio_fetch_unknown_call(twilio_settings):
    with pytest.raises(ProviderError) as error:
        _twilio_fetch(status=404, fixture="twilio_call_fetch_error_20404.json")
    message = str(error.value)
    assert "Twilio refused to look up the call (HTTP 404, error 20404)" in message
    assert "Twilio does not know this call." in message
    assert TWILIO_TOKEN not in message and TWILIO_SID not in message


def test_twilio_fetch_bad_credentials(twilio_settings):
    with pytest.raises(ProviderError, match="check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN") as error:
        _twilio_fetch(status=401, fixture="twilio_call_create_error_20003.json")
    assert TWILIO_TOKEN not in str(error.value)


def test_twilio_fetch_error_echoing_credentials_is_redacted(twilio_settings):
    http = RecordedTwilioHttpClient(status=400, fixture=None)
    http.body = json.dumps({"code": 13999, "message": f"Bad request for {TWILIO_SID}:{TWILIO_TOKEN}", "status": 400})
    with pytest.raises(ProviderError) as error:
        TwilioProvider(http_client=http).fetch_call(TWILIO_CALL_SID)
    message = str(error.value)
    assert "error 13999" in message and "Bad request for" in message
    assert TWILIO_TOKEN not in message and TWILIO_SID not in message


@pytest.mark.parametrize(
    "exception", [requests.ConnectionError("boom"), requests.ReadTimeout("slow"), requests.ConnectTimeout("slow")]
)
def test_twilio_fetch_network_errors(twilio_settings, exception):
    with pytest.raises(ProviderError, match="Could not reach Twilio") as error:
        _twilio_fetch(error=exception)
    assert TWILIO_TOKEN not in str(error.value)


def test_twilio_fetch_answer_that_is_not_json(twilio_settings):
    http = RecordedTwilioHttpClient(status=200, fixture=None)
    http.body = "<html>Bad gateway</html>"
    with pytest.raises(ProviderError, match="not JSON"):
        TwilioProvider(http_client=http).fetch_call(TWILIO_CALL_SID)


@pytest.mark.parametrize("missing", ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"])
def test_twilio_fetch_without_credentials(twilio_settings, missing):
    setattr(twilio_settings, missing, "")
    http = RecordedTwilioHttpClient(status=200, fixture="twilio_call_fetch_completed.json")
    with pytest.raises(ProviderError, match=f"Twilio is not configured: set {missing}"):
        TwilioProvider(http_client=http).fetch_call(TWILIO_CALL_SID)
    assert http.requests == []


def test_twilio_fetch_needs_no_from_number(twilio_settings):
    twilio_settings.TWILIO_FROM_NUMBER = ""
    event, _ = _twilio_fetch()
    assert event.status == CallStatus.COMPLETED


# --- Exotel --------------------------------------------------------------------------------------


def _exotel_provider(adapter: RecordedAdapter) -> ExotelProvider:
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return ExotelProvider(session=session)


def _exotel_fetch(fixture: str = "exotel_call_details_completed.json", status: int = 200, **kwargs: Any):
    adapter = RecordedAdapter(status=status, fixture=fixture, **kwargs)
    return _exotel_provider(adapter).fetch_call(EXOTEL_CALL_SID), adapter


def test_exotel_fetch_request(exotel_settings):
    _, adapter = _exotel_fetch()
    [(sent, timeout)] = adapter.sent
    assert timeout == 10
    assert sent.method == "GET"
    assert sent.url == EXOTEL_CALL_URL
    assert sent.headers["Authorization"] == requests.auth._basic_auth_str(EXOTEL_KEY, EXOTEL_TOKEN)
    assert not sent.body


def test_exotel_fetch_quotes_the_call_id(exotel_settings):
    adapter = RecordedAdapter(fixture="exotel_call_details_completed.json")
    _exotel_provider(adapter).fetch_call("../connect")
    [(sent, _)] = adapter.sent
    assert sent.url == f"https://api.in.exotel.com/v1/Accounts/{EXOTEL_SID}/Calls/..%2Fconnect.json"


@pytest.mark.parametrize(
    ("fixture", "exotel_status", "status", "duration", "recorded"),
    [
        ("exotel_call_details_completed.json", "completed", CallStatus.COMPLETED, 51, True),
        ("exotel_call_details_in_progress.json", "in-progress", CallStatus.IN_PROGRESS, None, False),
        ("exotel_call_details_no_answer.json", "no-answer", CallStatus.NO_ANSWER, 0, False),
        ("exotel_call_details_busy.json", "busy", CallStatus.BUSY, 0, False),
    ],
)
def test_exotel_fetch_maps_the_call(exotel_settings, fixture, exotel_status, status, duration, recorded):
    event, _ = _exotel_fetch(fixture)
    assert event.provider_call_id == EXOTEL_CALL_SID
    assert event.status == status and event.duration_seconds == duration and event.answered_by == ""
    assert event.event_id == f"{EXOTEL_CALL_SID}:fetched:{exotel_status}"
    expected_recording = fixture_json(fixture)["Call"]["RecordingUrl"] if recorded else None
    assert event.recording_url == (expected_recording or "")
    assert event.raw["Status"] == exotel_status and event.raw["Sid"] == EXOTEL_CALL_SID


def test_exotel_fetch_raw_names_no_account(exotel_settings):
    event, _ = _exotel_fetch("exotel_call_details_in_progress.json")
    assert "AccountSid" not in event.raw and "Uri" not in event.raw
    raw = json.dumps(event.raw)
    assert EXOTEL_KEY not in raw and EXOTEL_TOKEN not in raw


def test_exotel_fetch_answered_by_and_unknown_status(exotel_settings):
    adapter = RecordedAdapter(fixture="exotel_call_details_completed.json")
    call = fixture_json("exotel_call_details_completed.json")["Call"]
    adapter.body = json.dumps({"Call": {**call, "Status": "something-new", "AnsweredBy": "human"}}).encode()
    event = _exotel_provider(adapter).fetch_call(EXOTEL_CALL_SID)
    assert event.status == "" and event.answered_by == AnsweredBy.HUMAN
    assert event.event_id == f"{EXOTEL_CALL_SID}:fetched:something-new"
    adapter.body = json.dumps({"Call": {**call, "AnsweredBy": "voicemail?"}}).encode()
    assert _exotel_provider(adapter).fetch_call(EXOTEL_CALL_SID).answered_by == ""


def test_exotel_fetch_twice_is_the_same_event(exotel_settings):
    first, _ = _exotel_fetch()
    second, _ = _exotel_fetch()
    assert first == second


def test_exotel_fetch_unknown_call(exotel_settings):
    with pytest.raises(ProviderError) as error:
        _exotel_fetch("exotel_call_details_not_found.json", status=404)
    assert str(error.value) == "Exotel does not know this call."


@pytest.mark.parametrize(
    ("status", "fixture", "expected"),
    [
        (401, "exotel_error_401.json", "check EXOTEL_API_KEY, EXOTEL_API_TOKEN and EXOTEL_ACCOUNT_SID"),
        (429, "exotel_error_401.json", "limiting the request rate"),
        (500, "exotel_error_500.html", "Exotel had a server error"),
    ],
)
def test_exotel_fetch_http_errors(exotel_settings, status, fixture, expected):
    with pytest.raises(ProviderError) as error:
        _exotel_fetch(fixture, status=status)
    message = str(error.value)
    assert message.startswith(f"Exotel refused to look up the call (HTTP {status}): ")
    assert expected in message
    assert EXOTEL_TOKEN not in message and EXOTEL_KEY not in message


def test_exotel_fetch_error_echoing_credentials_is_redacted(exotel_settings):
    adapter = RecordedAdapter(status=400, fixture="exotel_error_401.json")
    adapter.body = json.dumps(
        {"RestException": {"Status": 400, "Message": f"Bad call for key {EXOTEL_KEY}:{EXOTEL_TOKEN}"}}
    ).encode()
    with pytest.raises(ProviderError) as error:
        _exotel_provider(adapter).fetch_call(EXOTEL_CALL_SID)
    message = str(error.value)
    assert "HTTP 400" in message and "Bad call for key" in message
    assert EXOTEL_TOKEN not in message and EXOTEL_KEY not in message


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (requests.ReadTimeout("read timed out"), "did not answer within 10 seconds"),
        (requests.ConnectTimeout("connect timed out"), "did not answer within 10 seconds"),
        (requests.ConnectionError("refused"), "Could not reach Exotel"),
    ],
)
def test_exotel_fetch_timeouts_and_network_errors(exotel_settings, error, expected):
    with pytest.raises(ProviderError, match=expected) as raised:
        _exotel_fetch(error=error)
    assert EXOTEL_TOKEN not in str(raised.value) and EXOTEL_KEY not in str(raised.value)


@pytest.mark.parametrize("body", [b"<html>Bad gateway</html>", b"[]", b'{"Call": null}', b'{"Calls": []}'])
def test_exotel_fetch_answer_without_call_details(exotel_settings, body):
    adapter = RecordedAdapter(fixture="exotel_call_details_completed.json")
    adapter.body = body
    with pytest.raises(ProviderError, match="no call details"):
        _exotel_provider(adapter).fetch_call(EXOTEL_CALL_SID)


def test_exotel_fetch_missing_settings(exotel_settings):
    exotel_settings.EXOTEL_API_TOKEN = ""
    adapter = RecordedAdapter(fixture="exotel_call_details_completed.json")
    with pytest.raises(ProviderError, match="Exotel is not configured: set EXOTEL_API_TOKEN"):
        _exotel_provider(adapter).fetch_call(EXOTEL_CALL_SID)
    assert adapter.sent == []


# --- Simulated -----------------------------------------------------------------------------------


def _last_event(index: int, seed: int) -> dict:
    return SimulatedProvider().line_events(provider_call_id=f"sim-{index}", call_id=index, seed=seed)[-1]


def test_simulated_fetch_is_the_last_simulated_event(settings):
    settings.SIMULATED_SEED = 2026
    provider = SimulatedProvider()
    seen: set[str] = set()
    for index in range(300):
        last = _last_event(index, seed=2026)
        event = provider.fetch_call(f"sim-{index}")
        assert event.provider_call_id == f"sim-{index}" and event.call_id == index
        assert event.status == last["status"]
        assert event.answered_by == last.get("answered_by", "")
        assert event.duration_seconds == last.get("duration")
        assert event.event_id == f"sim-{index}:fetched:{last['status']}"
        assert event.raw == last
        assert provider.fetch_call(f"sim-{index}") == event  # the same state: a harmless replay
        seen.add(event.status)
        if event.status == CallStatus.COMPLETED:
            seen.add(f"completed:{event.answered_by}")
    # A simulated call's story always ends, so the last event is never "in progress".
    assert seen == {
        CallStatus.COMPLETED,
        CallStatus.NO_ANSWER,
        CallStatus.BUSY,
        CallStatus.FAILED,
        "completed:human",
        "completed:machine",
    }


def test_simulated_fetch_follows_the_seed(settings):
    index = next(i for i in range(200) if _last_event(i, seed=1) != _last_event(i, seed=2))
    settings.SIMULATED_SEED = 1
    assert SimulatedProvider().fetch_call(f"sim-{index}").raw == _last_event(index, seed=1)
    settings.SIMULATED_SEED = 2
    assert SimulatedProvider().fetch_call(f"sim-{index}").raw == _last_event(index, seed=2)


@pytest.mark.parametrize(
    "sid", [TWILIO_CALL_SID, EXOTEL_CALL_SID, "", "sim-", "sim-abc", "sim-12x", " sim-12", "sim--1", "sim-١٢"]
)
def test_simulated_fetch_rejects_a_foreign_sid(sid):
    with pytest.raises(ProviderError, match="not a simulated call id"):
        SimulatedProvider().fetch_call(sid)


# --- Prices ---------------------------------------------------------------------------------------


def test_twilio_fetch_reads_the_calls_price_as_a_positive_amount(twilio_settings):
    event, _ = _twilio_fetch()
    assert (event.price, event.price_unit) == (Decimal("0.01920"), "USD")


@pytest.mark.django_db
def test_the_price_of_an_ended_twilio_call_is_read_from_its_record(twilio_settings, monkeypatch):
    from calls.services.reconcile import call_price_fetch
    from calls.tests.factories import CallFactory

    event, _ = _twilio_fetch()
    monkeypatch.setattr(TwilioProvider, "fetch_call", lambda self, sid: event)
    call = CallFactory(provider="twilio", provider_call_id=TWILIO_CALL_SID, status=CallStatus.COMPLETED)

    assert call_price_fetch(call_id=call.pk)
    call.refresh_from_db()
    assert (call.price, call.price_unit) == (Decimal("0.0192"), "USD")
