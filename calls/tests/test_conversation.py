"""The bot's conversation, turn by turn, through the service every provider reaches (``calls.services.voice``).

What matters to a borrower and a compliance officer: nothing about a debt is said before the right-party
check passes; overdue is said as overdue; what was understood is confirmed back and then acted on.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from calls.conversation import PROMPT_KEYS, PROMPTS, Heard
from calls.models import AnsweredBy, Call, CallStatus, MachineMessage, PromiseToPay, WorkItem, WorkItemKind
from calls.services.voice import voice_answered, voice_machine, voice_turn
from calls.tests.factories import CallFactory, CampaignFactory
from customers.models import Suppression, SuppressionKind
from customers.tests.factories import CustomerFactory, LoanFactory

pytestmark = pytest.mark.django_db

# Anything that would tell a stranger (or a voicemail box) about a debt: an amount, a loan, a due date.
DEBT_WORDS = re.compile(r"₹|\$|rupee|रुपये|loan|लोन|due|देय|outstanding|बकाया|debt|ऋण|\d{3,}", re.IGNORECASE)


def _local_today(customer) -> object:
    from calls.compliance.jurisdiction import jurisdiction_for

    return timezone.now().astimezone(jurisdiction_for(customer.phone, customer.state).home_zone).date()


def _live_call(*, language="en", phone=None, campaign=None, loans=1, loan_kwargs=None, **customer_kwargs) -> Call:
    customer = CustomerFactory(
        full_name=customer_kwargs.pop("full_name", "Ravi Kumar"),
        preferred_language=language,
        **({"phone": phone} if phone else {}),
        **customer_kwargs,
    )
    made = [LoanFactory(customer=customer, loan_id=f"LN00{4321 + i}", **(loan_kwargs or {})) for i in range(loans)]
    return CallFactory(
        customer=customer,
        loan=made[0] if loans == 1 else None,
        campaign=campaign,
        status=CallStatus.IN_PROGRESS,
        provider_call_id=f"sim-test-{customer.pk}",
        answered_by=AnsweredBy.HUMAN,
    )


def _said(reply) -> str:
    return " ".join(reply.say)


def test_every_language_has_every_prompt():
    for language, prompts in PROMPTS.items():
        assert set(prompts) == set(PROMPT_KEYS), language


def test_the_greeting_names_the_lender_and_the_borrower_and_no_debt():
    call = _live_call()
    reply = voice_answered(call_id=call.pk)
    assert reply.listen and reply.step == "greeting"
    assert "Ravi" in _said(reply)
    assert not DEBT_WORDS.search(_said(reply))


def test_right_party_hears_the_debt_overdue_as_was_due():
    call = _live_call(loan_kwargs={"due_date": timezone.localdate() - timedelta(days=9)})
    voice_answered(call_id=call.pk)
    reply = voice_turn(call_id=call.pk, heard=Heard(text="yes speaking"))
    assert reply.step == "ask"
    assert "₹25,000" in _said(reply)
    assert "was due on" in _said(reply)
    assert "When can you pay?" in _said(reply)


def test_a_loan_not_yet_due_is_said_as_due():
    call = _live_call(loan_kwargs={"due_date": timezone.localdate() + timedelta(days=5)})
    voice_answered(call_id=call.pk)
    reply = voice_turn(call_id=call.pk, heard=Heard(text="yes"))
    assert "was due" not in _said(reply) and "due on" in _said(reply)


def test_a_promise_is_confirmed_back_then_recorded_with_its_amount_and_date():
    call = _live_call()
    voice_answered(call_id=call.pk)
    voice_turn(call_id=call.pk, heard=Heard(text="yes"))
    reply = voice_turn(call_id=call.pk, heard=Heard(text="I will pay 12500 tomorrow"))
    tomorrow = _local_today(call.customer) + timedelta(days=1)
    assert reply.step == "confirm"
    assert "₹12,500" in _said(reply) and str(tomorrow.day) in _said(reply)
    assert not PromiseToPay.objects.exists()  # nothing until they say yes
    reply = voice_turn(call_id=call.pk, heard=Heard(text="yes that's right"))
    assert reply.ends
    promise = PromiseToPay.objects.get()
    assert promise.amount == Decimal("12500") and promise.promised_date == tomorrow
    call.refresh_from_db()
    assert call.disposition.code == "promise_to_pay"


def test_a_promise_without_a_date_asks_for_the_date():
    call = _live_call()
    voice_answered(call_id=call.pk)
    voice_turn(call_id=call.pk, heard=Heard(text="yes"))
    reply = voice_turn(call_id=call.pk, heard=Heard(text="okay I will pay"))
    assert reply.step == "ask_date"
    reply = voice_turn(call_id=call.pk, heard=Heard(text="day after tomorrow"))
    assert reply.step == "confirm"


def test_no_at_the_confirmation_asks_again_and_a_new_figure_is_confirmed():
    call = _live_call()
    voice_answered(call_id=call.pk)
    voice_turn(call_id=call.pk, heard=Heard(text="yes"))
    voice_turn(call_id=call.pk, heard=Heard(text="I will pay 5000 tomorrow"))
    reply = voice_turn(call_id=call.pk, heard=Heard(text="no"))
    assert reply.step == "ask"
    reply = voice_turn(call_id=call.pk, heard=Heard(text="I will pay 8000 tomorrow"))
    assert "₹8,000" in _said(reply)


def test_an_amount_above_the_outstanding_is_not_accepted():
    call = _live_call()
    voice_answered(call_id=call.pk)
    voice_turn(call_id=call.pk, heard=Heard(text="yes"))
    reply = voice_turn(call_id=call.pk, heard=Heard(text="I will pay 9,99,999 tomorrow"))
    assert reply.step == "ask" and "₹25,000" in _said(reply)


def test_a_date_beyond_the_horizon_goes_to_an_agent(settings):
    settings.PROMISE_HORIZON_DAYS = 30
    call = _live_call()
    far = _local_today(call.customer) + timedelta(days=60)
    voice_answered(call_id=call.pk)
    voice_turn(call_id=call.pk, heard=Heard(text="yes"))
    voice_turn(call_id=call.pk, heard=Heard(text=f"I will pay 5000 on {far:%d/%m/%Y}"))
    reply = voice_turn(call_id=call.pk, heard=Heard(text="yes"))
    assert reply.ends
    assert not PromiseToPay.objects.exists()
    assert WorkItem.objects.get().kind == WorkItemKind.PROMISE_REVIEW


@pytest.mark.parametrize(
    "text, language",
    [("No, he is not at home.", "en"), ("nahi, woh ghar pe nahi hain", "hi"), ("नहीं, वो घर पर नहीं हैं", "hi")],
)
def test_someone_else_hears_no_debt_and_is_asked_to_pass_on_the_callback_number(text, language, settings):
    settings.VOICE_CALLBACK_NUMBER = "18005550100"
    call = _live_call(language=language)
    greeting = voice_answered(call_id=call.pk)
    reply = voice_turn(call_id=call.pk, heard=Heard(text=text))
    assert reply.ends
    for said in (*greeting.say, *reply.say):
        assert not re.search(r"₹|rupee|रुपये|loan|लोन|due|देय|बकाया", said, re.IGNORECASE), said
    assert "1 8 0 0 5 5 5 0 1 0 0" in _said(reply)
    call.refresh_from_db()
    assert call.disposition.code == "not_available"
    assert not call.disposition.is_right_party_contact


def test_wrong_number_suppresses_that_phone():
    call = _live_call()
    voice_answered(call_id=call.pk)
    voice_turn(call_id=call.pk, heard=Heard(text="wrong number, nobody by that name here"))
    suppression = Suppression.objects.get(customer=call.customer)
    assert suppression.kind == SuppressionKind.WRONG_NUMBER and suppression.phone == call.customer.phone


def test_unclear_is_asked_again_then_offered_the_keypad_then_goodbye():
    call = _live_call()
    voice_answered(call_id=call.pk)
    voice_turn(call_id=call.pk, heard=Heard(text="yes"))
    again = voice_turn(call_id=call.pk, heard=Heard(text="the weather is nice"))
    keypad = voice_turn(call_id=call.pk, heard=Heard())
    goodbye = voice_turn(call_id=call.pk, heard=Heard(text="blah"))
    assert again.listen and "Press" not in _said(again)
    assert keypad.listen and "Press 1" in _said(keypad)
    assert goodbye.ends
    call.refresh_from_db()
    assert call.disposition.code == "conversation"  # the borrower was spoken to


def test_keys_work_at_every_step():
    call = _live_call()
    voice_answered(call_id=call.pk)
    assert voice_turn(call_id=call.pk, heard=Heard(digits="1")).step == "ask"
    assert voice_turn(call_id=call.pk, heard=Heard(digits="1")).step == "confirm"
    assert voice_turn(call_id=call.pk, heard=Heard(digits="1")).ends
    promise = PromiseToPay.objects.get()
    assert promise.amount == Decimal("25000")
    assert promise.promised_date == _local_today(call.customer) + timedelta(days=7)


@pytest.mark.parametrize(
    "text, disposition, work_kind, suppression",
    [
        ("I have already paid last week", "already_paid", WorkItemKind.PAYMENT_CHECK, SuppressionKind.DISPUTE),
        ("this is not my loan, I never took it", "dispute", WorkItemKind.DISPUTE, SuppressionKind.DISPUTE),
        ("I lost my job, I cannot pay", "cannot_pay", WorkItemKind.HARDSHIP, None),
        ("stop calling me", "stop_calling", None, SuppressionKind.STOP_CALLING),
        ("I want to talk to an agent", "agent_requested", WorkItemKind.AGENT_REQUESTED, None),
    ],
)
def test_what_the_borrower_says_is_acted_on(text, disposition, work_kind, suppression):
    call = _live_call()
    voice_answered(call_id=call.pk)
    voice_turn(call_id=call.pk, heard=Heard(text="yes"))
    reply = voice_turn(call_id=call.pk, heard=Heard(text=text))
    assert reply.ends
    call.refresh_from_db()
    assert call.disposition.code == disposition
    assert list(WorkItem.objects.values_list("kind", flat=True)) == ([work_kind] if work_kind else [])
    kinds = list(Suppression.objects.values_list("kind", flat=True))
    assert kinds == ([suppression] if suppression else [])


def test_an_agent_request_within_hours_is_a_warm_transfer(settings, monkeypatch):
    import calls.conversation.engine as engine

    settings.VOICE_TRANSFER_NUMBER = "+918000000001"
    monkeypatch.setattr(engine, "_agents_at_work", lambda moment: True)
    call = _live_call()
    voice_answered(call_id=call.pk)
    voice_turn(call_id=call.pk, heard=Heard(text="yes"))
    reply = voice_turn(call_id=call.pk, heard=Heard(text="connect me to an agent"))
    assert reply.transfer_to == "+918000000001"
    call.refresh_from_db()
    assert call.disposition.code == "transferred"
    assert not WorkItem.objects.exists()


def test_a_callback_is_scheduled_through_the_guard_at_the_time_named():
    call = _live_call()
    voice_answered(call_id=call.pk)
    voice_turn(call_id=call.pk, heard=Heard(text="yes"))
    voice_turn(call_id=call.pk, heard=Heard(text="I am busy, call me tomorrow at 11 am"))
    follow_up = Call.objects.exclude(pk=call.pk).get()
    local = follow_up.scheduled_for.astimezone(timezone.get_current_timezone())
    from calls.compliance.jurisdiction import jurisdiction_for

    local = follow_up.scheduled_for.astimezone(jurisdiction_for(call.customer.phone).home_zone)
    tomorrow = _local_today(call.customer) + timedelta(days=1)
    # 11:00 tomorrow, unless the guard (a holiday, the daily cap) moved it later.
    assert (local.date(), local.hour) == (tomorrow, 11) or follow_up.scheduled_for > local.replace(hour=11)
    call.refresh_from_db()
    assert call.disposition.code == "callback_requested"


def test_hindi_borrower_hears_hindi_and_rupees():
    call = _live_call(language="hi", loan_kwargs={"due_date": timezone.localdate() - timedelta(days=3)})
    greeting = voice_answered(call_id=call.pk)
    assert "नमस्ते" in _said(greeting) and greeting.locale == "hi-IN"
    reply = voice_turn(call_id=call.pk, heard=Heard(text="हाँ, बोल रहा हूँ"))
    assert "25,000 रुपये" in _said(reply) and "थी" in _said(reply)
    reply = voice_turn(call_id=call.pk, heard=Heard(text="main parso paanch hazaar de dunga"))
    assert reply.step == "confirm" and "5,000 रुपये" in _said(reply)


def test_a_us_borrower_hears_the_fdcpa_notice_and_dollars():
    call = _live_call(phone="+12125550123", state="New York")
    voice_answered(call_id=call.pk)
    reply = voice_turn(call_id=call.pk, heard=Heard(text="yes"))
    assert reply.locale == "en-US"
    assert "attempt to collect a debt" in _said(reply)
    assert "$25,000" in _said(reply) and "₹" not in _said(reply)
    assert _said(reply).index("attempt to collect a debt") < _said(reply).index("$25,000")


def test_the_recording_notice_comes_first_when_the_campaign_records():
    call = _live_call(campaign=CampaignFactory(record_calls=True))
    reply = voice_answered(call_id=call.pk)
    assert reply.say[0] == PROMPTS["en"]["recording_notice"]


def test_one_call_covers_all_of_a_borrowers_loans():
    call = _live_call(loans=2, loan_kwargs={"due_date": timezone.localdate() - timedelta(days=2)})
    voice_answered(call_id=call.pk)
    reply = voice_turn(call_id=call.pk, heard=Heard(text="yes"))
    assert "4321" in _said(reply) and "4322" in _said(reply) and "₹50,000" in _said(reply)
    voice_turn(call_id=call.pk, heard=Heard(text="I will pay 30000 tomorrow"))
    voice_turn(call_id=call.pk, heard=Heard(text="yes"))
    amounts = sorted(PromiseToPay.objects.values_list("amount", flat=True))
    assert amounts == [Decimal("5000"), Decimal("25000")]  # the oldest loan first, then the rest


def test_the_second_check_ends_a_wrong_answer_without_details():
    call = _live_call(campaign=CampaignFactory(second_check=True))
    voice_answered(call_id=call.pk)
    ask_digits = voice_turn(call_id=call.pk, heard=Heard(text="yes"))
    assert ask_digits.step == "verify" and ask_digits.max_digits == 4
    reply = voice_turn(call_id=call.pk, heard=Heard(digits="9999"))
    assert reply.ends and not DEBT_WORDS.search(_said(reply).replace("loan number", ""))
    call.refresh_from_db()
    assert call.disposition.code == "not_verified"


def test_the_second_check_passes_with_the_loans_last_digits():
    call = _live_call(campaign=CampaignFactory(second_check=True))
    voice_answered(call_id=call.pk)
    voice_turn(call_id=call.pk, heard=Heard(text="yes"))
    assert voice_turn(call_id=call.pk, heard=Heard(text="4 3 2 1")).step == "ask"


@pytest.mark.parametrize("choice", [MachineMessage.NONE, MachineMessage.LIMITED])
def test_a_machine_gets_the_limited_message_or_nothing(choice, settings):
    settings.VOICE_CONTACT_PERSON = "Priya Sharma"
    call = _live_call(campaign=CampaignFactory(machine_message=choice))
    reply = voice_machine(call_id=call.pk)
    assert reply.ends
    if choice == MachineMessage.NONE:
        assert reply.say == ()
    else:
        assert "Priya Sharma" in _said(reply) and not DEBT_WORDS.search(_said(reply).replace("1 8 0 0", ""))


def test_every_turn_is_an_event_and_a_transcript_line():
    call = _live_call()
    voice_answered(call_id=call.pk)
    voice_turn(call_id=call.pk, heard=Heard(text="yes", confidence=0.91))
    turns = list(call.events.filter(kind="turn").values_list("detail", flat=True))
    assert turns[1]["heard"] == "yes" and turns[1]["intent"] == "yes" and turns[1]["confidence"] == 0.91
    call.refresh_from_db()
    assert call.transcript.splitlines()[0].startswith("Bot: Hello")
    assert "Customer: yes" in call.transcript


def test_a_customer_whose_language_has_no_script_is_not_spoken_to_in_english():
    call = _live_call(language="mr")
    reply = voice_answered(call_id=call.pk)
    assert reply.ends and reply.say == ()


def test_a_promise_that_never_names_a_day_ends_instead_of_looping():
    call = _live_call()
    voice_answered(call_id=call.pk)
    voice_turn(call_id=call.pk, heard=Heard(text="yes"))
    replies = [voice_turn(call_id=call.pk, heard=Heard(text="I will pay")) for _ in range(4)]
    assert [reply.step for reply in replies] == ["ask_date", "ask_date", "ask_date", "ended"]
    assert not PromiseToPay.objects.exists()


def test_asked_for_the_day_a_request_to_call_later_is_a_callback():
    call = _live_call()
    voice_answered(call_id=call.pk)
    voice_turn(call_id=call.pk, heard=Heard(text="yes"))
    voice_turn(call_id=call.pk, heard=Heard(text="I will pay"))
    reply = voice_turn(call_id=call.pk, heard=Heard(text="call me back tomorrow at 5 pm"))
    assert reply.ends
    call.refresh_from_db()
    assert call.disposition.code == "callback_requested"
