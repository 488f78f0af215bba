from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from calls.services.promises import promise_create
from customers.models import Payment, PaymentSource
from payments.models import GatewayEvent, LinkStatus, PaymentLink, SmsStatus
from payments.services import promise_link_send, simulated_link_pay

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_network", "eager_tasks")]


def test_a_promise_gets_one_link_texted_and_delivered(loan, settings, django_capture_on_commit_callbacks):
    settings.SIMULATED_PAYMENT_SHARE = 0.0  # this test is about the link and its text, not the money

    with django_capture_on_commit_callbacks(execute=True):
        promise = promise_create(
            loan=loan, amount=Decimal("5000"), promised_date=timezone.localdate() + timedelta(days=2)
        )

    link = PaymentLink.objects.get()
    assert link.promise == promise and link.automatic and link.amount == Decimal("5000.00")
    [message] = link.messages.all()
    assert message.status == SmsStatus.DELIVERED and "Rs. 5,000" in message.body and link.short_url in message.body
    # Again (a redelivered task): nothing new.
    assert promise_link_send(promise_id=promise.pk) is None
    assert PaymentLink.objects.count() == 1 and link.messages.count() == 1


def test_the_simulated_gateway_pays_through_the_webhook_path(loan, settings, django_capture_on_commit_callbacks):
    settings.SIMULATED_PAYMENT_SHARE = 1.0

    with django_capture_on_commit_callbacks(execute=True):
        promise_create(loan=loan, amount=Decimal("5000"), promised_date=timezone.localdate() + timedelta(days=2))

    link = PaymentLink.objects.get()
    event = GatewayEvent.objects.get(gateway="simulated")
    payment = Payment.objects.get(loan=loan)
    assert payment.source == PaymentSource.GATEWAY and payment.gateway == "simulated"
    assert payment.reference == event.detail["payment_id"]
    assert link.status in (LinkStatus.PAID, LinkStatus.PARTLY_PAID) and link.amount_paid == payment.amount
    # Played again (a redelivered task): the same seeded events, already applied.
    simulated_link_pay(gateway_link_id=link.gateway_link_id)
    assert Payment.objects.filter(loan=loan).count() == 1


def test_no_link_for_a_loan_that_owes_nothing_now(loan, settings):
    settings.PAYMENTS_LINK_ON_PROMISE = False
    promise = promise_create(loan=loan, amount=Decimal("5000"), promised_date=timezone.localdate() + timedelta(days=2))
    loan.outstanding_amount = Decimal("0")
    loan.save()
    assert promise_link_send(promise_id=promise.pk) is None
    assert not PaymentLink.objects.exists()
