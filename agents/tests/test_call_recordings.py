"""The customer page's calls: recordings played through this site, and conversations turn by turn."""

from datetime import UTC, datetime

import pytest
import requests
from django.db import connection
from django.test.utils import CaptureQueriesContext
from requests.adapters import HTTPAdapter

from calls.models import CallEvent, CallStatus
from calls.tests.factories import CallFactory
from calls.tests.test_providers import TWILIO_SID, TWILIO_TOKEN
from calls.tests.test_recordings import AudioAdapter
from calls.tests.test_transcripts import TURNS
from customers.tests.factories import CustomerFactory
from voiceassist.common.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIMULATED_RECORDING_URL = "https://recordings.simulated.invalid/SIM-1.mp3"
TWILIO_RECORDING_URL = (
    f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Recordings/REc3e1f5a7b9d1f3a5c7e9b1d3f5a7c9e1"
)


@pytest.fixture(autouse=True)
def _reference_data(reference_data):
    """Roles and dispositions, even where an earlier transactional test flushed them."""


@pytest.fixture
def agent_client(client, agent_user):
    client.force_login(agent_user)
    return client


@pytest.fixture
def customer(db):
    return CustomerFactory(full_name="Asha Rao")


def _text(response) -> str:
    return response.content.decode()


# --- The player and the recording view ----------------------------------------------------------


def test_a_call_with_a_recording_gets_a_player_pointing_here(agent_client, customer):
    call = CallFactory(customer=customer, status=CallStatus.COMPLETED, recording_url=SIMULATED_RECORDING_URL)

    page = _text(agent_client.get(f"/customers/{customer.pk}/"))

    assert f'<audio controls preload="none" src="/calls/{call.pk}/recording/"' in page
    assert "recordings.simulated.invalid" not in page


def test_a_deleted_recording_is_a_note_not_a_player(agent_client, customer, settings):
    settings.VOICE_RECORDING_RETENTION_DAYS = 90
    CallFactory(
        customer=customer,
        status=CallStatus.COMPLETED,
        recording_deleted_at=datetime(2026, 1, 5, 6, 0, tzinfo=UTC),
    )

    page = _text(agent_client.get(f"/customers/{customer.pk}/"))

    assert "Recording deleted on 5 Jan 2026 (kept 90 days)" in page
    assert "<audio" not in page


def test_the_page_allows_audio_from_this_site_only(agent_client, customer):
    policy = agent_client.get(f"/customers/{customer.pk}/")["Content-Security-Policy"]
    assert "media-src 'self'" in policy


def test_a_simulated_recording_plays_a_bundled_second_of_silence(agent_client):
    call = CallFactory(status=CallStatus.COMPLETED, recording_url=SIMULATED_RECORDING_URL)

    response = agent_client.get(f"/calls/{call.pk}/recording/")

    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert response["Cache-Control"] == "private, no-store"
    body = b"".join(response.streaming_content)
    assert body[:4] == b"RIFF" and body[8:12] == b"WAVE"
    assert int(response["Content-Length"]) == len(body)


def test_a_twilio_recording_is_streamed_through_the_server(agent_client, settings, monkeypatch):
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = TWILIO_SID, TWILIO_TOKEN
    twilio = AudioAdapter(body=b"ID3fake-mp3")
    monkeypatch.setattr(HTTPAdapter, "send", lambda _adapter, request, **kwargs: twilio.send(request, **kwargs))
    call = CallFactory(provider="twilio", status=CallStatus.COMPLETED, recording_url=TWILIO_RECORDING_URL)

    response = agent_client.get(f"/calls/{call.pk}/recording/")

    assert response.status_code == 200 and response["Content-Type"] == "audio/mpeg"
    assert b"".join(response.streaming_content) == b"ID3fake-mp3"
    [request] = twilio.sent
    assert request.url == f"{TWILIO_RECORDING_URL}.mp3" and "Authorization" in request.headers
    assert TWILIO_TOKEN not in str(response.headers) and TWILIO_SID not in str(response.headers)


def test_a_provider_that_cannot_be_asked_is_a_502_in_words(agent_client, settings, monkeypatch):
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = TWILIO_SID, TWILIO_TOKEN

    def unreachable(_adapter, request, **kwargs):
        raise requests.ConnectionError("down")

    monkeypatch.setattr(HTTPAdapter, "send", unreachable)
    call = CallFactory(provider="twilio", status=CallStatus.COMPLETED, recording_url=TWILIO_RECORDING_URL)

    response = agent_client.get(f"/calls/{call.pk}/recording/")

    assert response.status_code == 502
    assert _text(response) == "Could not reach Twilio (ConnectionError): try again later."


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"recording_url": ""}, "This call has no recording."),
        (
            {"recording_url": "", "recording_deleted_at": datetime(2026, 1, 5, 6, 0, tzinfo=UTC)},
            "Recording deleted on 5 Jan 2026 (kept 90 days).",
        ),
    ],
)
def test_nothing_to_play_is_a_404_in_words(agent_client, settings, fields, message):
    settings.VOICE_RECORDING_RETENTION_DAYS = 90
    call = CallFactory(status=CallStatus.COMPLETED, **fields)

    response = agent_client.get(f"/calls/{call.pk}/recording/")

    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert _text(response) == message


def test_an_unknown_call_is_a_404(agent_client):
    assert agent_client.get("/calls/999999/recording/").status_code == 404


def test_only_agents_and_back_office_may_listen(client):
    call = CallFactory(status=CallStatus.COMPLETED, recording_url=SIMULATED_RECORDING_URL)
    url = f"/calls/{call.pk}/recording/"

    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


# --- The conversation --------------------------------------------------------------------------


def test_each_call_shows_its_conversation_turn_by_turn(agent_client, customer):
    call = CallFactory(customer=customer, status=CallStatus.COMPLETED, transcript="old flat transcript")
    for detail in [*TURNS[:-1], {**TURNS[-1], "heard": "<b>Friday</b> I will pay"}]:
        CallEvent.objects.create(call=call, kind="turn", detail=detail)

    page = _text(agent_client.get(f"/customers/{customer.pk}/"))

    assert '<li data-line="bot">Bot: Am I speaking with Asha Rao?</li>' in page
    assert 'Customer: Yes, speaking. <span class="tag" data-understood>yes · 0.91</span>' in page
    assert "Customer: &lt;b&gt;Friday&lt;/b&gt; I will pay" in page and "<b>Friday</b>" not in page
    assert "promise_to_pay · 0.82" in page
    assert "old flat transcript" not in page


def test_a_call_without_turns_shows_its_transcript(agent_client, customer):
    CallFactory(customer=customer, status=CallStatus.COMPLETED, transcript="Bot: Hello.\nCustomer: Hi.")

    page = _text(agent_client.get(f"/customers/{customer.pk}/"))

    assert "Bot: Hello.<br>Customer: Hi." in page


def test_the_page_reads_every_call_s_conversation_at_once(agent_client, customer):
    def queries_with(calls: int) -> int:
        for _ in range(calls):
            call = CallFactory(customer=customer, status=CallStatus.COMPLETED, recording_url=SIMULATED_RECORDING_URL)
            for detail in TURNS:
                CallEvent.objects.create(call=call, kind="turn", detail=detail)
        with CaptureQueriesContext(connection) as captured:
            assert agent_client.get(f"/customers/{customer.pk}/").status_code == 200
        return len(captured)

    one = queries_with(1)
    assert queries_with(5) == one
