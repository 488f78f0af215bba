"""Calls' conversations turn by turn, read from their ``turn`` events: the selector and the admin's view."""

import pytest

from calls.models import CallEvent, CallStatus
from calls.selectors_transcripts import (
    BOT,
    CUSTOMER,
    NOTE,
    ConversationLine,
    call_conversations,
    conversation_lines,
)
from calls.tests.factories import CallFactory

pytestmark = pytest.mark.django_db

# A conversation as ``calls.services.voice`` records it: the greeting, then each answer and the reply.
TURNS = [
    {
        "step": "answered",
        "said": ["Hello, this is VoiceAssist Finance.", "Am I speaking with Asha Rao?"],
        "next": "greeting",
    },
    {
        "step": "greeting",
        "said": ["Thank you.", "Your EMI of 4200 rupees is overdue. When can you pay?"],
        "next": "ask",
        "heard": "Yes, speaking.",
        "digits": "",
        "confidence": 0.91,
        "intent": "yes",
        "action": "continue",
    },
    {
        "step": "ask",
        "said": ["Sorry, I did not catch that."],
        "next": "ask",
        "heard": "",
        "digits": "",
        "confidence": None,
        "intent": "unclear",
        "action": "repeat",
    },
    {
        "step": "ask",
        "said": ["Thank you. You will pay on Friday.", "Goodbye."],
        "next": "ended",
        "heard": "I will pay on Friday",
        "digits": "",
        "confidence": 0.8249,
        "intent": "promise_to_pay",
        "action": "promise",
    },
]


def _turns(call, turns=TURNS) -> None:
    for detail in turns:
        CallEvent.objects.create(call=call, kind="turn", detail=detail)


def test_each_answer_is_followed_by_what_the_bot_said_next():
    lines = conversation_lines(turns=TURNS)

    assert [str(line) for line in lines] == [
        "Bot: Hello, this is VoiceAssist Finance.",
        "Bot: Am I speaking with Asha Rao?",
        "Customer: Yes, speaking. (yes · 0.91)",
        "Bot: Thank you.",
        "Bot: Your EMI of 4200 rupees is overdue. When can you pay?",
        "Customer: … (unclear)",
        "Bot: Sorry, I did not catch that.",
        "Customer: I will pay on Friday (promise_to_pay · 0.82)",
        "Bot: Thank you. You will pay on Friday.",
        "Bot: Goodbye.",
    ]
    assert lines[7] == ConversationLine(CUSTOMER, "I will pay on Friday", "promise_to_pay", 0.8249)
    assert lines[7].understood == "promise_to_pay · 0.82"


def test_keys_pressed_machines_transfers_and_missing_scripts_read_as_such():
    lines = conversation_lines(
        turns=[
            {
                "step": "verify",
                "said": ["Connecting you to an agent."],
                "next": "ended",
                "heard": "",
                "digits": "1",
                "confidence": None,
                "intent": "agent",
                "action": "transfer",
                "transfer": True,
            },
            {"step": "machine", "said": ["Please call Priya Sharma on 18001234567."], "next": "ended"},
            {"step": "no_script", "language": "mr"},
        ]
    )

    assert [(line.speaker, str(line)) for line in lines] == [
        (CUSTOMER, "Customer: [pressed 1] (agent)"),
        (BOT, "Bot: Connecting you to an agent."),
        (NOTE, "[Transferred to an agent]"),
        (NOTE, "[An answering machine answered]"),
        (BOT, "Bot: Please call Priya Sharma on 18001234567."),
        (NOTE, "[No script in Marathi: the call ended]"),
    ]


def test_many_calls_conversations_are_read_in_one_query(django_assert_num_queries):
    calls = CallFactory.create_batch(3, status=CallStatus.COMPLETED)
    for call in calls[:2]:
        _turns(call)
    CallEvent.objects.create(call=calls[0], kind="status", status="completed")

    with django_assert_num_queries(1):
        conversations = call_conversations(call_ids=[call.pk for call in calls])

    assert set(conversations) == {calls[0].pk, calls[1].pk}
    assert [str(line) for line in conversations[calls[0].pk]] == [str(line) for line in conversation_lines(turns=TURNS)]


# --- The admin ------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, back_office_user):
    client.force_login(back_office_user)
    return client


def test_the_admin_call_page_shows_the_conversation_escaped(admin_client):
    call = CallFactory(status=CallStatus.COMPLETED)
    _turns(call, [*TURNS[:1], {**TURNS[1], "heard": "<script>alert('x')</script> yes"}])

    page = admin_client.get(f"/admin/calls/call/{call.pk}/change/").content.decode()

    assert "Conversation" in page
    assert '<div class="conversation-line" data-line="bot">Bot: Am I speaking with Asha Rao?</div>' in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; yes (yes · 0.91)" in page
    assert "<script>alert" not in page


def test_a_call_without_turns_shows_its_transcript_in_the_admin(admin_client):
    call = CallFactory(status=CallStatus.COMPLETED, transcript="Bot: Hello.\nCustomer: <b>hi</b>")

    page = admin_client.get(f"/admin/calls/call/{call.pk}/change/").content.decode()

    assert "<div>Bot: Hello.</div><div>Customer: &lt;b&gt;hi&lt;/b&gt;</div>" in page
