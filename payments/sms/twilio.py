"""Twilio Programmable Messaging, through its official SDK
(https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource).

Delivery reports are signed like every Twilio webhook (``X-Twilio-Signature`` over the exact URL and the
form fields), so the URL is rebuilt from ``PUBLIC_BASE_URL``, as Twilio was given it
(https://www.twilio.com/docs/messaging/guides/track-outbound-message-status).
"""

import logging
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from .base import SentSms, SmsProvider, SmsProviderError, SmsRejected, SmsRequest, SmsStatusNotice

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "x-twilio-signature"
TIMEOUT_SECONDS = 10
STATUS_MAP: dict[str, str] = {
    "accepted": "queued",
    "scheduled": "queued",
    "queued": "queued",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
}
# Twilio error codes a clerk can act on (https://www.twilio.com/docs/api/errors). Others show Twilio's message.
ERROR_HINTS: dict[int, str] = {
    20003: "Twilio refused the credentials: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.",
    21211: "Twilio says the customer's phone number is not valid: check it on the customer.",
    21408: "This Twilio account may not text this country: enable it in the Twilio console "
    "(Messaging → Settings → Geo permissions).",
    21606: "TWILIO_SMS_FROM cannot send text messages: use an SMS-capable number or sender of this account.",
    21610: "The customer has replied STOP to this sender: Twilio will not text them.",
    21612: "Twilio cannot text this number from TWILIO_SMS_FROM.",
    21614: "Twilio says the customer's phone number is not a mobile number.",
    30003: "The customer's phone is switched off or unreachable.",
    30004: "The customer's number blocks messages from this sender.",
    30005: "The customer's number is unknown to their carrier (it may no longer exist).",
    30006: "The customer's number is a landline or cannot receive text messages.",
    30007: "The carrier filtered the message as spam.",
    30008: "The carrier could not deliver the message (no reason given).",
}
# Twilio's messages may quote the number texted, or the account.
_PHONE_LIKE = re.compile(r"\+?\d[\d\s().-]{6,}\d")


def _redact(text: str) -> str:
    for secret in (settings.TWILIO_AUTH_TOKEN, settings.TWILIO_ACCOUNT_SID):
        if secret:
            text = text.replace(secret, "[redacted]")
    return _PHONE_LIKE.sub("[number]", text)


def _error_text(code: object, fallback: str) -> str:
    try:
        number = int(code) if code not in (None, "") else None
    except (TypeError, ValueError):
        number = None
    if number is None:
        return fallback
    return ERROR_HINTS.get(number) or f"{fallback} (Twilio error {number})."


class TwilioSms(SmsProvider):
    name = "twilio"

    def __init__(self, *, http_client: HttpClient | None = None) -> None:
        """``http_client`` lets tests answer for Twilio; by default the SDK's own, with a timeout."""
        self.http_client = http_client

    def send(self, request: SmsRequest) -> SentSms:
        missing = [
            name
            for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_SMS_FROM")
            if not getattr(settings, name, "")
        ]
        if missing:
            raise SmsProviderError(f"Twilio SMS is not configured: set {', '.join(missing)} in the environment.")
        client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=self.http_client or TwilioHttpClient(timeout=TIMEOUT_SECONDS),
        )
        try:
            message = client.messages.create(
                to=request.to,
                from_=settings.TWILIO_SMS_FROM,
                body=request.body,
                status_callback=request.status_callback_url,
            )
        except TwilioException as exc:
            code = getattr(exc, "code", None)
            detail = _redact(str(getattr(exc, "msg", "") or "no reason given"))
            raise SmsProviderError(
                "Twilio refused the text message: " + _error_text(code, detail).rstrip(".") + "."
            ) from exc
        except requests.RequestException as exc:
            raise SmsProviderError(f"Could not reach Twilio ({type(exc).__name__}): try again later.") from exc
        except ValueError as exc:
            raise SmsProviderError("Twilio answered with something that is not JSON: try again later.") from exc
        if not message.sid:
            raise SmsProviderError("Twilio accepted the text message but returned no message id.")
        return SentSms(provider_message_id=message.sid, status=STATUS_MAP.get(str(message.status or ""), "queued"))

    def verify_callback(self, *, path: str, body: bytes, headers: Mapping[str, str]) -> bool:
        signature = headers.get(SIGNATURE_HEADER, "")
        if not signature or not settings.TWILIO_AUTH_TOKEN:
            return False
        try:
            params = dict(parse_qsl(body.decode(), keep_blank_values=True))
        except UnicodeDecodeError:
            return False
        url = settings.PUBLIC_BASE_URL.rstrip("/") + path
        return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, params, signature)

    def parse_callback(self, body: bytes, headers: Mapping[str, str]) -> SmsStatusNotice:
        try:
            fields = dict(parse_qsl(body.decode(), keep_blank_values=True))
        except UnicodeDecodeError as exc:
            raise SmsRejected("The Twilio delivery report is not text.") from exc
        sid = fields.get("MessageSid") or fields.get("SmsSid") or ""
        if not sid:
            raise SmsRejected("The Twilio delivery report has no MessageSid.")
        twilio_status = fields.get("MessageStatus") or fields.get("SmsStatus") or ""
        status = STATUS_MAP.get(twilio_status, "")
        error = ""
        if status in ("undelivered", "failed"):
            error = _error_text(fields.get("ErrorCode"), f"Twilio reports the message {twilio_status}.")
        return SmsStatusNotice(provider_message_id=sid, status=status, error=error)
