"""Exotel SMS, over plain HTTP (https://developer.exotel.com/api/sms):
``POST https://{EXOTEL_SUBDOMAIN}/v1/Accounts/{sid}/Sms/send.json`` with basic auth (API key, token).

Exotel signs nothing, so the status callback URL carries ``EXOTEL_WEBHOOK_TOKEN`` (as the calls'
callbacks do), compared in constant time. Indian carriers deliver only texts whose sender and template
are registered on DLT: set ``EXOTEL_SMS_DLT_ENTITY_ID`` and ``EXOTEL_SMS_DLT_TEMPLATE_ID`` when Exotel asks.
Statuses: https://developer.exotel.com/docs/sms-support/sms-status-codes.
"""

import hmac
import json
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlsplit

import requests
from django.conf import settings

from calls.providers.exotel import AUTH_QUERY_PARAMETER, exotel_url_with_token

from .base import SentSms, SmsProvider, SmsProviderError, SmsRejected, SmsRequest, SmsStatusNotice

TIMEOUT_SECONDS = 10
REQUIRED_SETTINGS = ("EXOTEL_ACCOUNT_SID", "EXOTEL_API_KEY", "EXOTEL_API_TOKEN", "EXOTEL_SMS_FROM")
STATUS_MAP: dict[str, str] = {
    "queued": "queued",
    "sending": "sent",
    "submitted": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "failed": "failed",
    "failed-dnd": "failed",
    "expired": "undelivered",
    "undelivered": "undelivered",
}
DETAIL_HINTS: dict[str, str] = {
    "FAILED_DND": "The customer's number is on the Do-Not-Disturb registry: carriers drop the text.",
    "FAILED_INVALID_NUMBER": "Exotel says the customer's number is not valid or does not exist.",
    "FAILED_SPAM": "The carrier flagged the text as spam.",
    "FAILED_BLACKLISTED": "The customer's number is blacklisted with the carrier.",
    "FAILED_INVALID_SENDER": "EXOTEL_SMS_FROM is not an approved sender id.",
    "FAILED_DLT_SCRUBBING": "DLT scrubbing blocked the text: the body must match the registered template.",
    "FAILED_DLT_ENTITY": "EXOTEL_SMS_DLT_ENTITY_ID is not a registered DLT entity.",
    "FAILED_DLT_TEMPLATE": "EXOTEL_SMS_DLT_TEMPLATE_ID is not an approved DLT template for this text.",
}
HTTP_HINTS: dict[int, str] = {
    401: "Exotel refused the credentials: check EXOTEL_API_KEY, EXOTEL_API_TOKEN and EXOTEL_ACCOUNT_SID.",
    402: "The Exotel account is out of balance or over its plan: top it up.",
    403: "Exotel refused access: the account may be suspended or lack SMS.",
    429: "Exotel is limiting the request rate: try again in a minute.",
}
_PHONE_LIKE = re.compile(r"\+?\d[\d\s().-]{6,}\d")


def _redact(text: str) -> str:
    for secret in (settings.EXOTEL_API_TOKEN, settings.EXOTEL_API_KEY):
        if secret:
            text = text.replace(secret, "[redacted]")
    return _PHONE_LIKE.sub("[number]", text)


def _fields(body: bytes, headers: Mapping[str, str]) -> dict:
    """Exotel posts delivery reports as a form (or, if asked, JSON)."""
    try:
        text = body.decode()
    except UnicodeDecodeError as exc:
        raise SmsRejected("The Exotel delivery report is not text.") from exc
    if headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(text or "{}")
        except ValueError as exc:
            raise SmsRejected("The Exotel delivery report is not JSON.") from exc
        if not isinstance(data, dict):
            raise SmsRejected("The Exotel delivery report is not a JSON object.")
        return data
    return dict(parse_qsl(text, keep_blank_values=True))


class ExotelSms(SmsProvider):
    name = "exotel"

    def __init__(self, *, session: requests.Session | None = None) -> None:
        """``session`` lets tests answer for Exotel; by default a fresh ``requests`` session per message."""
        self.session = session

    def send(self, request: SmsRequest) -> SentSms:
        missing = [name for name in REQUIRED_SETTINGS if not getattr(settings, name, "")]
        if missing:
            raise SmsProviderError(f"Exotel SMS is not configured: set {', '.join(missing)} in the environment.")
        url = f"https://{settings.EXOTEL_SUBDOMAIN}/v1/Accounts/{settings.EXOTEL_ACCOUNT_SID}/Sms/send.json"
        data = {
            "From": settings.EXOTEL_SMS_FROM,
            "To": request.to,
            "Body": request.body,
            "StatusCallback": exotel_url_with_token(request.status_callback_url),
        }
        if not request.body.isascii():
            data["EncodingType"] = "unicode"  # Hindi (Devanagari) needs UCS-2
        if settings.EXOTEL_SMS_DLT_ENTITY_ID:
            data["DltEntityId"] = settings.EXOTEL_SMS_DLT_ENTITY_ID
        if settings.EXOTEL_SMS_DLT_TEMPLATE_ID:
            data["DltTemplateId"] = settings.EXOTEL_SMS_DLT_TEMPLATE_ID
        session = self.session or requests.Session()
        try:
            response = session.post(
                url,
                data=data,
                auth=(settings.EXOTEL_API_KEY, settings.EXOTEL_API_TOKEN),
                timeout=TIMEOUT_SECONDS,
            )
        except requests.Timeout as exc:
            raise SmsProviderError(f"Exotel did not answer within {TIMEOUT_SECONDS} seconds: try again later.") from exc
        except requests.RequestException as exc:
            raise SmsProviderError(f"Could not reach Exotel ({type(exc).__name__}): try again later.") from exc
        finally:
            if self.session is None:
                session.close()
        if response.status_code >= 400:
            raise SmsProviderError(self._http_error_message(response))
        try:
            message = response.json()["SMSMessage"]
            sid, status = str(message["Sid"] or ""), str(message.get("Status") or "queued")
        except (ValueError, KeyError, TypeError) as exc:
            raise SmsProviderError("Exotel accepted the text message but its answer has no message id.") from exc
        if not sid:
            raise SmsProviderError("Exotel accepted the text message but its answer has no message id.")
        return SentSms(provider_message_id=sid, status=STATUS_MAP.get(status, "queued"))

    @staticmethod
    def _http_error_message(response: requests.Response) -> str:
        detail = ""
        try:
            error = response.json().get("RestException")
            if isinstance(error, dict):
                detail = str(error.get("Message") or "")
        except (ValueError, AttributeError):
            pass
        if response.status_code >= 500:
            hint = "Exotel had a server error: try again later."
        else:
            hint = HTTP_HINTS.get(response.status_code) or detail or "Exotel refused the request."
        return _redact(f"Exotel refused the text message (HTTP {response.status_code}): {hint}")

    def verify_callback(self, *, path: str, body: bytes, headers: Mapping[str, str]) -> bool:
        query = dict(parse_qsl(urlsplit(path).query, keep_blank_values=True))
        token, expected = query.get(AUTH_QUERY_PARAMETER, ""), settings.EXOTEL_WEBHOOK_TOKEN
        if not token or not expected:
            return False
        return hmac.compare_digest(token.encode(), expected.encode())

    def parse_callback(self, body: bytes, headers: Mapping[str, str]) -> SmsStatusNotice:
        fields = _fields(body, headers)
        sid = str(fields.get("SmsSid") or fields.get("Sid") or "")
        if not sid:
            raise SmsRejected("The Exotel delivery report has no SmsSid.")
        exotel_status = str(fields.get("Status") or "").lower()
        detailed = str(fields.get("DetailedStatus") or "").upper()
        status = "delivered" if detailed == "DELIVERED_TO_HANDSET" else STATUS_MAP.get(exotel_status, "")
        error = ""
        if status in ("failed", "undelivered"):
            error = DETAIL_HINTS.get(detailed) or (
                DETAIL_HINTS["FAILED_DND"]
                if exotel_status == "failed-dnd"
                else f"Exotel reports the message {exotel_status}" + (f" ({detailed})." if detailed else ".")
            )
        return SmsStatusNotice(provider_message_id=sid, status=status, error=error)
