import base64
import json
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from calls.tests.factories import PromiseFactory
from payments.gateways import GATEWAYS, RazorpayGateway
from payments.models import LinkStatus, SmsMessage, SmsStatus
from payments.services import payment_link_create, sms_send_link, sms_text
from payments.sms import SMS_PROVIDERS, ExotelSms, TwilioSms
from voiceassist.common.exceptions import ApplicationError

from .conftest import RAZORPAY_LINK_ID, RecordedAdapter, RecordedTwilioHttpClient, recorded_session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_network")]


@pytest.fixture
def recorded_razorpay(razorpay_settings, monkeypatch):
    adapter = RecordedAdapter()
    # Razorpay echoes the expiry it was sent; the recording's own date has passed.
    recorded = json.loads(adapter.body)
    recorded["expire_by"] = int((timezone.now() + timedelta(days=7)).timestamp())
    adapter.body = json.dumps(recorded).encode()
    monkeypatch.setitem(GATEWAYS, "razorpay", lambda: RazorpayGateway(session=recorded_session(adapter)))
    return adapter


@pytest.fixture
def recorded_twilio(twilio_sms_settings, monkeypatch):
    http = RecordedTwilioHttpClient()
    monkeypatch.setitem(SMS_PROVIDERS, "twilio", lambda: TwilioSms(http_client=http))
    return http


def test_a_promise_link_through_razorpay_texted_by_twilio(loan, recorded_razorpay, recorded_twilio):
    promise = PromiseFactory(loan=loan, amount=Decimal("2500.50"))

    link = payment_link_create(loan=loan, promise=promise)

    assert link.gateway == "razorpay" and link.gateway_link_id == RAZORPAY_LINK_ID
    assert link.amount == Decimal("2500.50") and link.status == LinkStatus.CREATED
    [(sent, _)] = recorded_razorpay.sent
    body = json.loads(sent.body)
    assert body["amount"] == 250050 and body["notes"]["promise_id"] == str(promise.pk)
    [request] = recorded_twilio.requests
    assert request["method"] == "POST"
    assert (
        request["uri"] == "https://api.twilio.com/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages.json"
    )
    assert request["auth"] == ("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "twilio-auth-token-1234")
    assert request["data"]["To"] == "+919900000001" and request["data"]["From"] == "+14155550199"
    promised = f"{promise.promised_date.day} {promise.promised_date:%b %Y}"
    assert request["data"]["Body"] == (
        f"VoiceAssist Finance: As promised, please pay Rs. 2,500.50 on loan LN0000001 by {promised}. "
        "Pay securely: https://rzp.io/rzp/Ab12Cd3"
    )
    message = SmsMessage.objects.get()
    assert request["data"]["StatusCallback"] == (
        f"https://collect.example.com/api/v1/payments/sms/twilio/status/?message={message.pk}"
    )
    assert message.provider_message_id == "SM0123456789abcdef0123456789abcdef"
    assert message.status == SmsStatus.QUEUED and message.language == "en" and message.link == link


def test_twilio_refusal_leaves_a_failed_message_a_clerk_can_read(loan, razorpay_link, twilio_sms_settings, monkeypatch):
    http = RecordedTwilioHttpClient(status=400, fixture="twilio_message_error_21408.json")
    monkeypatch.setitem(SMS_PROVIDERS, "twilio", lambda: TwilioSms(http_client=http))

    message = sms_send_link(link=razorpay_link)

    assert message.status == SmsStatus.FAILED
    assert "Geo permissions" in message.error and "+9199" not in message.error


def test_exotel_hindi_text(loan, razorpay_link, exotel_sms_settings, monkeypatch):
    loan.customer.preferred_language = "hi"
    loan.customer.save()
    adapter = RecordedAdapter(fixture="exotel_sms_send_response.json")
    monkeypatch.setitem(SMS_PROVIDERS, "exotel", lambda: ExotelSms(session=recorded_session(adapter)))

    message = sms_send_link(link=razorpay_link)

    [(sent, timeout)] = adapter.sent
    assert sent.url == "https://api.exotel.com/v1/Accounts/voiceassist1/Sms/send.json" and timeout == 10
    assert sent.headers["Authorization"] == "Basic " + base64.b64encode(b"exotel-key-0001:exotel-token-0001").decode()
    form = {key: values[0] for key, values in parse_qs(sent.body).items()}
    assert form["From"] == "VAFINC" and form["To"] == "+919900000001" and form["EncodingType"] == "unicode"
    assert (
        form["Body"]
        == "VoiceAssist Finance: कृपया ऋण LN0000001 के ₹2,500.50 चुकाएँ। सुरक्षित भुगतान: https://rzp.io/rzp/Ab12Cd3"
    )
    assert form["StatusCallback"] == (
        f"https://collect.example.com/api/v1/payments/sms/exotel/status/?message={message.pk}&token=exotel-webhook-token"
    )
    assert message.provider_message_id == "b7a3c0e5f1d24c0f9a1e2d3c4b5a6f7e" and message.language == "hi"


def test_exotel_refused_credentials(loan, razorpay_link, exotel_sms_settings, monkeypatch):
    adapter = RecordedAdapter(status=401, fixture="exotel_error_401.json")
    monkeypatch.setitem(SMS_PROVIDERS, "exotel", lambda: ExotelSms(session=recorded_session(adapter)))
    message = sms_send_link(link=razorpay_link)
    assert message.status == SmsStatus.FAILED and "EXOTEL_API_KEY" in message.error


def test_other_languages_get_english_and_hindi_dates(loan, razorpay_link):
    loan.customer.preferred_language = "ta"
    assert sms_text(link=razorpay_link)[0] == "en"
    promise = PromiseFactory(loan=loan, promised_date=timezone.localdate().replace(month=1, day=15))
    razorpay_link.promise = promise
    loan.customer.preferred_language = "hi"
    language, body = sms_text(link=razorpay_link)
    assert language == "hi" and "15 जनवरी" in body and "आपके वादे के अनुसार" in body


def test_a_customer_without_a_mobile_number(loan, razorpay_link):
    loan.customer.phone = "+912223456789"  # a Mumbai landline
    loan.customer.save()

    message = sms_send_link(link=razorpay_link)

    assert message.status == SmsStatus.FAILED and "no mobile number" in message.error


def test_closed_links_are_not_sent(razorpay_link):
    razorpay_link.status = LinkStatus.PAID
    razorpay_link.save()
    with pytest.raises(ApplicationError, match="paid in full"):
        sms_send_link(link=razorpay_link)
    razorpay_link.status, razorpay_link.expires_at = LinkStatus.CREATED, timezone.now() - timedelta(minutes=1)
    razorpay_link.save()
    with pytest.raises(ApplicationError, match="expired"):
        sms_send_link(link=razorpay_link)
    assert not SmsMessage.objects.exists()


def test_amount_rules(loan):
    with pytest.raises(ApplicationError, match="more than loan LN0000001 owes"):
        payment_link_create(loan=loan, amount=Decimal("25000.01"))
    with pytest.raises(ApplicationError, match="another loan"):
        payment_link_create(loan=loan, promise=PromiseFactory())
    link = payment_link_create(loan=loan, send=False)
    assert link.amount == Decimal("25000.00") and link.gateway == "simulated"
    assert link.short_url == f"https://pay.simulated.invalid/{link.gateway_link_id}"
