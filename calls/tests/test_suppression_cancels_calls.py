"""A suppression that ends the bot's calls cancels the customer's calls not yet dialled as soon as it is set."""

import pytest

from calls.models import CallEvent, CallStatus
from calls.tests.factories import CallFactory, calling_day_at
from customers.suppressions import suppression_set_for
from customers.tests.factories import CustomerFactory, LoanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def suppress(agent_user, django_capture_on_commit_callbacks):
    """Set a suppression as an agent does, running what its commit announces."""

    def set_it(customer, kind, reason="Asked never to be called", loan=None):
        with django_capture_on_commit_callbacks(execute=True):
            return suppression_set_for(
                customer=customer, kind=kind, reason=reason, loan=loan, source="agent", actor=agent_user
            )

    return set_it


def _calls(customer, loan, *statuses):
    return [
        CallFactory(customer=customer, loan=loan, status=status, scheduled_for=calling_day_at(11))
        for status in statuses
    ]


@pytest.mark.parametrize(
    ("kind", "code"),
    [("do_not_call", "do_not_call"), ("stop_calling", "stop_calling"), ("dispute", "dispute")],
)
def test_scheduled_and_queued_calls_are_canceled_at_once_with_the_reason(suppress, kind, code):
    loan = LoanFactory()
    scheduled, queued, dialing, done = _calls(
        loan.customer, loan, CallStatus.SCHEDULED, CallStatus.QUEUED, CallStatus.DIALING, CallStatus.COMPLETED
    )
    other_customers = CallFactory(scheduled_for=calling_day_at(11))

    suppression = suppress(loan.customer, kind)

    for call in (scheduled, queued):
        call.refresh_from_db()
        assert call.status == CallStatus.CANCELED and call.ended_at is not None
        assert call.blocked_code == code
        assert call.blocked_reason == f"Calls stopped: {suppression}"
        event = CallEvent.objects.get(call=call, kind="status", status=CallStatus.CANCELED)
        assert event.detail["suppression"] == suppression.pk and event.detail["code"] == code
    # On the line or over: the provider's to end, not ours.
    for call, status in ((dialing, CallStatus.DIALING), (done, CallStatus.COMPLETED)):
        call.refresh_from_db()
        assert call.status == status
    other_customers.refresh_from_db()
    assert other_customers.status == CallStatus.SCHEDULED


def test_a_dispute_on_one_loan_cancels_its_calls_and_those_about_every_loan_only(suppress):
    customer = CustomerFactory()
    disputed, other = LoanFactory(customer=customer), LoanFactory(customer=customer)
    [about_disputed] = _calls(customer, disputed, CallStatus.QUEUED)
    [about_all] = _calls(customer, None, CallStatus.SCHEDULED)
    [about_other] = _calls(customer, other, CallStatus.QUEUED)

    suppress(customer, "dispute", reason="Says the EMI was debited twice", loan=disputed)

    for call in (about_disputed, about_all, about_other):
        call.refresh_from_db()
    assert about_disputed.status == about_all.status == CallStatus.CANCELED
    assert about_disputed.blocked_reason == f"Calls stopped: Dispute on loan {disputed}: Says the EMI was debited twice"
    assert about_other.status == CallStatus.QUEUED and about_other.blocked_code == ""


def test_a_wrong_number_cancels_the_calls_to_that_number_only(suppress):
    loan = LoanFactory()
    [to_the_number] = _calls(loan.customer, loan, CallStatus.QUEUED)
    to_another = CallFactory(customer=loan.customer, loan=loan, phone_dialled="+919812345678", status=CallStatus.QUEUED)

    suppress(loan.customer, "wrong_number", reason="A shop answered")

    to_the_number.refresh_from_db()
    to_another.refresh_from_db()
    assert to_the_number.status == CallStatus.CANCELED and to_the_number.blocked_code == "wrong_number"
    assert to_another.status == CallStatus.QUEUED
