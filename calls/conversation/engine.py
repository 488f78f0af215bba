"""The bot's side of one call, as a state machine persisted on the call (``Call.dialogue``).

greeting (no debt) → right-party check → [second check] → disclosures → the ask (amounts, due dates)
→ understand → confirm back → act → goodbye. Speech and keypad are accepted at every step; an unclear
answer is asked again in other words, then offered as a keypad menu, then the bot says goodbye.

The engine knows nothing of providers: it takes what was heard (``Heard``) and answers what to say
(``Reply``), both in ``turns``; what it speaks of (the person, the loans, the words of the call's language)
is the ``Context`` (``context``). ``calls.services.voice`` locks the call, records each turn and calls it;
providers turn a ``Reply`` into their own markup (TwiML, Exotel's prompts, the simulated player).

The dialogue holds: ``step``; ``misses`` (unclear answers at this step); ``right_party`` (the check
passed: only then are debts spoken of); ``pending`` (a promise heard but not yet confirmed); ``done``.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from calls.services.promises import promise_problem
from calls.understanding import Understanding, understand

from .context import Context
from .turns import Action, Heard, Turn

# The steps of a conversation. ``ended`` takes no more answers.
GREETING, VERIFY, ASK, ASK_DATE, CONFIRM, ENDED = "greeting", "verify", "ask", "ask_date", "confirm", "ended"
MACHINE = "machine"
# Keypad menus per step: a key stands for what a spoken answer would have meant.
KEYPAD: dict[str, dict[str, str]] = {
    GREETING: {"1": "yes", "2": "no"},
    ASK: {"1": "promise_to_pay", "2": "already_paid", "3": "agent", "4": "cannot_pay"},
    ASK_DATE: {"1": "promise_to_pay", "2": "already_paid", "3": "agent", "4": "cannot_pay"},
    CONFIRM: {"1": "yes", "2": "no"},
}
# Unclear answers allowed at a step: the first is asked again in other words, the second as a keypad menu.
MAX_MISSES = 2
KEYPAD_PROMISE_DAYS = 7
# Answers that end the conversation with an outcome of their own, at the ask and at the confirmation.
_ENDING_INTENTS = frozenset(
    {"already_paid", "dispute", "cannot_pay", "stop_calling", "wrong_number", "callback", "agent"}
)


def conversation_open(ctx: Context, dialogue: dict) -> Turn:
    """The greeting: the lender and "may I speak with …?"; the recording notice first when recording."""
    dialogue.update(step=GREETING, misses=0, right_party=False, pending=None)
    notice = ctx.text("recording_notice") if ctx.recording else ""
    return Turn(reply=ctx.reply(GREETING, notice, ctx.text("greeting")))


def conversation_for_machine(ctx: Context, dialogue: dict, *, leave_message: bool) -> Turn:
    """A machine answered: the limited-content message (no debt, no amount) or nothing at all."""
    dialogue.update(step=ENDED, machine=True)
    said = (ctx.text("machine_message"),) if leave_message else ()
    return Turn(reply=ctx.reply(MACHINE, *said, listen=False), intent="machine")


def conversation_answer(ctx: Context, dialogue: dict, heard: Heard) -> Turn:
    """One answer at the current step."""
    step = dialogue.get("step", GREETING)
    if step == ENDED:
        return Turn(reply=ctx.reply(ENDED, listen=False))
    if step == VERIFY:
        return _verify(ctx, dialogue, heard)
    digits = (heard.digits or "").strip()
    if digits and digits[:1] in KEYPAD.get(step, {}):
        intent = KEYPAD[step][digits[:1]]
        # "1" at the ask: the whole amount within a week, confirmed back like any spoken promise.
        when = ctx.today + timedelta(days=KEYPAD_PROMISE_DAYS) if intent == "promise_to_pay" else None
        meaning = Understanding(intent=intent, date=when, amount=None, time=None, confidence=1.0, backend="keypad")
    elif heard.text.strip():
        meaning = understand(heard.text, lang=ctx.language, today=ctx.today)
    else:
        meaning = Understanding(intent="unclear", date=None, amount=None, time=None, confidence=0.0, backend="silence")
    turn = {GREETING: _greeting, ASK: _ask, ASK_DATE: _ask, CONFIRM: _confirm}[step](ctx, dialogue, meaning)
    turn.intent = meaning.intent
    return turn


def _end(ctx: Context, dialogue: dict, *texts: str, action: Action, **extra) -> Turn:
    dialogue["step"] = ENDED
    return Turn(reply=ctx.reply(ENDED, *texts, listen=False, **extra), action=action)


def _miss(ctx: Context, dialogue: dict, step: str, again: str, keypad: str) -> Turn:
    """Unclear: ask again in other words, then offer the keypad, then say goodbye."""
    dialogue["misses"] = dialogue.get("misses", 0) + 1
    if dialogue["misses"] > MAX_MISSES:
        outcome = "conversation" if dialogue.get("right_party") else "no_input"
        return _end(ctx, dialogue, ctx.text("no_input_goodbye"), action=Action(kind=outcome))
    if dialogue["misses"] == 1:
        return Turn(reply=ctx.reply(step, again))
    return Turn(reply=ctx.reply(step, keypad))


def _move(dialogue: dict, step: str) -> None:
    dialogue["step"] = step
    dialogue["misses"] = 0


def _ask_again(ctx: Context, dialogue: dict, step: str, text: str) -> Turn:
    """Ask ``text`` at ``step``: a first time moves there; asked again at the same step, it counts as an
    unclear answer, so no answer loops forever."""
    if dialogue.get("step") != step:
        _move(dialogue, step)
        return Turn(reply=ctx.reply(step, text))
    return _miss(ctx, dialogue, step, text, text)


def _greeting(ctx: Context, dialogue: dict, meaning: Understanding) -> Turn:
    intent = meaning.intent
    if intent == "yes":
        return _right_party(ctx, dialogue)
    if intent == "no":
        return _end(ctx, dialogue, ctx.text("third_party"), action=Action(kind="not_available"))
    if intent == "wrong_number":
        return _end(ctx, dialogue, ctx.text("wrong_number"), action=Action(kind="wrong_number"))
    if intent == "stop_calling":
        return _end(ctx, dialogue, ctx.text("stop_noted"), action=Action(kind="stop_calling"))
    if intent == "callback":
        # Whoever answered asked to be called later: nothing about the debt was said, none will be.
        at = _callback_time(ctx, meaning)
        when = _spoken_moment(ctx, at)
        return _end(
            ctx, dialogue, ctx.text("callback_noted", when=when), action=Action(kind="callback", callback_at=at)
        )
    again = ctx.text("greeting_again")
    return _miss(ctx, dialogue, GREETING, again, ctx.text("greeting_keypad"))


def _right_party(ctx: Context, dialogue: dict) -> Turn:
    dialogue["right_party"] = True
    if ctx.second_check and ctx.loan_to_verify():
        _move(dialogue, VERIFY)
        return Turn(reply=ctx.reply(VERIFY, ctx.text("verify"), max_digits=4), action=Action(kind=""))
    return _the_ask(ctx, dialogue)


def _verify(ctx: Context, dialogue: dict, heard: Heard) -> Turn:
    said = "".join(ch for ch in (heard.digits or heard.text) if ch.isdigit())
    if len(said) >= 4:
        if said[-4:] == ctx.loan_to_verify():
            return _the_ask(ctx, dialogue)
        dialogue["right_party"] = False
        return _end(ctx, dialogue, ctx.text("verify_failed"), action=Action(kind="not_verified"))
    dialogue["misses"] = dialogue.get("misses", 0) + 1
    if dialogue["misses"] > 1:
        dialogue["right_party"] = False
        return _end(ctx, dialogue, ctx.text("verify_failed"), action=Action(kind="not_verified"))
    return Turn(reply=ctx.reply(VERIFY, ctx.text("verify_again"), max_digits=4))


def _loans_sentence(ctx: Context) -> str:
    lines = []
    for line in ctx.loans:
        if line.due_date is None:
            key, when = "loan_line_due", ""
        else:
            # Overdue is said as such: "was due on", never "is due on" a day already gone.
            key = "loan_line_overdue" if line.due_date < ctx.today else "loan_line_due"
            when = ctx.date(line.due_date)
        text = ctx.text(key, loan_end=line.loan_id[-4:], amount=ctx.amount(line.outstanding), date=when)
        lines.append(text if when else text.rsplit(",", 1)[0])
    sentence = "; ".join(lines)
    sentence = sentence[:1].upper() + sentence[1:]
    if len(ctx.loans) > 1:
        sentence += ". " + ctx.text("loans_total", total=ctx.amount(ctx.total)).rstrip(".।")
    return sentence


def _the_ask(ctx: Context, dialogue: dict) -> Turn:
    """Disclosures, then the debts, then "when can you pay?"."""
    _move(dialogue, ASK)
    if not ctx.loans:
        return _end(ctx, dialogue, ctx.text("goodbye"), action=Action(kind="conversation"))
    disclosure = ctx.text("fdcpa_disclosure") if ctx.country == "US" else ""
    return Turn(reply=ctx.reply(ASK, disclosure, ctx.text("ask", loans=_loans_sentence(ctx))))


def _ask(ctx: Context, dialogue: dict, meaning: Understanding) -> Turn:
    intent = meaning.intent
    if intent in _ENDING_INTENTS:
        return _act(ctx, dialogue, meaning)
    asking_date = dialogue["step"] == ASK_DATE
    if intent == "promise_to_pay" or (intent == "yes" and not asking_date) or (asking_date and meaning.date):
        return _promise_heard(ctx, dialogue, meaning)
    if asking_date:
        pending = dialogue.get("pending") or {}
        amount = ctx.amount(Decimal(pending["amount"])) if pending.get("amount") else ctx.amount(ctx.total)
        return _miss(ctx, dialogue, ASK_DATE, ctx.text("ask_date", amount=amount), ctx.text("ask_keypad"))
    return _miss(ctx, dialogue, ASK, ctx.text("ask_again"), ctx.text("ask_keypad"))


def _promise_heard(ctx: Context, dialogue: dict, meaning: Understanding) -> Turn:
    pending = dict(dialogue.get("pending") or {})
    if meaning.amount is not None:
        pending["amount"] = str(meaning.amount)
    if meaning.date is not None:
        pending["date"] = meaning.date.isoformat()
    amount = Decimal(pending["amount"]) if pending.get("amount") else ctx.due_now
    promised = date.fromisoformat(pending["date"]) if pending.get("date") else ctx.today
    problem = promise_problem(amount=amount, promised_date=promised, outstanding=ctx.total, today=ctx.today)
    if problem is not None and problem.code in ("invalid_amount", "amount_above_outstanding"):
        pending.pop("amount", None)
        dialogue["pending"] = pending
        return _ask_again(ctx, dialogue, ASK, ctx.text("amount_too_high", total=ctx.amount(ctx.total)))
    pending["amount"] = str(amount)
    dialogue["pending"] = pending
    if problem is not None and problem.code == "invalid_date":
        pending.pop("date")  # a day already gone is no promise
    if not pending.get("date"):
        return _ask_again(ctx, dialogue, ASK_DATE, ctx.text("ask_date", amount=ctx.amount(amount)))
    promised = date.fromisoformat(pending["date"])
    _move(dialogue, CONFIRM)
    return Turn(reply=ctx.reply(CONFIRM, ctx.text("confirm", amount=ctx.amount(amount), date=ctx.date(promised))))


def _confirm(ctx: Context, dialogue: dict, meaning: Understanding) -> Turn:
    intent = meaning.intent
    pending = dialogue.get("pending") or {}
    if intent == "promise_to_pay" and (meaning.date or meaning.amount):
        changed = (meaning.date and meaning.date.isoformat() != pending.get("date")) or (
            meaning.amount is not None and str(meaning.amount) != pending.get("amount")
        )
        if changed:
            return _promise_heard(ctx, dialogue, meaning)
    if intent in ("yes", "promise_to_pay"):
        amount, promised = Decimal(pending["amount"]), date.fromisoformat(pending["date"])
        words = {"amount": ctx.amount(amount), "date": ctx.date(promised)}
        problem = promise_problem(amount=amount, promised_date=promised, outstanding=ctx.total, today=ctx.today)
        if problem is not None and problem.code == "beyond_horizon":
            action = Action(kind="promise_far", amount=amount, promised_date=promised)
            return _end(ctx, dialogue, ctx.text("promise_far", **words), ctx.text("goodbye"), action=action)
        action = Action(kind="promise", amount=amount, promised_date=promised)
        return _end(ctx, dialogue, ctx.text("promise_thanks", **words), ctx.text("goodbye"), action=action)
    if intent == "no":
        dialogue["pending"] = None
        _move(dialogue, ASK)
        return Turn(reply=ctx.reply(ASK, ctx.text("ask_again")))
    if intent in ("already_paid", "dispute", "cannot_pay", "stop_calling", "wrong_number", "callback", "agent"):
        return _act(ctx, dialogue, meaning)
    return _miss(
        ctx, dialogue, CONFIRM, ctx.text("confirm", **_pending_words(ctx, pending)), ctx.text("confirm_keypad")
    )


def _pending_words(ctx: Context, pending: dict) -> dict[str, str]:
    return {"amount": ctx.amount(Decimal(pending["amount"])), "date": ctx.date(date.fromisoformat(pending["date"]))}


def _act(ctx: Context, dialogue: dict, meaning: Understanding) -> Turn:
    """The answers that end the conversation with an outcome of their own."""
    intent = meaning.intent
    if intent == "callback":
        at = _callback_time(ctx, meaning)
        text = ctx.text("callback_noted", when=_spoken_moment(ctx, at))
        return _end(ctx, dialogue, text, ctx.text("goodbye"), action=Action(kind="callback", callback_at=at))
    if intent == "agent":
        if ctx.transfer_number and _agents_at_work(timezone.now()):
            return _end(
                ctx,
                dialogue,
                ctx.text("agent_transfer"),
                action=Action(kind="transferred"),
                transfer_to=ctx.transfer_number,
            )
        return _end(
            ctx, dialogue, ctx.text("agent_callback"), ctx.text("goodbye"), action=Action(kind="agent_requested")
        )
    said, outcome = {
        "already_paid": ("paid_thanks", "already_paid"),
        "dispute": ("dispute_noted", "dispute"),
        "cannot_pay": ("hardship_noted", "cannot_pay"),
        "stop_calling": ("stop_noted", "stop_calling"),
        "wrong_number": ("wrong_number", "wrong_number"),
    }[intent]
    closing = () if intent in ("wrong_number",) else (ctx.text("goodbye"),)
    return _end(ctx, dialogue, ctx.text(said), *closing, action=Action(kind=outcome))


def _callback_time(ctx: Context, meaning: Understanding) -> datetime:
    """The moment they named, in their zone: a day alone means 10:00; a time alone, the next such time."""
    now = timezone.now().astimezone(ctx.zone)
    if meaning.date is None and meaning.time is None:
        return now + timedelta(hours=settings.VOICE_CALLBACK_DEFAULT_HOURS)
    day = meaning.date or ctx.today
    at = datetime.combine(day, meaning.time or time(10, 0), tzinfo=ctx.zone)
    if at <= now:
        at += timedelta(days=1)
    return at


def _spoken_moment(ctx: Context, at: datetime) -> str:
    local = at.astimezone(ctx.zone)
    clock = f"{local:%H:%M}"
    if ctx.language == "hi":
        return f"{ctx.date(local.date())} को {clock} बजे"
    return f"on {ctx.date(local.date())} at {clock}"


def _agents_at_work(moment: datetime) -> bool:
    """Within the agents' hours and days (settings, in the office's zone)."""
    local = timezone.localtime(moment)
    start, end = settings.VOICE_AGENT_HOURS
    return local.weekday() in settings.VOICE_AGENT_WEEKDAYS and start <= local.time() < end
