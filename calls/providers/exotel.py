"""Exotel (India), over plain HTTP: connect the customer to a flow, look a call up, and read its callbacks.

Exotel signs nothing, so every callback URL carries a secret ``token`` query parameter, compared in
constant time. The flow (greeting, menu, the passthru applet that reports the key pressed) is built in
Exotel's dashboard; its passthru URL must carry the same token.

Looking a call up uses the v1 "Call details" API (https://developer.exotel.com/api/call-details), which
answers ``{"Call": {"Sid", "Status", "Duration", "RecordingUrl", "AnsweredBy", ...}}``. Exotel fills
``Duration`` and ``RecordingUrl`` some minutes after the call ends, so a fresh call may lack them.
"""

import hmac
import json
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import requests
from django.conf import settings
from django.http import HttpRequest

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

AUTH_QUERY_PARAMETER = "token"
TIMEOUT_SECONDS = 10
STATUS_MAP: dict[str, str] = {
    "queued": CallStatus.DIALING,
    "ringing": CallStatus.RINGING,
    "in-progress": CallStatus.IN_PROGRESS,
    "completed": CallStatus.COMPLETED,
    "busy": CallStatus.BUSY,
    "no-answer": CallStatus.NO_ANSWER,
    "failed": CallStatus.FAILED,
    "canceled": CallStatus.CANCELED,
}
HTTP_HINTS: dict[int, str] = {
    401: "Exotel refused the credentials: check EXOTEL_API_KEY, EXOTEL_API_TOKEN and EXOTEL_ACCOUNT_SID.",
    402: "The Exotel account is out of balance or over its plan: top it up.",
    403: "Exotel refused access: the account may be suspended or lack this feature.",
    429: "Exotel is limiting the request rate: try again in a minute.",
}
REQUIRED_SETTINGS = ("EXOTEL_ACCOUNT_SID", "EXOTEL_API_KEY", "EXOTEL_API_TOKEN", "EXOTEL_CALLER_ID", "EXOTEL_FLOW_ID")
CREDENTIAL_SETTINGS = ("EXOTEL_ACCOUNT_SID", "EXOTEL_API_KEY", "EXOTEL_API_TOKEN")
# Fields of a looked-up call that name the account rather than the call: not kept with the event.
_ACCOUNT_FIELDS = ("AccountSid", "Uri")


def exotel_url_with_token(url: str) -> str:
    """The URL with the webhook token added (unless it carries one), as Exotel must call it back."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key == AUTH_QUERY_PARAMETER for key, _ in query):
        return url
    query.append((AUTH_QUERY_PARAMETER, settings.EXOTEL_WEBHOOK_TOKEN))
    return urlunsplit(parts._replace(query=urlencode(query)))


# Exotel's messages may quote the number dialled, in any format.
_PHONE_LIKE = re.compile(r"\+?\d[\d\s().-]{6,}\d")


def _redact(text: str, *secrets: str) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return _PHONE_LIKE.sub("[number]", text)


def _int_or_none(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ExotelProvider(CallProvider):
    name = "exotel"

    def __init__(self, *, session: requests.Session | None = None) -> None:
        """``session`` lets tests answer for Exotel; by default a fresh ``requests`` session per call."""
        self.session = session

    @staticmethod
    def _require(names: tuple[str, ...]) -> None:
        missing = [name for name in names if not getattr(settings, name, "")]
        if missing:
            raise ProviderError(f"Exotel is not configured: set {', '.join(missing)} in the environment.")

    def _send(self, method: str, url: str, **kwargs) -> requests.Response:
        """One request to Exotel with the account's credentials and a timeout; network trouble is a ProviderError."""
        session = self.session or requests.Session()
        try:
            return session.request(
                method,
                url,
                auth=(settings.EXOTEL_API_KEY, settings.EXOTEL_API_TOKEN),
                timeout=TIMEOUT_SECONDS,
                **kwargs,
            )
        except requests.Timeout as exc:
            raise ProviderError(f"Exotel did not answer within {TIMEOUT_SECONDS} seconds: try again later.") from exc
        except requests.RequestException as exc:
            raise ProviderError(f"Could not reach Exotel ({type(exc).__name__}): try again later.") from exc
        finally:
            if self.session is None:
                session.close()

    def place_call(self, request: DialRequest) -> str:
        self._require(REQUIRED_SETTINGS)
        sid, key, token = settings.EXOTEL_ACCOUNT_SID, settings.EXOTEL_API_KEY, settings.EXOTEL_API_TOKEN
        url = f"https://{settings.EXOTEL_SUBDOMAIN}/v1/Accounts/{sid}/Calls/connect.json"
        data = {
            "From": request.to,  # Exotel dials "From" first and connects it to the flow.
            "CallerId": settings.EXOTEL_CALLER_ID,
            "Url": f"http://my.exotel.com/{sid}/exoml/start_voice/{settings.EXOTEL_FLOW_ID}",
            "StatusCallback": exotel_url_with_token(request.status_callback_url),
            "StatusCallbackEvents[0]": "terminal",
            "StatusCallbackContentType": "application/json",
            "CustomField": str(request.call_id),
        }
        if request.record:
            data["Record"] = "true"  # the campaign records: the bot's first words are the notice
        response = self._send("POST", url, data=data)
        if response.status_code >= 400:
            raise ProviderError(self._http_error_message(response, key, token, action="place the call"))
        try:
            call_sid = response.json()["Call"]["Sid"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ProviderError("Exotel accepted the call but its answer has no call id (Call.Sid).") from exc
        if not call_sid:
            raise ProviderError("Exotel accepted the call but its answer has no call id (Call.Sid).")
        logger.info("Exotel call placed for call %s: %s", request.call_id, call_sid)
        return str(call_sid)

    @staticmethod
    def _http_error_message(response: requests.Response, key: str, token: str, *, action: str) -> str:
        detail = ""
        try:
            error = response.json().get("RestException")
            if isinstance(error, dict):
                detail = str(error.get("Message") or "")
        except (ValueError, AttributeError):  # not JSON, or not an object
            pass
        if response.status_code >= 500:
            hint = "Exotel had a server error: try again later."
        else:
            hint = HTTP_HINTS.get(response.status_code) or detail or "Exotel refused the request."
        message = f"Exotel refused to {action} (HTTP {response.status_code}): {hint}"
        # Never show the credentials, nor the number dialled, even if Exotel echoes them back.
        return _redact(message, token, key)

    def fetch_call(self, provider_call_id: str) -> ProviderEvent:
        self._require(CREDENTIAL_SETTINGS)
        sid, key, token = settings.EXOTEL_ACCOUNT_SID, settings.EXOTEL_API_KEY, settings.EXOTEL_API_TOKEN
        # Quoted: a malformed id must not reach another resource of the account.
        url = f"https://{settings.EXOTEL_SUBDOMAIN}/v1/Accounts/{sid}/Calls/{quote(provider_call_id, safe='')}.json"
        response = self._send("GET", url)

        if response.status_code == 404:
            raise ProviderError("Exotel does not know this call.")
        if response.status_code >= 400:
            raise ProviderError(self._http_error_message(response, key, token, action="look up the call"))
        try:
            call = response.json()["Call"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ProviderError("Exotel's answer about the call has no call details (Call).") from exc
        if not isinstance(call, dict):
            raise ProviderError("Exotel's answer about the call has no call details (Call).")
        exotel_status = str(call.get("Status") or "")
        answered_by = str(call.get("AnsweredBy") or "")
        return ProviderEvent(
            provider_call_id=provider_call_id,
            status=str(STATUS_MAP.get(exotel_status, "")),
            answered_by=answered_by if answered_by in AnsweredBy.values else "",
            duration_seconds=_int_or_none(call.get("Duration")),
            recording_url=str(call.get("RecordingUrl") or ""),
            event_id=f"{provider_call_id}:fetched:{exotel_status}",
            price=provider_price(call.get("Price")),
            price_unit="INR" if call.get("Price") not in (None, "") else "",
            raw={name: value for name, value in call.items() if name not in _ACCOUNT_FIELDS},
        )

    def hangup(self, provider_call_id: str) -> None:
        raise ProviderError(
            "Exotel calls cannot be ended from here: Exotel has no hang-up API for connected calls. "
            "The call ends when the flow ends or the customer hangs up."
        )

    # --- Webhooks -------------------------------------------------------------------------------

    def verify_webhook(self, request: HttpRequest) -> bool:
        token = request.GET.get(AUTH_QUERY_PARAMETER, "")
        expected = settings.EXOTEL_WEBHOOK_TOKEN
        if not token or not expected:
            return False
        return hmac.compare_digest(token.encode(), expected.encode())

    def webhook_fields(self, request: HttpRequest) -> dict:
        """Status callbacks come as JSON (or a form); the passthru and gather applets call with a GET query."""
        data: dict[str, Any] = request.GET.dict()
        if request.method == "POST":
            if request.content_type == "application/json":
                try:
                    body = json.loads(request.body or b"{}")
                except (ValueError, UnicodeDecodeError) as exc:
                    raise WebhookRejected("The Exotel callback body is not JSON.") from exc
                if not isinstance(body, dict):
                    raise WebhookRejected("The Exotel callback body is not a JSON object.")
                data.update(body)
            else:
                data.update(request.POST.dict())
        data.pop(AUTH_QUERY_PARAMETER, None)  # A secret: never kept with the event.
        return data

    def parse_webhook(self, fields: dict) -> ProviderEvent:
        call_sid = str(fields.get("CallSid") or "")
        if not call_sid:
            raise WebhookRejected("The Exotel callback has no CallSid.")
        exotel_status = str(fields.get("Status") or "")
        duration = fields.get("ConversationDuration")
        if duration in (None, ""):
            duration = fields.get("Duration")
        return ProviderEvent(
            provider_call_id=call_sid,
            status=str(STATUS_MAP.get(exotel_status, "")),
            call_id=_int_or_none(fields.get("CustomField")),
            duration_seconds=_int_or_none(duration),
            recording_url=str(fields.get("RecordingUrl") or ""),
            event_id=f"{call_sid}:{exotel_status}" if exotel_status else "",
            raw=fields,
        )

    def parse_answer(self, fields: dict) -> Heard:
        """The passthru applet after a gather: the keys pressed, as ``digits`` (Exotel quotes them: "\"1\"")."""
        return Heard(digits=str(fields.get("digits") or "").strip().strip('"'))

    # --- Recordings ------------------------------------------------------------------------------

    # Exotel's recording links point at its own storage (often an S3 bucket named by the account):
    # the account's credentials go only to Exotel's own hosts, never to a third party's.
    CREDENTIAL_HOSTS = ("exotel.com", "exotel.in")

    def recording_fetch(self, recording_url: str) -> RecordingAudio:
        parts = urlsplit(recording_url)
        if parts.scheme != "https" or not parts.hostname:
            raise ProviderError("This Exotel recording link is not an https URL.")
        host = parts.hostname.lower()
        own_host = any(host == name or host.endswith(f".{name}") for name in self.CREDENTIAL_HOSTS)
        if own_host:
            self._require(CREDENTIAL_SETTINGS)
        auth = (settings.EXOTEL_API_KEY, settings.EXOTEL_API_TOKEN) if own_host else None
        session = self.session or requests.Session()
        try:
            response = session.get(recording_url, auth=auth, stream=True, timeout=TIMEOUT_SECONDS)
        except requests.RequestException as exc:
            if self.session is None:
                session.close()
            raise ProviderError(f"Could not reach Exotel ({type(exc).__name__}): try again later.") from exc
        if response.status_code >= 400:
            response.close()
            if self.session is None:
                session.close()
            if response.status_code in (403, 404):  # S3 answers 403 for a key it does not have
                raise RecordingNotFound("Exotel no longer has this recording.")
            raise ProviderError(f"Exotel refused to send the recording (HTTP {response.status_code}): try again later.")
        return RecordingAudio(
            chunks=self._stream(response, session if self.session is None else None),
            content_type=response.headers.get("Content-Type") or "audio/mpeg",
            size=_int_or_none(response.headers.get("Content-Length")),
        )

    @staticmethod
    def _stream(response: requests.Response, session: requests.Session | None) -> Iterator[bytes]:
        try:
            yield from response.iter_content(chunk_size=64 * 1024)
        finally:
            response.close()
            if session is not None:
                session.close()

    def delete_recording(self, recording_url: str) -> None:
        """Exotel has no API to delete a recording: the link is dropped here, and the file stays with
        Exotel for as long as the account's own retention keeps it (set with Exotel)."""


# --- The flow's dynamic prompts --------------------------------------------------------------------------


def exotel_gather_config(reply: Reply) -> dict:
    """What the flow's Gather applet fetches from its dynamic URL: the prompt (all the bot says now) and
    the keys to take (https://support.exotel.com/support/solutions/articles/3000084635)."""
    text = " ".join(reply.say)
    return {
        "gather_prompt": {"text": text},
        "max_input_digits": reply.max_digits,
        "finish_on_key": "#",
        "input_timeout": 6,
        "repeat_menu": 1,
        "repeat_gather_prompt": {"text": text},
    }
