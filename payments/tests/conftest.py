import json
import logging
import socket
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter
from twilio.http import HttpClient
from twilio.http.response import Response as TwilioResponse

from customers.tests.factories import LoanFactory
from payments.models import Gateway, PaymentLink

FIXTURES = Path(__file__).parent / "fixtures"
RAZORPAY_LINK_ID = "plink_PxY2aB3cD4eF5g"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text()


def fixture_json(name: str) -> dict:
    return json.loads(fixture_text(name))


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test instead of reaching a real gateway or provider."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("A payments test tried to use the network.")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


class RecordedAdapter(BaseAdapter):
    """A ``requests`` transport that answers with a recorded response and keeps what it was sent."""

    def __init__(self, status: int = 200, fixture: str = "razorpay_payment_link_create.json"):
        super().__init__()
        self.status, self.body = status, (FIXTURES / fixture).read_bytes()
        self.sent: list[tuple[requests.PreparedRequest, Any]] = []

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        self.sent.append((request, timeout))
        response = requests.Response()
        response.status_code = self.status
        response._content = self.body
        response.headers["Content-Type"] = "application/json"
        response.url = request.url
        response.request = request
        return response

    def close(self) -> None:
        pass


def recorded_session(adapter: RecordedAdapter) -> requests.Session:
    session = requests.Session()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class RecordedTwilioHttpClient(HttpClient):
    """Answers every request with a recorded Twilio response, and keeps the requests it was given."""

    def __init__(self, status: int = 201, fixture: str = "twilio_message_create_response.json"):
        super().__init__(logging.getLogger("tests.twilio"), is_async=False)
        self.status, self.body = status, fixture_text(fixture)
        self.requests: list[dict] = []

    def request(self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None, **kwargs):
        self.requests.append({"method": method, "uri": uri, "data": data, "auth": auth})
        return TwilioResponse(self.status, self.body)


@pytest.fixture
def razorpay_settings(settings):
    settings.PAYMENTS_GATEWAY = "razorpay"
    settings.RAZORPAY_KEY_ID = "rzp_test_keyid0000001"
    settings.RAZORPAY_KEY_SECRET = "rzp-key-secret-abcdef"
    settings.RAZORPAY_WEBHOOK_SECRET = "rzp-webhook-secret-123"
    return settings


@pytest.fixture
def twilio_sms_settings(settings):
    settings.SMS_PROVIDER = "twilio"
    settings.TWILIO_ACCOUNT_SID = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    settings.TWILIO_AUTH_TOKEN = "twilio-auth-token-1234"
    settings.TWILIO_SMS_FROM = "+14155550199"
    settings.PUBLIC_BASE_URL = "https://collect.example.com"
    return settings


@pytest.fixture
def exotel_sms_settings(settings):
    settings.SMS_PROVIDER = "exotel"
    settings.EXOTEL_ACCOUNT_SID = "voiceassist1"
    settings.EXOTEL_API_KEY = "exotel-key-0001"
    settings.EXOTEL_API_TOKEN = "exotel-token-0001"
    settings.EXOTEL_SUBDOMAIN = "api.exotel.com"
    settings.EXOTEL_SMS_FROM = "VAFINC"
    settings.EXOTEL_WEBHOOK_TOKEN = "exotel-webhook-token"
    settings.PUBLIC_BASE_URL = "https://collect.example.com"
    return settings


@pytest.fixture
def loan(db):
    return LoanFactory(loan_id="LN0000001", outstanding_amount=Decimal("25000.00"), customer__phone="+919900000001")


@pytest.fixture
def razorpay_link(loan):
    return PaymentLink.objects.create(
        customer=loan.customer,
        loan=loan,
        gateway=Gateway.RAZORPAY,
        gateway_link_id=RAZORPAY_LINK_ID,
        short_url="https://rzp.io/rzp/Ab12Cd3",
        amount=Decimal("2500.50"),
    )
