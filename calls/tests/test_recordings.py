"""Call recordings: fetched from the provider with its credentials, and deleted after the retention period.

The network is cut for every test here: Twilio answers through a fake SDK ``HttpClient`` or a fake
``requests`` transport, and Exotel through a session whose transport records what it was sent.
"""

from datetime import UTC, datetime, timedelta

import pytest
import requests
from requests.adapters import BaseAdapter, HTTPAdapter

from calls.models import Call, CallEvent, CallStatus
from calls.providers import PROVIDERS, ExotelProvider, ProviderError, SimulatedProvider, TwilioProvider
from calls.providers.base import RecordingNotFound
from calls.services.recordings import recording_open, recordings_purge
from calls.tasks import recordings_purge_task
from calls.tests.factories import CallFactory
from calls.tests.test_providers import (
    EXOTEL_KEY,
    EXOTEL_SID,
    EXOTEL_TOKEN,
    TWILIO_SID,
    TWILIO_TOKEN,
    RecordedTwilioHttpClient,
)
from voiceassist.common.exceptions import ApplicationError

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_network")]

NOW = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
RECORDING_SID = "REc3e1f5a7b9d1f3a5c7e9b1d3f5a7c9e1"
TWILIO_RECORDING_URL = f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Recordings/{RECORDING_SID}"
EXOTEL_RECORDING_URL = f"https://s3-ap-southeast-1.amazonaws.com/exotelrecordings/{EXOTEL_SID}/c5797dcb.mp3"
SIMULATED_RECORDING_URL = "https://recordings.simulated.invalid/SIM-1.mp3"
AUDIO = b"ID3\x04\x00fake-mp3-frames" * 10


@pytest.fixture
def retention(settings):
    settings.VOICE_RECORDING_RETENTION_DAYS = 90
    return timedelta(days=90)


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


@pytest.fixture
def twilio_answers(monkeypatch, twilio_settings):
    """Twilio's REST API, answering every SDK request with ``status`` (set ``http.status`` in a test)."""
    http = RecordedTwilioHttpClient(status=204, fixture=None)
    monkeypatch.setitem(PROVIDERS, "twilio", lambda: TwilioProvider(http_client=http))
    return http


class AudioAdapter(BaseAdapter):
    """A ``requests`` transport answering with a recording (or an error status), keeping what it was sent."""

    def __init__(self, status: int = 200, body: bytes = AUDIO, content_type: str = "audio/mpeg"):
        super().__init__()
        self.status, self.body, self.content_type = status, body, content_type
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        self.sent.append(request)
        response = requests.Response()
        response.status_code = self.status
        response.raw = _Body(self.body)
        response.url = request.url
        response.request = request
        response.headers["Content-Type"] = self.content_type
        response.headers["Content-Length"] = str(len(self.body))
        return response

    def close(self) -> None:
        pass


class _Body:
    """Enough of urllib3's response for ``iter_content``."""

    def __init__(self, body: bytes):
        self.body = body

    def stream(self, chunk_size, decode_content=True):
        for start in range(0, len(self.body), chunk_size):
            yield self.body[start : start + chunk_size]

    def close(self) -> None:
        pass

    def release_conn(self) -> None:
        pass


@pytest.fixture
def https_answers(monkeypatch):
    """Every ``requests`` session's https transport, answering with a recording."""
    adapter = AudioAdapter()
    monkeypatch.setattr(HTTPAdapter, "send", lambda _self, request, **kwargs: adapter.send(request, **kwargs))
    return adapter


def _ended_call(*, ago: timedelta, provider: str = "simulated", recording_url: str = SIMULATED_RECORDING_URL) -> Call:
    return CallFactory(
        provider=provider,
        status=CallStatus.COMPLETED,
        ended_at=NOW - ago,
        recording_url=recording_url,
    )


# --- Retention -----------------------------------------------------------------------------------


def test_recordings_older_than_the_retention_period_are_deleted_and_younger_ones_kept(retention):
    expired = _ended_call(ago=retention + timedelta(seconds=1))
    on_the_day = _ended_call(ago=retention)
    recent = _ended_call(ago=timedelta(days=3))
    without_recording = _ended_call(ago=retention * 2, recording_url="")

    assert recordings_purge(now=NOW) == {"deleted": 1, "failed": 0}

    for call in (expired, on_the_day, recent, without_recording):
        call.refresh_from_db()
    assert expired.recording_url == "" and expired.recording_deleted_at == NOW
    assert on_the_day.recording_url == SIMULATED_RECORDING_URL and on_the_day.recording_deleted_at is None
    assert recent.recording_url == SIMULATED_RECORDING_URL and recent.recording_deleted_at is None
    assert without_recording.recording_deleted_at is None
    event = CallEvent.objects.get(call=expired, kind="recording")
    assert event.status == "deleted" and event.detail == {"retention_days": 90, "provider": "simulated"}


def test_a_second_run_finds_nothing_more_to_delete(retention):
    _ended_call(ago=retention * 2)
    assert recordings_purge(now=NOW) == {"deleted": 1, "failed": 0}
    assert recordings_purge(now=NOW + timedelta(days=1)) == {"deleted": 0, "failed": 0}


def test_a_call_without_an_end_time_is_aged_from_its_creation(retention):
    call = CallFactory(status=CallStatus.LOST, recording_url=SIMULATED_RECORDING_URL)
    Call.objects.filter(pk=call.pk).update(created_at=NOW - retention - timedelta(days=1))

    assert recordings_purge(now=NOW) == {"deleted": 1, "failed": 0}


def test_the_retention_period_comes_from_settings(settings):
    settings.VOICE_RECORDING_RETENTION_DAYS = 7
    call = _ended_call(ago=timedelta(days=8))

    recordings_purge(now=NOW)

    call.refresh_from_db()
    assert call.recording_deleted_at == NOW


def test_twilio_deletes_the_recording_through_its_api(retention, twilio_answers):
    call = _ended_call(ago=retention * 2, provider="twilio", recording_url=TWILIO_RECORDING_URL)

    assert recordings_purge(now=NOW) == {"deleted": 1, "failed": 0}

    [sent] = twilio_answers.requests
    assert sent["method"] == "DELETE"
    assert sent["uri"] == f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Recordings/{RECORDING_SID}.json"
    assert sent["auth"] == (TWILIO_SID, TWILIO_TOKEN)
    call.refresh_from_db()
    assert call.recording_url == "" and call.recording_deleted_at == NOW


def test_a_recording_twilio_no_longer_has_counts_as_deleted(retention, twilio_answers):
    twilio_answers.status = 404
    twilio_answers.body = '{"code": 20404, "message": "The requested resource was not found", "status": 404}'
    call = _ended_call(ago=retention * 2, provider="twilio", recording_url=TWILIO_RECORDING_URL)

    assert recordings_purge(now=NOW) == {"deleted": 1, "failed": 0}
    call.refresh_from_db()
    assert call.recording_deleted_at == NOW


def test_a_provider_error_leaves_the_call_for_the_next_run(retention, twilio_answers):
    twilio_answers.status = 500
    twilio_answers.body = '{"code": 20500, "message": "Internal Server Error", "status": 500}'
    refused = _ended_call(ago=retention * 2, provider="twilio", recording_url=TWILIO_RECORDING_URL)
    simulated = _ended_call(ago=retention * 2)

    assert recordings_purge(now=NOW) == {"deleted": 1, "failed": 1}

    refused.refresh_from_db()
    assert refused.recording_url == TWILIO_RECORDING_URL and refused.recording_deleted_at is None
    assert not CallEvent.objects.filter(call=refused, kind="recording").exists()
    simulated.refresh_from_db()
    assert simulated.recording_deleted_at == NOW

    twilio_answers.status, twilio_answers.body = 204, ""
    assert recordings_purge(now=NOW + timedelta(days=1)) == {"deleted": 1, "failed": 0}
    refused.refresh_from_db()
    assert refused.recording_url == ""


def test_an_exotel_recording_is_only_forgotten_here(retention, exotel_settings, https_answers):
    call = _ended_call(ago=retention * 2, provider="exotel", recording_url=EXOTEL_RECORDING_URL)

    assert recordings_purge(now=NOW) == {"deleted": 1, "failed": 0}

    assert https_answers.sent == []  # Exotel has no delete API: nothing is asked of it
    call.refresh_from_db()
    assert call.recording_url == "" and call.recording_deleted_at == NOW


def test_the_daily_task_runs_the_purge(settings):
    settings.VOICE_RECORDING_RETENTION_DAYS = 90
    CallFactory(
        status=CallStatus.COMPLETED,
        ended_at=datetime.now(UTC) - timedelta(days=91),
        recording_url=SIMULATED_RECORDING_URL,
    )

    assert recordings_purge_task() == {"deleted": 1, "failed": 0}
    assert settings.CELERY_BEAT_SCHEDULE["calls-recordings-purge"]["task"] == "calls.recordings_purge"


# --- The providers' recording methods ------------------------------------------------------------


def test_twilio_refuses_to_send_its_credentials_to_any_other_url(twilio_settings, https_answers):
    http = RecordedTwilioHttpClient(status=204, fixture=None)
    provider = TwilioProvider(http_client=http)
    for url in (
        f"https://example.com/2010-04-01/Accounts/{TWILIO_SID}/Recordings/{RECORDING_SID}",
        f"http://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Recordings/{RECORDING_SID}",
        f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Calls/CA123",
    ):
        with pytest.raises(ProviderError, match="not a Twilio recording URL"):
            provider.delete_recording(url)
        with pytest.raises(ProviderError, match="not a Twilio recording URL"):
            provider.recording_fetch(url)
    assert http.requests == [] and https_answers.sent == []


def test_twilio_recording_fetch_streams_the_mp3_with_the_account_credentials(twilio_settings, https_answers):
    audio = TwilioProvider().recording_fetch(TWILIO_RECORDING_URL)

    assert b"".join(audio.chunks) == AUDIO
    assert audio.content_type == "audio/mpeg" and audio.size == len(AUDIO)
    [sent] = https_answers.sent
    assert sent.method == "GET"
    assert sent.url == f"{TWILIO_RECORDING_URL}.mp3"
    expected = requests.auth._basic_auth_str(TWILIO_SID, TWILIO_TOKEN)
    assert sent.headers["Authorization"] == expected


def test_twilio_recording_fetch_errors(twilio_settings, https_answers):
    https_answers.status = 404
    with pytest.raises(RecordingNotFound, match="no longer has this recording"):
        TwilioProvider().recording_fetch(TWILIO_RECORDING_URL)
    https_answers.status = 401
    with pytest.raises(ProviderError, match="TWILIO_AUTH_TOKEN") as refused:
        TwilioProvider().recording_fetch(TWILIO_RECORDING_URL)
    assert TWILIO_TOKEN not in str(refused.value)


def test_exotel_recording_fetch_sends_no_credentials_to_a_third_party_store(exotel_settings):
    adapter = AudioAdapter()
    session = requests.Session()
    session.mount("https://", adapter)

    audio = ExotelProvider(session=session).recording_fetch(EXOTEL_RECORDING_URL)

    assert b"".join(audio.chunks) == AUDIO
    [sent] = adapter.sent
    assert sent.url == EXOTEL_RECORDING_URL
    assert "Authorization" not in sent.headers


def test_exotel_recording_fetch_from_exotel_itself_is_authenticated(exotel_settings):
    adapter = AudioAdapter()
    session = requests.Session()
    session.mount("https://", adapter)
    url = f"https://recordings.exotel.com/{EXOTEL_SID}/c5797dcb.mp3"

    ExotelProvider(session=session).recording_fetch(url)

    [sent] = adapter.sent
    assert sent.headers["Authorization"] == requests.auth._basic_auth_str(EXOTEL_KEY, EXOTEL_TOKEN)


def test_simulated_and_exotel_have_nothing_to_delete_at_the_provider():
    SimulatedProvider().delete_recording(SIMULATED_RECORDING_URL)
    ExotelProvider().delete_recording(EXOTEL_RECORDING_URL)


# --- Opening a recording to play it --------------------------------------------------------------


def test_a_simulated_recording_plays_the_bundled_silence():
    call = CallFactory(recording_url=SIMULATED_RECORDING_URL)

    audio = recording_open(call=call)

    body = b"".join(audio.chunks)
    assert body[:4] == b"RIFF" and body[8:12] == b"WAVE"
    assert audio.content_type == "audio/wav" and audio.size == len(body)


def test_a_provider_answer_that_is_not_audio_is_still_served_as_audio(twilio_settings, https_answers):
    https_answers.content_type = "text/html"
    call = CallFactory(provider="twilio", recording_url=TWILIO_RECORDING_URL)

    assert recording_open(call=call).content_type == "audio/mpeg"


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"recording_url": ""}, "recording_absent"),
        ({"recording_url": "", "recording_deleted_at": NOW}, "recording_deleted"),
        ({"provider": "manual", "recording_url": "https://example.com/r.mp3"}, "recording_absent"),
    ],
)
def test_nothing_to_play(fields, code):
    with pytest.raises(ApplicationError) as refused:
        recording_open(call=CallFactory(**fields))
    assert refused.value.code == code
