"""What an answer leads to: outcomes that stop calls (a dispute, a wrong number, "already paid", "stop
calling me"), and final outcomes that end the calls still scheduled about the loan."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from calls.compliance import Channel, guard_check_customer
from calls.conversation import Heard
from calls.models import Call, CallStatus, CampaignStatus, WorkItemKind
from calls.services.outcomes import call_outcome_log
from calls.services.voice import voice_answered, voice_turn
from calls.tests.factories import CallFactory, CampaignFactory
from customers.models import Suppression
from customers.tests.factories import CustomerFactory, LoanFactory

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")
NEXT_DAY_NOON = datetime(2026, 11, 20, 12, 0, tzinfo=IST)


@pytest.fixture
def campaign_call():
    loan = LoanFactory(customer=CustomerFactory(phone="+919876543210"))
    campaign = CampaignFactory(status=CampaignStatus.RUNNING)
    call = CallFactory(
        campaign=campaign, customer=loan.customer, loan=loan, status=CallStatus.IN_PROGRESS, started_at=timezone.now()
    )
    later = CallFactory(
        campaign=campaign, customer=loan.customer, loan=loan, scheduled_for=timezone.now() + timedelta(days=2)
    )
    return call, later


def test_already_paid_holds_calls_about_the_loan_until_the_payment_is_checked(campaign_call):
    call, later = campaign_call

    voice_answered(call_id=call.pk)
    voice_turn(call_id=call.pk, heard=Heard(digits="1"))  # "I am the borrower"
    voice_turn(call_id=call.pk, heard=Heard(text="I have already paid"))

    suppression = Suppression.objects.get()
    assert (suppression.kind, suppression.loan, suppression.source) == ("dispute", call.loan, "outcome")
    assert suppression.reference == f"call #{call.pk}"
    assert call.work_items.get().kind == WorkItemKind.PAYMENT_CHECK
    later.refresh_from_db()
    assert later.status == CallStatus.CANCELED and "final outcome: Already paid" in later.blocked_reason
    decision = guard_check_customer(customer=call.customer, loan_id=call.loan_id, at=NEXT_DAY_NOON)
    assert (decision.code, decision.next_allowed_at) == ("dispute", None)


@pytest.mark.parametrize(
    ("code", "kind", "agent_may_call"),
    [("dispute", "dispute", False), ("wrong_number", "wrong_number", False), ("stop_calling", "stop_calling", True)],
)
def test_an_agents_outcome_stops_the_bot_at_once(agent_user, code, kind, agent_may_call):
    loan = LoanFactory(customer=CustomerFactory(phone="+919876543210"))
    scheduled = CallFactory(customer=loan.customer, loan=loan, scheduled_for=timezone.now() + timedelta(days=1))

    call_outcome_log(
        customer=loan.customer, loan=loan, disposition_code=code, actor=agent_user, note="Said on the call"
    )

    assert Suppression.objects.get().kind == kind
    assert Call.objects.get(pk=scheduled.pk).status == CallStatus.CANCELED
    bot = guard_check_customer(customer=loan.customer, loan_id=loan.pk, at=NEXT_DAY_NOON)
    agent = guard_check_customer(customer=loan.customer, loan_id=loan.pk, channel=Channel.AGENT, at=NEXT_DAY_NOON)
    assert (bot.code, bot.next_allowed_at) == (kind, None)
    assert bool(agent) is agent_may_call


def test_a_wrong_number_lapses_when_the_customer_gets_another_phone(agent_user):
    customer = CustomerFactory(phone="+919876543210")
    call_outcome_log(customer=customer, loan=None, disposition_code="wrong_number", actor=agent_user)
    assert guard_check_customer(customer=customer, at=NEXT_DAY_NOON).code == "wrong_number"

    customer.phone = "+919812345678"
    customer.save()

    assert guard_check_customer(customer=customer, at=NEXT_DAY_NOON)


def test_an_outcome_that_is_not_final_leaves_the_loans_calls_alone(agent_user):
    loan = LoanFactory()
    scheduled = CallFactory(customer=loan.customer, loan=loan, scheduled_for=timezone.now() + timedelta(days=1))

    call_outcome_log(customer=loan.customer, loan=loan, disposition_code="refused", actor=agent_user)

    assert Call.objects.get(pk=scheduled.pk).status == CallStatus.SCHEDULED
    assert not Suppression.objects.exists()


def test_an_agents_call_logged_against_the_rules_is_kept_and_flagged(agent_user):
    customer = CustomerFactory(do_not_call="Lawyer's letter")

    call = call_outcome_log(customer=customer, loan=None, disposition_code="refused", actor=agent_user)

    guard = call.events.get(kind="guard")
    assert guard.detail["code"] == "do_not_call" and guard.detail["logged_anyway"] is True
    assert call.started_at is not None  # it happened: it counts against the caps like any attempt


def test_a_suppression_set_by_an_agent_holds_until_back_office_clears_it(agent_user, back_office_user):
    from customers.suppressions import suppression_clear, suppression_set_for
    from voiceassist.common.exceptions import ApplicationError

    loan = LoanFactory(customer=CustomerFactory(phone="+919876543210"))
    dispute = suppression_set_for(
        customer=loan.customer, kind="dispute", loan=loan, reason="Letter", source="agent", actor=agent_user
    )
    assert guard_check_customer(customer=loan.customer, loan_id=loan.pk, at=NEXT_DAY_NOON).code == "dispute"
    with pytest.raises(ApplicationError):
        suppression_clear(suppression=dispute, actor=agent_user, reason="Sorted")
    assert guard_check_customer(customer=loan.customer, loan_id=loan.pk, at=NEXT_DAY_NOON).code == "dispute"

    suppression_clear(suppression=dispute, actor=back_office_user, reason="Statement sent, amount confirmed")

    assert guard_check_customer(customer=loan.customer, loan_id=loan.pk, at=NEXT_DAY_NOON)
