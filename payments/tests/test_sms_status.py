from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from payments.models import SmsMessage, SmsStatus
from payments.services import payment_link_create
from payments.sms import SimulatedSms

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_network")]


def _message(loan, provider: str, sid: str, status: str = SmsStatus.SENT) -> SmsMessage:
    link = payment_link_create(loan=loan, amount=100, send=False)
    return SmsMessage.objects.create(
        customer=loan.customer, link=link, provider=provider, to=loan.customer.phone, language="en",
        body="x", provider_message_id=sid, status=status,
    )  # fmt: skip


def _simulated(client, sid: str, status: str, *, sign: bool = True):
    body, headers = SimulatedSms().report(sid, status)
    extra = {"HTTP_X_SIMULATED_SIGNATURE": headers["x-simulated-signature"]} if sign else {}
    return client.post("/api/v1/payments/sms/simulated/status/", data=body, content_type="application/json", **extra)


def test_simulated_reports_only_move_forward(client, loan):
    message = _message(loan, "simulated", "SMsim1")

    assert _simulated(client, "SMsim1", "delivered").json() == {"result": "applied"}
    assert _simulated(client, "SMsim1", "delivered").json() == {"result": "ignored"}  # replay
    assert _simulated(client, "SMsim1", "sent").json() == {"result": "ignored"}  # late, behind
    assert _simulated(client, "SMsim1", "failed", sign=False).status_code == 403
    message.refresh_from_db()
    assert message.status == SmsStatus.DELIVERED and message.delivered_at is not None


def test_twilio_signed_reports(client, loan, twilio_sms_settings):
    message = _message(loan, "twilio", "SM0123")
    path = f"/api/v1/payments/sms/twilio/status/?message={message.pk}"
    fields = {"MessageSid": "SM0123", "MessageStatus": "undelivered", "ErrorCode": "30006", "To": "+919900000001"}
    signature = RequestValidator("twilio-auth-token-1234").compute_signature(
        "https://collect.example.com" + path, fields
    )

    bad = client.post(path, data=urlencode(fields), content_type="application/x-www-form-urlencoded",
                      HTTP_X_TWILIO_SIGNATURE="forged")  # fmt: skip
    assert bad.status_code == 403
    good = client.post(path, data=urlencode(fields), content_type="application/x-www-form-urlencoded",
                       HTTP_X_TWILIO_SIGNATURE=signature)  # fmt: skip
    assert good.status_code == 200
    message.refresh_from_db()
    assert message.status == SmsStatus.UNDELIVERED and "landline" in message.error


def test_exotel_reports_need_the_token(client, loan, exotel_sms_settings):
    message = _message(loan, "exotel", "b7a3c0e5")
    fields = urlencode({"SmsSid": "b7a3c0e5", "Status": "sent", "DetailedStatus": "DELIVERED_TO_HANDSET"})
    form = "application/x-www-form-urlencoded"

    assert client.post("/api/v1/payments/sms/exotel/status/", data=fields, content_type=form).status_code == 403
    url = "/api/v1/payments/sms/exotel/status/?token=exotel-webhook-token"
    assert client.post(url, data=fields, content_type=form).status_code == 200
    message.refresh_from_db()
    assert message.status == SmsStatus.DELIVERED


def test_a_report_that_overtakes_our_commit_finds_the_message_by_our_id(client, loan):
    message = _message(loan, "simulated", "")
    body, headers = SimulatedSms().report("SMsim9", "delivered")
    response = client.post(
        f"/api/v1/payments/sms/simulated/status/?message={message.pk}",
        data=body,
        content_type="application/json",
        HTTP_X_SIMULATED_SIGNATURE=headers["x-simulated-signature"],
    )
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.provider_message_id == "SMsim9" and message.status == SmsStatus.DELIVERED
