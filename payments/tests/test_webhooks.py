import hashlib
import hmac
import json
from datetime import date
from decimal import Decimal

import pytest

from customers.models import Payment, PaymentSource
from customers.services import loan_record_payment
from payments.models import GatewayEvent, LinkStatus
from voiceassist.common.models import AuditEvent

from .conftest import fixture_json

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_network", "razorpay_settings")]

URL = "/api/v1/payments/webhooks/razorpay/"


TEST_SECRET = "rzp-webhook-secret-123"  # noqa: S105 (the test settings' secret)


def _post(client, body: dict | bytes, *, event_id: str = "evt_1", secret: str | None = TEST_SECRET):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"HTTP_X_RAZORPAY_EVENT_ID": event_id}
    if secret is not None:
        headers["HTTP_X_RAZORPAY_SIGNATURE"] = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return client.post(URL, data=raw, content_type="application/json", **headers)


def _partial(payment_id: str, paise: int, link_paid: int) -> dict:
    body = fixture_json("razorpay_webhook_partially_paid.json")
    body["payload"]["payment"]["entity"].update(id=payment_id, amount=paise)
    body["payload"]["payment_link"]["entity"]["amount_paid"] = link_paid
    return body


def test_paid_records_the_payment_once_and_closes_the_link(client, razorpay_link):
    response = _post(client, fixture_json("razorpay_webhook_paid.json"))

    assert response.status_code == 200 and response.json() == {"result": "applied"}
    payment = Payment.objects.get(loan=razorpay_link.loan)
    assert payment.reference == "pay_PxY4Ab5Cd6Ef7g" and payment.amount == Decimal("2500.50")
    assert payment.source == PaymentSource.GATEWAY and payment.gateway == "razorpay"
    assert payment.paid_at is not None and payment.paid_at.timestamp() == 1767609995
    razorpay_link.refresh_from_db()
    razorpay_link.loan.refresh_from_db()
    assert razorpay_link.status == LinkStatus.PAID and razorpay_link.amount_paid == Decimal("2500.50")
    assert razorpay_link.loan.outstanding_amount == Decimal("22499.50")
    event = GatewayEvent.objects.get()
    assert event.event_id == "evt_1" and event.kind == "payment_link.paid" and event.detail["recorded"] is True
    assert "vpa" not in json.dumps(event.detail)  # no payer's account details kept
    assert AuditEvent.objects.filter(action="payment_link.paid", target_id=str(razorpay_link.pk)).exists()


def test_a_replay_changes_nothing(client, razorpay_link):
    body = fixture_json("razorpay_webhook_paid.json")
    _post(client, body)
    again = _post(client, body)
    # The same payment under another event id (a resent event) is not counted twice either.
    other = _post(client, body, event_id="evt_2")

    assert again.json() == {"result": "ignored"} and other.status_code == 200
    assert Payment.objects.count() == 1
    razorpay_link.loan.refresh_from_db()
    assert razorpay_link.loan.outstanding_amount == Decimal("22499.50")


@pytest.mark.parametrize("secret", ["a-wrong-secret", None])
def test_a_bad_or_missing_signature_is_refused_and_changes_nothing(client, razorpay_link, secret):
    response = _post(client, fixture_json("razorpay_webhook_paid.json"), secret=secret)

    assert response.status_code == 403
    assert set(response.json()["error"]) == {"code", "message", "details"}
    assert not Payment.objects.exists() and not GatewayEvent.objects.exists()
    razorpay_link.refresh_from_db()
    assert razorpay_link.status == LinkStatus.CREATED


def test_unknown_gateway_and_unreadable_body(client, razorpay_link):
    assert (
        client.post("/api/v1/payments/webhooks/paypal/", data=b"{}", content_type="application/json").status_code == 404
    )
    assert _post(client, b"not json").status_code == 400
    assert _post(client, {"event": "payment_link.paid", "payload": {}}).status_code == 400
    assert not GatewayEvent.objects.exists()


def test_partial_payments_then_paid(client, razorpay_link):
    _post(client, _partial("pay_part1", 100000, 100000), event_id="evt_p1")
    razorpay_link.refresh_from_db()
    assert razorpay_link.status == LinkStatus.PARTLY_PAID and razorpay_link.amount_paid == Decimal("1000.00")

    paid = fixture_json("razorpay_webhook_paid.json")
    paid["payload"]["payment"]["entity"]["amount"] = 150050
    _post(client, paid, event_id="evt_p2")

    razorpay_link.refresh_from_db()
    razorpay_link.loan.refresh_from_db()
    assert razorpay_link.status == LinkStatus.PAID and razorpay_link.amount_paid == Decimal("2500.50")
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [Decimal("1000.00"), Decimal("1500.50")]
    assert razorpay_link.loan.outstanding_amount == Decimal("22499.50")


def test_out_of_order_events_never_move_the_link_back(client, razorpay_link):
    _post(client, fixture_json("razorpay_webhook_paid.json"), event_id="evt_paid")
    _post(client, fixture_json("razorpay_webhook_expired.json"), event_id="evt_expired")
    # A part payment reported late: recorded (its own payment), the link stays paid.
    _post(client, _partial("pay_late", 10000, 10000), event_id="evt_late")

    razorpay_link.refresh_from_db()
    assert razorpay_link.status == LinkStatus.PAID and razorpay_link.amount_paid == Decimal("2500.50")
    assert Payment.objects.count() == 2
    assert GatewayEvent.objects.count() == 3


def test_expired_then_a_late_payment_counts(client, razorpay_link):
    _post(client, fixture_json("razorpay_webhook_expired.json"), event_id="evt_expired")
    razorpay_link.refresh_from_db()
    assert razorpay_link.status == LinkStatus.EXPIRED
    _post(client, fixture_json("razorpay_webhook_paid.json"), event_id="evt_paid")
    razorpay_link.refresh_from_db()
    assert razorpay_link.status == LinkStatus.PAID and Payment.objects.count() == 1


def test_a_payment_the_lenders_file_recorded_first_is_not_counted_twice(client, razorpay_link):
    loan = razorpay_link.loan
    loan_record_payment(
        loan=loan,
        amount=Decimal("2500.50"),
        paid_on=date(2026, 1, 5),
        reference="pay_PxY4Ab5Cd6Ef7g",
        actor=None,
        source=PaymentSource.UPLOAD,
    )

    response = _post(client, fixture_json("razorpay_webhook_paid.json"))

    assert response.status_code == 200
    assert Payment.objects.filter(loan=loan).count() == 1
    assert Payment.objects.get().source == PaymentSource.UPLOAD
    loan.refresh_from_db()
    razorpay_link.refresh_from_db()
    assert loan.outstanding_amount == Decimal("22499.50")
    assert razorpay_link.status == LinkStatus.PAID  # the link was paid, whoever reported the money first
    assert GatewayEvent.objects.get().detail["already_recorded"] is True


def test_an_event_about_a_link_we_do_not_know_is_kept_and_ignored(client, db):
    response = _post(client, fixture_json("razorpay_webhook_paid.json"))
    assert response.json() == {"result": "ignored"}
    assert GatewayEvent.objects.get().detail == {"ignored": "unknown link"}
    assert not Payment.objects.exists()
