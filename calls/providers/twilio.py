"""Twilio, through its official SDK: place, end and look up calls, check and read its webhooks, write TwiML.

Twilio signs every webhook with the account's Auth Token over the exact URL it called, so the URL is
rebuilt from ``PUBLIC_BASE_URL`` (what Twilio was given) rather than from the request's host, which a
proxy may have rewritten.

Looking a call up reads Twilio's Call resource (https://www.twilio.com/docs/voice/api/call-resource),
which has no recording URL: recordings are a sub-resource, and still arrive by webhook.
"""

import logging
import re
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import quote, urlsplit

import requests
from django.conf import settings
from django.http import HttpRequest
from twilio.base.exceptions import TwilioException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.rest.api.v2010.account.call import CallInstance
from twilio.twiml.voice_response import VoiceResponse

from calls.conversation import Heard, Reply
from calls.models import AnsweredBy, CallStatus

from .base import (
    CallProvider,
    DialRequest,
    ProviderError,
    ProviderEvent,
    RecordingAudio,
    RecordingNotFound,
    WebhookRejected,
    provider_price,
)

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
TIMEOUT_SECONDS = 10
STATUS_CALLBACK_EVENTS = ["initiated", "ringing", "answered", "completed"]

STATUS_MAP: dict[str, str] = {
    "queued": CallStatus.DIALING,
    "initiated": CallStatus.DIALING,
    "ringing": CallStatus.RINGING,
    "in-progress": CallStatus.IN_PROGRESS,
    "completed": CallStatus.COMPLETED,
    "busy": CallStatus.BUSY,
    "no-answer": CallStatus.NO_ANSWER,
    "failed": CallStatus.FAILED,
    "canceled": CallStatus.CANCELED,
}
ANSWERED_BY_MAP: dict[str, str] = {
    "human": AnsweredBy.HUMAN,
    "machine_start": AnsweredBy.MACHINE,
    "machine_end_beep": AnsweredBy.MACHINE,
    "machine_end_silence": AnsweredBy.MACHINE,
    "machine_end_other": AnsweredBy.MACHINE,
    "fax": AnsweredBy.MACHINE,
    "unknown": AnsweredBy.UNKNOWN,
}

# Twilio error codes staff can act on, with what to do. Others show Twilio's own message.
ERROR_HINTS: dict[int, str] = {
    20003: "Twilio refused the credentials: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.",
    20404: "Twilio does not know this call.",
    20429: "Twilio is limiting the request rate: try again in a minute.",
    21205: "Twilio refused the voice URL: PUBLIC_BASE_URL must be a public address Twilio can reach.",
    21210: "TWILIO_FROM_NUMBER is not a number of this Twilio account (or a verified caller id).",
    21211: "Twilio says the customer's phone number is not valid: check it on the customer.",
    21212: "TWILIO_FROM_NUMBER is not a valid phone number.",
    21214: "Twilio says the customer's phone number cannot be reached.",
    21215: "This Twilio account may not call this country: enable it in the Twilio console "
    "(Voice → Settings → Geo permissions).",
    21216: "This Twilio account may not call this number (blocked or premium-rate).",
    21217: "Twilio says the customer's phone number is not valid: check it on the customer.",
    21219: "A Twilio trial account may only call verified numbers: verify the number or upgrade the account.",
}
# A Twilio message may quote the number dialled, or a URL with the account in it; staff see these
# messages and they may be logged.
_PHONE_LIKE = re.compile(r"\+?\d[\d\s().-]{6,}\d")


def _redact(text: str) -> str:
    for secret in (settings.TWILIO_AUTH_TOKEN, settings.TWILIO_ACCOUNT_SID):
        if secret:
            text = text.replace(secret, "[redacted]")
    return _PHONE_LIKE.sub("[number]", text)


def _rest_error_message(exc: TwilioException, action: str) -> str:
    code = getattr(exc, "code", None)
    status = getattr(exc, "status", None)
    detail = str(getattr(exc, "msg", "") or getattr(exc, "detail", "") or getattr(exc, "title", ""))
    hint = ERROR_HINTS.get(code) if isinstance(code, int) else None
    where = ", ".join(part for part in (f"HTTP {status}" if status else "", f"error {code}" if code else "") if part)
    return f"Twilio refused to {action}" + (f" ({where})" if where else "") + f": {hint or _redact(detail)}"


# What is kept of a fetched Call: the call's own facts, not the account's identifiers (account_sid, uri…).
_FETCHED_FIELDS = ("sid", "parent_call_sid", "status", "direction", "answered_by", "duration", "queue_time")
_FETCHED_TIMES = ("start_time", "end_time")


def _fetched_raw(call: CallInstance) -> dict:
    raw = {name: getattr(call, name, None) for name in _FETCHED_FIELDS}
    for name in _FETCHED_TIMES:
        moment = getattr(call, name, None)
        raw[name] = moment.isoformat() if isinstance(moment, datetime) else None
    return raw


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


class TwilioProvider(CallProvider):
    name = "twilio"

    def __init__(self, *, http_client: HttpClient | None = None) -> None:
        """``http_client`` lets tests answer for Twilio; by default the SDK's own, with a timeout."""
        self.http_client = http_client

    def _client(self, *, needs_from_number: bool = False) -> Client:
        required = ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"] + (["TWILIO_FROM_NUMBER"] if needs_from_number else [])
        missing = [name for name in required if not getattr(settings, name, "")]
        if missing:
            raise ProviderError(f"Twilio is not configured: set {', '.join(missing)} in the environment.")
        return Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=self.http_client or TwilioHttpClient(timeout=TIMEOUT_SECONDS),
        )

    def place_call(self, request: DialRequest) -> str:
        client = self._client(needs_from_number=True)
        try:
            call = client.calls.create(
                to=request.to,
                from_=settings.TWILIO_FROM_NUMBER,
                url=request.voice_url,
                method="POST",
                status_callback=request.status_callback_url,
                status_callback_method="POST",
                status_callback_event=STATUS_CALLBACK_EVENTS,
                # Asynchronous detection: the greeting (which names no debt) starts at once, so a person
                # hears no dead air; the verdict comes to the status callback, after a machine's beep.
                machine_detection="DetectMessageEnd",
                async_amd="true",
                async_amd_status_callback=request.status_callback_url,
                async_amd_status_callback_method="POST",
                **(
                    {
                        "record": True,
                        "recording_status_callback": request.status_callback_url,
                        "recording_status_callback_method": "POST",
                        "recording_status_callback_event": ["completed"],
                    }
                    if request.record
                    else {}
                ),
            )
        except TwilioException as exc:
            raise ProviderError(_rest_error_message(exc, "place the call")) from exc
        except requests.RequestException as exc:
            raise ProviderError(f"Could not reach Twilio ({type(exc).__name__}): try again later.") from exc
        except ValueError as exc:  # a 2xx answer that is not JSON
            raise ProviderError("Twilio answered with something that is not JSON: try again later.") from exc
        if not call.sid:
            raise ProviderError("Twilio accepted the call but returned no call id.")
        logger.info("Twilio call placed for call %s: %s", request.call_id, call.sid)
        return call.sid

    def hangup(self, provider_call_id: str) -> None:
        """Ends the call whether it rings or is answered (Twilio's ``completed`` covers both)."""
        client = self._client()
        try:
            client.calls(provider_call_id).update(status="completed")
        except TwilioException as exc:
            if getattr(exc, "code", None) == 21220:  # "Call is not in-progress": it has already ended.
                return
            raise ProviderError(_rest_error_message(exc, "end the call")) from exc
        except requests.RequestException as exc:
            raise ProviderError(f"Could not reach Twilio ({type(exc).__name__}): try again later.") from exc
        except ValueError as exc:
            raise ProviderError("Twilio answered with something that is not JSON: try again later.") from exc

    def fetch_call(self, provider_call_id: str) -> ProviderEvent:
        client = self._client()
        try:
            # Quoted: the SDK puts the id in the path as it is, and a malformed one must reach no other resource.
            call = client.calls(quote(provider_call_id, safe="")).fetch()
        except TwilioException as exc:
            raise ProviderError(_rest_error_message(exc, "look up the call")) from exc
        except requests.RequestException as exc:
            raise ProviderError(f"Could not reach Twilio ({type(exc).__name__}): try again later.") from exc
        except ValueError as exc:
            raise ProviderError("Twilio answered with something that is not JSON: try again later.") from exc
        twilio_status = str(call.status or "")
        return ProviderEvent(
            provider_call_id=provider_call_id,
            status=str(STATUS_MAP.get(twilio_status, "")),
            answered_by=str(ANSWERED_BY_MAP.get(call.answered_by or "", "")),
            duration_seconds=_int_or_none(call.duration),
            event_id=f"{provider_call_id}:fetched:{twilio_status}",
            price=provider_price(call.price),
            price_unit=str(call.price_unit or "").upper()[:3],
            raw=_fetched_raw(call),
        )

    # --- Webhooks -------------------------------------------------------------------------------

    def verify_webhook(self, request: HttpRequest) -> bool:
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not signature or not settings.TWILIO_AUTH_TOKEN:
            return False
        url = settings.PUBLIC_BASE_URL.rstrip("/") + request.get_full_path()
        # The QueryDict itself: the validator reads every value of a repeated field, as Twilio signed them.
        params = request.POST if request.method == "POST" else {}
        return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, params, signature)

    def webhook_fields(self, request: HttpRequest) -> dict:
        return (request.POST if request.method == "POST" else request.GET).dict()

    def parse_webhook(self, fields: dict) -> ProviderEvent:
        call_sid = fields.get("CallSid", "")
        if not call_sid:
            raise WebhookRejected("The Twilio webhook has no CallSid.")
        twilio_status = fields.get("CallStatus", "")
        sequence = fields.get("SequenceNumber", "")
        if fields.get("RecordingStatus"):  # the recording status callback (a status callback may name one too)
            event_id = f"{call_sid}:recording:{fields['RecordingSid']}:{fields.get('RecordingStatus', '')}"
        elif fields.get("AnsweredBy") and not twilio_status:
            event_id = f"{call_sid}:amd"  # the asynchronous machine-detection verdict
        elif sequence != "":
            event_id = f"{call_sid}:{sequence}"
        else:
            event_id = f"{call_sid}:{twilio_status}"
        recording_url = fields.get("RecordingUrl", "")
        if recording_url and fields.get("RecordingStatus", "completed") != "completed":
            recording_url = ""
        return ProviderEvent(
            provider_call_id=call_sid,
            status=str(STATUS_MAP.get(twilio_status, "")),
            answered_by=str(ANSWERED_BY_MAP.get(fields.get("AnsweredBy", ""), "")),
            duration_seconds=_int_or_none(fields.get("CallDuration")),
            recording_url=recording_url,
            event_id=event_id,
            raw=fields,
        )

    def parse_answer(self, fields: dict) -> Heard:
        """A ``<Gather input="speech dtmf">`` result: ``SpeechResult`` and its ``Confidence``, or ``Digits``."""
        try:
            confidence = float(fields["Confidence"]) if fields.get("Confidence") not in (None, "") else None
        except ValueError:
            confidence = None
        return Heard(text=fields.get("SpeechResult", ""), digits=fields.get("Digits", ""), confidence=confidence)

    def speak_to_live_call(self, provider_call_id: str, reply: Reply) -> None:
        """Twilio's "modify a live call": the call leaves its ``<Gather>`` and runs this TwiML instead."""
        client = self._client()
        try:
            client.calls(quote(provider_call_id, safe="")).update(twiml=twiml_reply(reply, action_url=""))
        except TwilioException as exc:
            if getattr(exc, "code", None) == 21220:  # the call has already ended
                return
            raise ProviderError(_rest_error_message(exc, "change the live call")) from exc
        except requests.RequestException as exc:
            raise ProviderError(f"Could not reach Twilio ({type(exc).__name__}): try again later.") from exc

    # --- Recordings ------------------------------------------------------------------------------

    # What a recording's URL must look like before the account's credentials go with a request to it:
    # https://api.twilio.com/2010-04-01/Accounts/AC…/Recordings/RE…[.mp3|.wav|.json]
    RECORDING_HOST = "api.twilio.com"
    RECORDING_PATH = re.compile(
        r"^/2010-04-01/Accounts/(?P<account>AC[0-9a-fA-F]{32})/Recordings/(?P<recording>RE[0-9a-fA-F]{32})"
        r"(?:\.(?:mp3|wav|json))?$"
    )

    @classmethod
    def _recording_ids(cls, recording_url: str) -> tuple[str, str]:
        """The account and recording sids of a Twilio recording URL; any other URL is refused."""
        parts = urlsplit(recording_url)
        match = cls.RECORDING_PATH.match(parts.path)
        if parts.scheme != "https" or parts.hostname != cls.RECORDING_HOST or match is None:
            raise ProviderError("This is not a Twilio recording URL: it is not fetched with the account's credentials.")
        return match["account"], match["recording"]

    def recording_fetch(self, recording_url: str) -> RecordingAudio:
        """The recording as MP3 (https://www.twilio.com/docs/voice/api/recording#fetch-a-recording-media-file),
        asked for with the account's credentials; Twilio may redirect to a short-lived link, which
        ``requests`` follows without them."""
        account, recording = self._recording_ids(recording_url)
        missing = [name for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not getattr(settings, name, "")]
        if missing:
            raise ProviderError(f"Twilio is not configured: set {', '.join(missing)} in the environment.")
        url = f"https://{self.RECORDING_HOST}/2010-04-01/Accounts/{account}/Recordings/{recording}.mp3"
        session = requests.Session()
        try:
            response = session.get(
                url,
                auth=(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN),
                stream=True,
                timeout=TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            session.close()
            raise ProviderError(f"Could not reach Twilio ({type(exc).__name__}): try again later.") from exc
        if response.status_code >= 400:
            response.close()
            session.close()
            if response.status_code == 404:
                raise RecordingNotFound("Twilio no longer has this recording.")
            hint = ERROR_HINTS[20003] if response.status_code in (401, 403) else "try again later."
            raise ProviderError(f"Twilio refused to send the recording (HTTP {response.status_code}): {hint}")
        size = _int_or_none(response.headers.get("Content-Length"))
        return RecordingAudio(
            chunks=self._stream(response, session),
            content_type=response.headers.get("Content-Type") or "audio/mpeg",
            size=size,
        )

    @staticmethod
    def _stream(response: requests.Response, session: requests.Session) -> Iterator[bytes]:
        try:
            yield from response.iter_content(chunk_size=64 * 1024)
        finally:
            response.close()
            session.close()

    def delete_recording(self, recording_url: str) -> None:
        """Through the SDK (https://www.twilio.com/docs/voice/api/recording#delete-a-recording-resource);
        a recording Twilio no longer has counts as deleted."""
        account, recording = self._recording_ids(recording_url)
        client = self._client()
        try:
            client.api.v2010.accounts(account).recordings(recording).delete()
        except TwilioException as exc:
            if getattr(exc, "status", None) == 404:
                return
            raise ProviderError(_rest_error_message(exc, "delete the recording")) from exc
        except requests.RequestException as exc:
            raise ProviderError(f"Could not reach Twilio ({type(exc).__name__}): try again later.") from exc


# --- TwiML ---------------------------------------------------------------------------------------

# A voice Twilio documents for each locale (https://www.twilio.com/docs/voice/twiml/say/text-speech):
# Amazon Polly's Indian voices speak Indian English and Hindi; US English gets a US voice.
VOICES: dict[str, str] = {"en-IN": "Polly.Raveena", "hi-IN": "Polly.Aditi", "en-US": "Polly.Joanna"}
# Seconds of silence before a <Gather> gives up, and the keys it takes at most.
GATHER_TIMEOUT_SECONDS = 6


def twiml_reply(reply: Reply, *, action_url: str) -> str:
    """The reply as TwiML: say it with the locale's voice, then listen for speech or keys (``action_url``
    gets the answer, or nothing, so silence is a turn too), connect to an agent, or hang up."""
    response = VoiceResponse()
    voice = VOICES.get(reply.locale, VOICES["en-IN"])
    if reply.listen:
        gather = response.gather(
            input="speech dtmf",
            action=action_url,
            method="POST",
            language=reply.locale,
            hints=", ".join(reply.hints) or None,
            speech_timeout="auto",
            timeout=GATHER_TIMEOUT_SECONDS,
            num_digits=reply.max_digits,
            action_on_empty_result=True,
        )
        for text in reply.say:
            gather.say(text, voice=voice, language=reply.locale)
        return str(response)
    for text in reply.say:
        response.say(text, voice=voice, language=reply.locale)
    if reply.transfer_to:
        response.dial(reply.transfer_to)
    else:
        response.hangup()
    return str(response)
