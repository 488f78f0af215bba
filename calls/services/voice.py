"""The conversation on a live call: each turn locks the call, asks ``calls.conversation`` what to say,
records the turn (a ``CallEvent`` and a line of the transcript) and carries out what it decided.

Every provider comes through here with plain values (what was heard, the keys pressed): Twilio's
``<Gather>`` callback, Exotel's passthru, the simulated player.
"""

from datetime import datetime
from decimal import Decimal

from django.db import transaction

from calls.compliance import guard_check, guard_request_for_call
from calls.conversation import (
    ENDED,
    Action,
    Context,
    Heard,
    Reply,
    Turn,
    conversation_answer,
    conversation_for_machine,
    conversation_open,
    loans_in_conversation,
)
from calls.models import AnsweredBy, Call, CallEventKind, CallStatus, MachineMessage, WorkItemKind
from voiceassist.common.exceptions import ApplicationError

from .outcomes import call_outcome_apply
from .promises import promise_create
from .status import TERMINAL, call_record_event
from .work_items import work_item_create

# Outcome codes an action may carry straight to ``call_outcome_apply``.
_OUTCOMES = frozenset(
    {
        "not_available",
        "not_verified",
        "wrong_number",
        "stop_calling",
        "already_paid",
        "dispute",
        "cannot_pay",
        "agent_requested",
        "transferred",
        "no_input",
        "conversation",
        "promise_far",
    }
)


def _locked(call_id: int) -> Call:
    return (
        Call.objects.select_for_update(of=("self",))
        .select_related("customer", "loan", "campaign", "disposition")
        .get(pk=call_id)
    )


def _context(call: Call) -> Context:
    return Context(call, loans_in_conversation(call))


def _ended_reply(call: Call) -> Reply:
    """Nothing more to say: no loans need reading for that."""
    return Context(call, []).reply(ENDED, listen=False)


def _record(call: Call, turn: Turn, *, heard: Heard | None, answered_step: str) -> None:
    """The turn as an event (prompt, what was heard, confidence, intent, action) and as transcript lines."""
    detail = {"step": answered_step, "said": list(turn.reply.say), "next": turn.reply.step}
    lines = []
    if heard is not None:
        detail |= {"heard": heard.text, "digits": heard.digits, "confidence": heard.confidence}
        detail |= {"intent": turn.intent, "action": turn.action.kind}
        if heard.text:
            lines.append(f"Customer: {heard.text}")
        if heard.digits:
            lines.append(f"[Customer pressed {heard.digits}]")
        if not heard.text and not heard.digits:
            lines.append("Customer: …")
    if turn.reply.transfer_to:
        detail["transfer"] = True
    lines += [f"Bot: {text}" for text in turn.reply.say]
    call_record_event(call=call, kind=CallEventKind.TURN, detail=detail)
    call.transcript = "\n".join(filter(None, [call.transcript, *lines]))


def _save(call: Call, dialogue: dict) -> None:
    call.dialogue = dialogue
    call.save(update_fields=["dialogue", "transcript", "keypad", "updated_at"])


@transaction.atomic
def voice_answered(*, call_id: int) -> Reply:
    """The line was answered: the greeting (no debt). Asked again (a provider's retry), it greets again."""
    call = _locked(call_id)
    if call.status in TERMINAL or call.answered_by == AnsweredBy.MACHINE:
        return _ended_reply(call)
    ctx = _context(call)
    if ctx.script is None:
        # No script in the customer's language: campaigns leave such customers out; an ad-hoc call ends here.
        call_record_event(call=call, kind=CallEventKind.TURN, detail={"step": "no_script", "language": ctx.language})
        return ctx.reply(ENDED, listen=False)
    dialogue = dict(call.dialogue or {})
    turn = conversation_open(ctx, dialogue)
    _record(call, turn, heard=None, answered_step="answered")
    _save(call, dialogue)
    return turn.reply


@transaction.atomic
def voice_turn(*, call_id: int, heard: Heard) -> Reply:
    """One answer (speech, keys, or silence) on a live call; the reply says what comes next."""
    return voice_turn_locked(call=_locked(call_id), heard=heard)


def voice_turn_locked(*, call: Call, heard: Heard) -> Reply:
    dialogue = dict(call.dialogue or {})
    if call.status in TERMINAL or not dialogue or dialogue.get("step") == ENDED:
        return _ended_reply(call)
    ctx = _context(call)
    if ctx.script is None:
        return ctx.reply(ENDED, listen=False)
    answered_step = dialogue.get("step", "")
    if heard.digits:
        call.keypad = (call.keypad + heard.digits)[-16:]
    turn = conversation_answer(ctx, dialogue, heard)
    _record(call, turn, heard=heard, answered_step=answered_step)
    _save(call, dialogue)
    _carry_out(call, ctx, turn.action)
    return turn.reply


@transaction.atomic
def voice_machine(*, call_id: int) -> Reply:
    return voice_machine_locked(call=_locked(call_id))


def voice_machine_locked(*, call: Call) -> Reply:
    """A machine answered: the campaign's choice of silence or the limited-content message, never the debt."""
    ctx = _context(call)
    if ctx.script is None:
        return ctx.reply(ENDED, listen=False)
    dialogue = dict(call.dialogue or {})
    leave = bool(call.campaign and call.campaign.machine_message == MachineMessage.LIMITED)
    turn = conversation_for_machine(ctx, dialogue, leave_message=leave)
    _record(call, turn, heard=None, answered_step="machine")
    _save(call, dialogue)
    return turn.reply


@transaction.atomic
def voice_prompt(*, call_id: int) -> Reply:
    """What the bot would say now, without an answer (Exotel's flow fetches it before each keypad prompt)."""
    call = _locked(call_id)
    dialogue = call.dialogue or {}
    if not dialogue:
        return voice_answered(call_id=call_id)
    events = (
        call.events.filter(kind=CallEventKind.TURN).order_by("-created_at", "-id").values_list("detail", flat=True)[:1]
    )
    last = events[0] if events else {}
    ctx = _context(call)
    if ctx.script is None:
        return ctx.reply(ENDED, listen=False)
    step = dialogue.get("step", ENDED)
    return ctx.reply(step, *last.get("said", []), listen=step != ENDED, max_digits=4 if step == "verify" else 1)


# --- What a conversation decided ---------------------------------------------------------------------


def _carry_out(call: Call, ctx: Context, action: Action) -> None:
    if not action.kind:
        return
    if action.kind == "promise":
        _promise_record(call, ctx, action.amount, action.promised_date)
        call_outcome_apply(call=call, code="promise_to_pay")
        return
    if action.kind == "callback":
        call_outcome_apply(call=call, code="callback_requested", note="Asked to be called back.")
        _callback_schedule(call, action.callback_at)
        return
    if action.kind not in _OUTCOMES:
        raise ApplicationError(f"The conversation decided an unknown action {action.kind!r}.", code="unknown_action")
    note = ""
    if action.kind == "promise_far":
        note = f"Offered {action.amount} on {action.promised_date:%d %b %Y}: beyond the promise horizon."
    call_outcome_apply(call=call, code=action.kind, note=note)


def _promise_record(call: Call, ctx: Context, amount: Decimal, promised_date) -> None:
    """One promise per loan, the amount spread over the loans oldest due first (each share within what that
    loan owes), judged by the rules as of the customer's own day."""
    left = amount
    for line in ctx.loans:
        if left <= 0:
            break
        share = min(left, line.outstanding)
        promise_create(
            loan=ctx.loan_records[line.pk], amount=share, promised_date=promised_date, source_call=call, today=ctx.today
        )
        left -= share


def _callback_schedule(call: Call, at: datetime) -> Call | None:
    """The borrower's own time, if the guard allows it then; else its next allowed time; else an agent's item."""
    # Judged as this call would be then (its campaign's hours; this call itself no longer on the line).
    decision = guard_check(request=guard_request_for_call(call), at=at)
    when = at if decision else decision.next_allowed_at
    if when is None:
        work_item_create(
            kind=WorkItemKind.CALLBACK,
            customer=call.customer,
            loan=call.loan,
            call=call,
            due_at=at,
            note=f"Asked to be called back; the bot may not call: {decision.message}",
        )
        return None
    return Call.objects.create(
        campaign=call.campaign,
        customer=call.customer,
        loan=call.loan,
        attempt=call.attempt + 1,
        phone_dialled=call.phone_dialled,
        provider=call.provider,
        scheduled_for=when,
        status=CallStatus.SCHEDULED,
    )
