"""Twilio, through its official SDK: place, end and look up calls, check and read its webhooks, write TwiML.

Twilio signs every webhook with the account's Auth Token over the exact URL it called, so the URL is
rebuilt from ``PUBLIC_BASE_URL`` (what Twilio was given) rather than from the request's host, which a
proxy may have rewritten.

Looking a call up reads Twilio's Call resource (https://www.twilio.com/docs/voice/api/call-resource),
which has no recording URL: recordings are a sub-resource, and still arrive by webhook.
"""

import logging
import re
from datetime import datetime
from urllib.parse import quote

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

from calls.models import AnsweredBy, CallStatus

from .base import CallProvider, DialRequest, ProviderError, ProviderEvent, WebhookRejected

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
# Twilio <Say> languages: Indian English and Hindi; anything else is read in Indian English.
LANGUAGES: dict[str, str] = {"en": "en-IN", "hi": "hi-IN"}

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
                machine_detection="Enable",
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

    def parse_webhook(self, request: HttpRequest) -> ProviderEvent:
        data = request.POST if request.method == "POST" else request.GET
        call_sid = data.get("CallSid", "")
        if not call_sid:
            raise WebhookRejected("The Twilio webhook has no CallSid.")
        twilio_status = data.get("CallStatus", "")
        digits = data.get("Digits", "")
        sequence = data.get("SequenceNumber", "")
        if sequence != "":
            event_id = f"{call_sid}:{sequence}"
        elif digits:
            event_id = f"{call_sid}:digits:{digits}"
        else:
            event_id = f"{call_sid}:{twilio_status}"
        return ProviderEvent(
            provider_call_id=call_sid,
            status=str(STATUS_MAP.get(twilio_status, "")),
            answered_by=str(ANSWERED_BY_MAP.get(data.get("AnsweredBy", ""), "")),
            duration_seconds=_int_or_none(data.get("CallDuration")),
            recording_url=data.get("RecordingUrl", ""),
            digits=digits,
            transcript=data.get("SpeechResult", ""),
            event_id=event_id,
            raw=data.dict(),
        )


# --- TwiML ---------------------------------------------------------------------------------------


def twiml_language(language: str) -> str:
    """The <Say> language for one of ours: "hi" -> "hi-IN"; unknown ones fall back to Indian English."""
    return LANGUAGES.get(language, LANGUAGES["en"])


def twiml_prompt(
    *,
    greeting: str,
    menu: str,
    no_input: str,
    goodbye: str,
    language: str,
    gather_url: str,
    retry_url: str | None,
) -> str:
    """Greeting and menu waiting for one key; without one, retry once (``retry_url``) or say goodbye."""
    say_language = twiml_language(language)
    response = VoiceResponse()
    gather = response.gather(num_digits=1, timeout=6, action=gather_url, method="POST")
    gather.say(greeting, language=say_language)
    gather.say(menu, language=say_language)
    if retry_url:
        response.say(no_input, language=say_language)
        response.redirect(retry_url, method="POST")
    else:
        response.say(goodbye, language=say_language)
        response.hangup()
    return str(response)


def twiml_say_and_hangup(*, texts: list[str], language: str) -> str:
    """Say these, in order, then end the call (after a choice, or to a machine)."""
    say_language = twiml_language(language)
    response = VoiceResponse()
    for text in texts:
        response.say(text, language=say_language)
    response.hangup()
    return str(response)
