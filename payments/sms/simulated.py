"""The simulated SMS provider (the default): every message is "delivered", reported back by a signed
delivery report handed to the same service a real provider's callback reaches (a Celery task, a little
after the message is recorded)."""

import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Mapping

from django.conf import settings
from kombu.exceptions import OperationalError as BrokerError

from .base import SentSms, SmsProvider, SmsRejected, SmsRequest, SmsStatusNotice

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "x-simulated-signature"


def _sign(body: bytes) -> str:
    return hmac.new(settings.SIMULATED_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()


class SimulatedSms(SmsProvider):
    name = "simulated"

    def send(self, request: SmsRequest) -> SentSms:
        return SentSms(provider_message_id=f"SMsim{uuid.uuid4().hex}", status="sent")

    def message_queued(self, provider_message_id: str) -> None:
        from payments.tasks import simulated_sms_report_task

        try:
            simulated_sms_report_task.apply_async((provider_message_id,), countdown=settings.SIMULATED_EVENT_DELAY)
        except (BrokerError, OSError) as exc:
            logger.warning("Simulated delivery report not queued (%s).", type(exc).__name__)

    def report(self, provider_message_id: str, status: str = "delivered") -> tuple[bytes, dict[str, str]]:
        """A delivery report as it would be posted: the raw body and the headers."""
        body = json.dumps({"message_id": provider_message_id, "status": status}).encode()
        return body, {"content-type": "application/json", SIGNATURE_HEADER: _sign(body)}

    def verify_callback(self, *, path: str, body: bytes, headers: Mapping[str, str]) -> bool:
        signature = headers.get(SIGNATURE_HEADER, "")
        if not signature or not settings.SIMULATED_WEBHOOK_SECRET:
            return False
        return hmac.compare_digest(signature.encode(), _sign(body).encode())

    def parse_callback(self, body: bytes, headers: Mapping[str, str]) -> SmsStatusNotice:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise SmsRejected("The simulated delivery report is not JSON.") from exc
        if not isinstance(data, dict) or not data.get("message_id"):
            raise SmsRejected("The simulated delivery report has no message id.")
        status = str(data.get("status") or "")
        known = ("queued", "sent", "delivered", "undelivered", "failed")
        return SmsStatusNotice(
            provider_message_id=str(data["message_id"]),
            status=status if status in known else "",
            error="The simulated carrier did not deliver it." if status in ("undelivered", "failed") else "",
        )
