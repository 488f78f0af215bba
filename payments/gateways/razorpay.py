"""Razorpay Payment Links, through the official ``razorpay`` client.

- Links: ``POST /v1/payment_links`` (https://razorpay.com/docs/api/payments/payment-links/create-standard/),
  amounts in paise. Razorpay's own SMS and e-mail are off (``notify``) and so are its reminders: the
  product sends its own text, in the customer's language, and records it.
- Webhooks (https://razorpay.com/docs/webhooks/payment-links/): ``payment_link.paid``,
  ``payment_link.partially_paid``, ``payment_link.expired``, ``payment_link.cancelled``. Each is signed
  in ``X-Razorpay-Signature``: the HMAC-SHA256 of the raw body with the webhook's secret (not the API
  key's). Each delivery of one event carries the same ``x-razorpay-event-id``; Razorpay retries for
  24 hours and does not promise order (https://razorpay.com/docs/webhooks/best-practices/).
"""

import hashlib
import hmac
import json
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal

import razorpay
import requests
from django.conf import settings
from razorpay.errors import BadRequestError, ServerError
from razorpay.errors import GatewayError as RazorpayGatewayError

from .base import CreatedLink, GatewayError, GatewayNotice, LinkRequest, NoticeKind, PaymentGateway, WebhookRejected

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "x-razorpay-signature"
EVENT_ID_HEADER = "x-razorpay-event-id"
TIMEOUT_SECONDS = 10
EVENTS: dict[str, str] = {
    "payment_link.paid": NoticeKind.PAID,
    "payment_link.partially_paid": NoticeKind.PARTLY_PAID,
    "payment_link.expired": NoticeKind.EXPIRED,
    "payment_link.cancelled": NoticeKind.CANCELLED,
}
# Razorpay's messages may quote the customer's number.
_PHONE_LIKE = re.compile(r"\+?\d[\d\s().-]{6,}\d")


def _paise(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal("1")))


def _rupees(paise: object) -> Decimal | None:
    if isinstance(paise, bool) or not isinstance(paise, int | str):
        return None
    try:
        return (Decimal(paise) / 100).quantize(Decimal("0.01"))
    except ArithmeticError:
        return None


def _moment(timestamp: object) -> datetime | None:
    if isinstance(timestamp, int) and not isinstance(timestamp, bool) and timestamp > 0:
        return datetime.fromtimestamp(timestamp, tz=UTC)
    return None


def _redact(text: str) -> str:
    for secret in (settings.RAZORPAY_KEY_SECRET, settings.RAZORPAY_KEY_ID):
        if secret:
            text = text.replace(secret, "[redacted]")
    return _PHONE_LIKE.sub("[number]", text)


def _entity(payload: dict, name: str) -> dict:
    entity = (payload.get(name) or {}).get("entity") if isinstance(payload.get(name), dict) else None
    return entity if isinstance(entity, dict) else {}


class RazorpayGateway(PaymentGateway):
    name = "razorpay"

    def __init__(self, *, session: requests.Session | None = None) -> None:
        """``session`` lets tests answer for Razorpay; by default the client's own."""
        self.session = session

    def _client(self) -> razorpay.Client:
        missing = [name for name in ("RAZORPAY_KEY_ID", "RAZORPAY_KEY_SECRET") if not getattr(settings, name, "")]
        if missing:
            raise GatewayError(f"Razorpay is not configured: set {', '.join(missing)} in the environment.")
        client = razorpay.Client(session=self.session, auth=(settings.RAZORPAY_KEY_ID, settings.RAZORPAY_KEY_SECRET))
        client.set_app_details({"title": "voiceassist"})
        return client

    def create_link(self, request: LinkRequest) -> CreatedLink:
        client = self._client()
        customer = {"name": request.customer_name[:100]}
        if request.customer_phone:
            customer["contact"] = request.customer_phone
        data = {
            "amount": _paise(request.amount),
            "currency": request.currency,
            "accept_partial": True,
            "reference_id": request.reference,
            "description": request.description[:2048],
            "customer": customer,
            "notify": {"sms": False, "email": False},
            "reminder_enable": False,
            "expire_by": int(request.expires_at.timestamp()),
            "notes": {key: str(value) for key, value in request.notes.items()},
        }
        try:
            link = client.payment_link.create(data, timeout=TIMEOUT_SECONDS)
        except BadRequestError as exc:
            raise GatewayError(f"Razorpay refused the payment link: {_redact(str(exc))}") from exc
        except (RazorpayGatewayError, ServerError) as exc:
            detail = _redact(str(exc)) or "no reason given"
            raise GatewayError(f"Razorpay could not make the payment link ({detail}): try again later.") from exc
        except requests.Timeout as exc:
            raise GatewayError(f"Razorpay did not answer within {TIMEOUT_SECONDS} seconds: try again later.") from exc
        except requests.RequestException as exc:
            raise GatewayError(f"Could not reach Razorpay ({type(exc).__name__}): try again later.") from exc
        except ValueError as exc:  # an answer that is not JSON (the client parses every answer)
            raise GatewayError("Razorpay answered with something that is not JSON: try again later.") from exc
        link_id, short_url = str(link.get("id") or ""), str(link.get("short_url") or "")
        if not link_id or not short_url:
            raise GatewayError("Razorpay accepted the payment link but its answer has no id or short URL.")
        logger.info("Razorpay payment link %s made for %s", link_id, request.reference)
        return CreatedLink(
            gateway_link_id=link_id,
            short_url=short_url,
            expires_at=_moment(link.get("expire_by")) or request.expires_at,
        )

    # --- Webhooks -------------------------------------------------------------------------------

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> bool:
        signature = headers.get(SIGNATURE_HEADER, "")
        secret = settings.RAZORPAY_WEBHOOK_SECRET
        if not signature or not secret:
            return False
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected.encode(), signature.encode())

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> GatewayNotice:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise WebhookRejected("The Razorpay webhook body is not JSON.") from exc
        if not isinstance(data, dict) or not isinstance(data.get("event"), str):
            raise WebhookRejected("The Razorpay webhook has no event.")
        event = data["event"]
        payload = data.get("payload") if isinstance(data.get("payload"), dict) else {}
        link = _entity(payload, "payment_link")
        payment = _entity(payload, "payment")
        kind = EVENTS.get(event, NoticeKind.OTHER)
        if kind and not link.get("id"):
            raise WebhookRejected(f"The Razorpay {event} webhook names no payment link.")
        if kind in (NoticeKind.PAID, NoticeKind.PARTLY_PAID) and not payment.get("id"):
            raise WebhookRejected(f"The Razorpay {event} webhook names no payment.")
        # Every delivery of one event carries its id in this header; without it (never seen from Razorpay),
        # the event and what it is about name it as well.
        event_id = headers.get(EVENT_ID_HEADER, "") or f"{event}:{payment.get('id') or link.get('id') or ''}"
        return GatewayNotice(
            event_id=event_id[:100],
            event=event[:64],
            kind=kind,
            gateway_link_id=str(link.get("id") or ""),
            payment_id=str(payment.get("id") or ""),
            amount=_rupees(payment.get("amount")) if payment else None,
            link_amount_paid=_rupees(link.get("amount_paid")) if link else None,
            paid_at=_moment(payment.get("created_at")),
        )
