import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from payments.gateways import GatewayError, LinkRequest, NoticeKind, RazorpayGateway, SimulatedGateway

from .conftest import RAZORPAY_LINK_ID, RecordedAdapter, fixture_text, recorded_session

pytestmark = pytest.mark.usefixtures("no_network")

REQUEST = LinkRequest(
    reference="va-1-0123456789abcdef",
    amount=Decimal("2500.50"),
    currency="INR",
    description="VoiceAssist Finance: payment on loan LN0000001",
    customer_name="Asha Rao",
    customer_phone="+919900000001",
    expires_at=datetime(2026, 1, 12, 8, 0, tzinfo=UTC),
    notes={"loan_id": "LN0000001", "promise_id": 7},
)


def _sign(body: bytes, secret: str = "rzp-webhook-secret-123") -> str:  # noqa: S107 (a test secret)
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_razorpay_create_link_sends_the_documented_request(razorpay_settings):
    adapter = RecordedAdapter()
    created = RazorpayGateway(session=recorded_session(adapter)).create_link(REQUEST)

    assert created.gateway_link_id == RAZORPAY_LINK_ID
    assert created.short_url == "https://rzp.io/rzp/Ab12Cd3"
    assert created.expires_at == datetime.fromtimestamp(1768204800, tz=UTC)
    [(sent, timeout)] = adapter.sent
    assert sent.method == "POST" and sent.url == "https://api.razorpay.com/v1/payment_links"
    assert timeout == 10
    credentials = base64.b64encode(b"rzp_test_keyid0000001:rzp-key-secret-abcdef").decode()
    assert sent.headers["Authorization"] == f"Basic {credentials}"
    body = json.loads(sent.body)
    assert body["amount"] == 250050 and body["currency"] == "INR"  # paise
    assert body["reference_id"] == "va-1-0123456789abcdef"
    assert body["description"] == REQUEST.description
    assert body["customer"] == {"name": "Asha Rao", "contact": "+919900000001"}
    assert body["notify"] == {"sms": False, "email": False}
    assert body["reminder_enable"] is False
    assert body["expire_by"] == int(REQUEST.expires_at.timestamp())
    assert body["notes"] == {"loan_id": "LN0000001", "promise_id": "7"}


def test_razorpay_refusal_is_a_gateway_error_without_secrets(razorpay_settings):
    adapter = RecordedAdapter(status=400, fixture="razorpay_error_bad_request.json")
    with pytest.raises(GatewayError, match="expire_by should be at least 15 minutes") as caught:
        RazorpayGateway(session=recorded_session(adapter)).create_link(REQUEST)
    assert "rzp-key-secret" not in str(caught.value)


def test_razorpay_not_configured(razorpay_settings):
    razorpay_settings.RAZORPAY_KEY_SECRET = ""
    with pytest.raises(GatewayError, match="RAZORPAY_KEY_SECRET"):
        RazorpayGateway().create_link(REQUEST)


@pytest.mark.parametrize(
    ("headers", "valid"),
    [
        (lambda body: {"x-razorpay-signature": _sign(body)}, True),
        (lambda body: {"x-razorpay-signature": _sign(body, "another-secret")}, False),
        (lambda body: {"x-razorpay-signature": _sign(body + b" ")}, False),
        (lambda body: {}, False),
    ],
)
def test_razorpay_webhook_signature(razorpay_settings, headers, valid):
    body = fixture_text("razorpay_webhook_paid.json").encode()
    assert RazorpayGateway().verify_webhook(body, headers(body)) is valid


def test_razorpay_no_webhook_secret_verifies_nothing(razorpay_settings):
    body = fixture_text("razorpay_webhook_paid.json").encode()
    razorpay_settings.RAZORPAY_WEBHOOK_SECRET = ""
    assert RazorpayGateway().verify_webhook(body, {"x-razorpay-signature": _sign(body, "")}) is False


def test_razorpay_parse_paid():
    body = fixture_text("razorpay_webhook_paid.json").encode()
    notice = RazorpayGateway().parse_webhook(body, {"x-razorpay-event-id": "evt_1"})
    assert notice.event_id == "evt_1" and notice.kind == NoticeKind.PAID
    assert notice.gateway_link_id == RAZORPAY_LINK_ID and notice.payment_id == "pay_PxY4Ab5Cd6Ef7g"
    assert notice.amount == Decimal("2500.50") and notice.link_amount_paid == Decimal("2500.50")
    assert notice.paid_at == datetime.fromtimestamp(1767609995, tz=UTC)


def test_simulated_gateway_links_and_seeded_outcomes(settings):
    settings.SIMULATED_PAYMENT_SHARE = 0.5
    gateway = SimulatedGateway()
    created = gateway.create_link(REQUEST)
    assert created.short_url == f"https://pay.simulated.invalid/{created.gateway_link_id}"

    outcomes = [
        [
            json.loads(d.body)["event"]
            for d in gateway.deliveries_for(gateway_link_id=f"plink_sim_{n}", amount=Decimal(1000))
        ]
        for n in range(400)
    ]
    paid = sum(1 for events in outcomes if events)
    assert 150 <= paid <= 250  # about half
    assert any(events == ["payment_link.partially_paid"] for events in outcomes)
    assert any(events == ["payment_link.paid"] for events in outcomes)
    again = [
        [
            json.loads(d.body)["event"]
            for d in gateway.deliveries_for(gateway_link_id=f"plink_sim_{n}", amount=Decimal(1000))
        ]
        for n in range(400)
    ]
    assert again == outcomes  # the same seed and link: the same outcome
