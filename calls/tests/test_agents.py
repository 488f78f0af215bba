from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from calls.models import CallStatus, WorkItemKind
from calls.services.outcomes import call_outcome_log
from calls.services.work_items import callback_schedule, work_item_claim, work_item_complete, work_item_create
from calls.tests.factories import calling_day
from customers.models import Customer
from customers.services import loan_record_payment
from customers.tests.factories import CustomerFactory, LoanFactory
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.roles import AGENT
from voiceassist.common.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")


def test_two_agents_cannot_take_the_same_follow_up(agent_user):
    other = UserFactory(role=AGENT)
    item = work_item_create(kind=WorkItemKind.CALLBACK, customer=CustomerFactory())

    work_item_claim(item=item, agent=agent_user)
    work_item_claim(item=item, agent=agent_user)  # again: harmless
    with pytest.raises(ApplicationError, match="already took this one"):
        work_item_claim(item=item, agent=other)

    done = work_item_complete(item=item, agent=agent_user, note="Spoke, will pay Friday")
    assert done.done_at is not None and done.note == "Spoke, will pay Friday"
    with pytest.raises(ApplicationError, match="already done"):
        work_item_claim(item=item, agent=agent_user)


def test_an_agent_logs_the_outcome_of_their_own_call(agent_user):
    loan = LoanFactory()

    call = call_outcome_log(
        customer=loan.customer,
        loan=loan,
        disposition_code="dispute",
        actor=agent_user,
        note="Says the EMI was debited twice",
    )

    assert call.status == CallStatus.COMPLETED and call.provider == "manual"
    assert call.disposition.code == "dispute"
    assert call.work_items.get().kind == WorkItemKind.DISPUTE
    with pytest.raises(ApplicationError, match="not a conversation outcome"):
        call_outcome_log(customer=loan.customer, loan=loan, disposition_code="busy", actor=agent_user)


def test_a_do_not_call_request_on_an_agents_call_takes_effect(agent_user):
    customer = CustomerFactory()
    call = call_outcome_log(
        customer=customer, loan=None, disposition_code="do_not_call", actor=agent_user, note="Lawyer"
    )
    customer = Customer.objects.with_do_not_call().get(pk=customer.pk)
    assert customer.do_not_call and customer.do_not_call_reason == "Lawyer"
    suppression = customer.suppressions.get()
    assert (suppression.source, suppression.reference, suppression.created_by) == (
        "agent",
        f"call #{call.pk}",
        agent_user,
    )


def test_callbacks_outside_the_legal_window_are_refused_with_the_reason(agent_user):
    customer = CustomerFactory(phone="+919876543210")
    tomorrow = calling_day()

    with pytest.raises(ApplicationError, match="08:00–19:00"):
        callback_schedule(
            customer=customer,
            loan=None,
            at=datetime.combine(tomorrow, datetime.min.time().replace(hour=21), tzinfo=IST),
            actor=agent_user,
        )

    item = callback_schedule(
        customer=customer,
        loan=None,
        at=datetime.combine(tomorrow, datetime.min.time().replace(hour=11), tzinfo=IST),
        actor=agent_user,
        note="Call after salary",
    )
    assert item.kind == WorkItemKind.CALLBACK


def test_a_payment_lowers_the_outstanding_amount_once_per_reference(back_office_user):
    loan = LoanFactory(outstanding_amount=Decimal("5000.00"))

    loan_record_payment(
        loan=loan, amount=Decimal("1500"), paid_on=date(2026, 11, 20), reference="UTR1", actor=back_office_user
    )
    with pytest.raises(ApplicationError, match="already recorded"):
        loan_record_payment(
            loan=loan, amount=Decimal("1500"), paid_on=date(2026, 11, 20), reference="UTR1", actor=back_office_user
        )
    loan_record_payment(
        loan=loan, amount=Decimal("9000"), paid_on=date(2026, 11, 21), reference="UTR2", actor=back_office_user
    )

    loan.refresh_from_db()
    assert loan.outstanding_amount == Decimal("0.00") and loan.status == "settled"
    assert loan.payments.count() == 2


def test_a_payment_dated_in_the_future_is_refused(back_office_user):
    loan = LoanFactory(outstanding_amount=Decimal("5000.00"))
    with pytest.raises(ApplicationError, match="in the future"):
        loan_record_payment(
            loan=loan, amount=Decimal("10"), paid_on=timezone.localdate() + timedelta(days=1), actor=back_office_user
        )
    loan.refresh_from_db()
    assert loan.outstanding_amount == Decimal("5000.00")
