"""A provider with no telephone line: the whole product (dispatch, webhooks, the conversation) runs without one.

It places nothing. For each call it draws a story from ``random.Random(f"{seed}:{provider_call_id}")``
(the same seed gives the same call the same story, in any process): the line is busy, nobody answers,
it fails, a machine answers, or a person does — the borrower, someone else, or a wrong number — who
answers the bot in English, Hindi or Hinglish with one of the things real borrowers say.

The worker plays the story beat by beat (``calls.tasks.simulated_call_play_task``) through the same
services a real provider's webhooks reach: status events go to ``call_webhook_receive`` as plain
fields, and each answer to ``voice_turn``, so simulated calls exercise the real code.
"""

import hashlib
import hmac
import json
import random
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from calls.models import AnsweredBy, CallStatus

from .base import CallProvider, DialRequest, ProviderError, ProviderEvent, WebhookRejected, provider_price

SIGNATURE_HEADER = "X-Simulated-Signature"
WEBHOOK_PATH = "/api/v1/calls/webhooks/simulated/"
_SIMULATED_SID = re.compile(r"sim-([0-9]+)")

# What a connected minute costs on the simulated line (INR).
PRICE_PER_MINUTE = Decimal("0.50")
# Share of calls per line outcome, in percent (roughly what an Indian collections list sees).
OUTCOME_WEIGHTS: dict[str, int] = {"no_answer": 25, "busy": 10, "failed": 5, "machine": 10, "human": 50}
# Who answers, and what they want, when a person does.
PERSONA_WEIGHTS: dict[str, int] = {
    "promise": 26,
    "promise_later_date": 8,
    "promise_changed": 4,
    "keypad_promise": 4,
    "already_paid": 10,
    "dispute": 5,
    "callback": 8,
    "cannot_pay": 8,
    "agent": 6,
    "stop_calling": 4,
    "wrong_number": 5,
    "third_party": 8,
    "silent": 4,
}

# What people say, by persona and step, in each language ("hi": Devanagari and romanised Hinglish).
# {amount} and {day} are filled per call so that promises carry real figures.
_YES = {
    "en": ("Yes, speaking.", "Yes, this is me.", "Haan, main hi bol raha hoon."),
    "hi": ("हाँ, बोल रहा हूँ।", "ji haan, main hi hoon", "हाँ जी"),
}
_CONFIRM_YES = {
    "en": ("Yes, that's right.", "Yes.", "haan sahi hai"),
    "hi": ("हाँ, सही है।", "haan ji", "ji haan bilkul"),
}
_CONFIRM_NO = {"en": ("No, that's not right.",), "hi": ("नहीं, यह सही नहीं है।", "nahi galat hai")}
LINES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "greeting": {
        "wrong_number": {
            "en": ("Wrong number, there is nobody by that name here.", "You have the wrong number."),
            "hi": ("यह गलत नंबर है, यहाँ इस नाम का कोई नहीं रहता।", "galat number hai, yahan koi nahi rehta"),
        },
        "third_party": {
            "en": ("No, he is not at home right now.", "She is not available."),
            "hi": ("नहीं, वो अभी घर पर नहीं हैं।", "nahi, woh abhi ghar pe nahi hain"),
        },
    },
    "ask": {
        "promise": {
            "en": ("I will pay {amount} {day}.", "I'll pay {amount} by {day}.", "main {day} {amount} de dunga"),
            "hi": ("मैं {day} को {amount} रुपये दे दूंगा।", "main {day} tak {amount} rupaye jama kar dunga"),
        },
        "promise_later_date": {
            "en": ("I will pay, but I need some time.", "Okay, I will pay."),
            "hi": ("मैं भुगतान कर दूंगा।", "haan main payment kar dunga"),
        },
        "already_paid": {
            "en": ("I have already paid it last week.", "I already made the payment."),
            "hi": ("मैंने पिछले हफ्ते ही भुगतान कर दिया है।", "maine payment kar diya hai already"),
        },
        "dispute": {
            "en": ("I never took this loan, this is not my loan.", "The amount is wrong, I dispute it."),
            "hi": ("यह लोन मैंने नहीं लिया है।", "yeh loan mera nahi hai, galat amount hai"),
        },
        "callback": {
            "en": ("I am busy right now, please call me tomorrow at 11 am.", "Call me back tomorrow evening."),
            "hi": ("अभी मैं व्यस्त हूँ, कल सुबह 11 बजे फोन करना।", "abhi busy hoon, kal call karna"),
        },
        "cannot_pay": {
            "en": ("I lost my job, I cannot pay anything now.", "I don't have any money to pay."),
            "hi": ("मेरी नौकरी चली गई है, मैं अभी नहीं चुका सकता।", "mere paas paise nahi hain, abhi nahi de sakta"),
        },
        "agent": {
            "en": ("I want to talk to a person.", "Can I speak to an agent please?"),
            "hi": ("मुझे किसी एजेंट से बात करनी है।", "agent se baat karao"),
        },
        "stop_calling": {
            "en": ("Stop calling me.", "Please don't call me again."),
            "hi": ("मुझे बार बार फोन मत करो।", "dobara call mat karna"),
        },
    },
    "ask_date": {
        "promise_later_date": {
            "en": ("{day}.", "By {day}."),
            "hi": ("{day} को।", "{day} tak"),
        },
    },
}
# Ways of naming a day a few days out, per language. Relative words
# keep the story true whatever day the call is played on.
_DAYS = {"en": ("tomorrow", "day after tomorrow"), "hi": ("कल", "परसों", "kal", "parso")}


@dataclass(frozen=True)
class Story:
    outcome: str  # a key of OUTCOME_WEIGHTS
    persona: str = ""  # a key of PERSONA_WEIGHTS, for a person
    duration: int = 0


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()), k=1)[0]


def _int_or_none(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class SimulatedProvider(CallProvider):
    name = "simulated"

    def place_call(self, request: DialRequest) -> str:
        """Nothing to dial: the caller queues the playback of the call's story."""
        return f"sim-{request.call_id}"

    def hangup(self, provider_call_id: str) -> None:
        """There is no line to hang up."""

    def fetch_call(self, provider_call_id: str) -> ProviderEvent:
        """Where the call's story ends: its last line event."""
        match = _SIMULATED_SID.fullmatch(provider_call_id)
        if match is None:
            raise ProviderError(f"{provider_call_id!r} is not a simulated call id (sim-<call id>).")
        call_id = int(match.group(1))
        events = self.line_events(provider_call_id=provider_call_id, call_id=call_id, seed=settings.SIMULATED_SEED)
        last = events[-1]
        status = str(last.get("status") or "")
        return ProviderEvent(
            provider_call_id=provider_call_id,
            status=status,
            call_id=call_id,
            answered_by=str(last.get("answered_by") or ""),
            duration_seconds=_int_or_none(last.get("duration")),
            event_id=f"{provider_call_id}:fetched:{status}",
            price=provider_price(last.get("price")),
            price_unit=str(last.get("price_unit") or ""),
            raw=last,
        )

    # --- The story ------------------------------------------------------------------------------

    def story(self, *, provider_call_id: str, seed: int) -> Story:
        rng = random.Random(f"{seed}:{provider_call_id}")  # noqa: S311 (repeatable on purpose, not a secret)
        outcome = _weighted(rng, OUTCOME_WEIGHTS)
        persona = _weighted(rng, PERSONA_WEIGHTS) if outcome == "human" else ""
        duration = {"human": rng.randint(30, 150), "machine": rng.randint(8, 25)}.get(outcome, 0)
        return Story(outcome=outcome, persona=persona, duration=duration)

    def line_events(self, *, provider_call_id: str, call_id: int, seed: int) -> list[dict]:
        """The status events a real provider would send for this call, in order (the conversation, for a
        person, happens between the answer and the end: ``answer``)."""
        story = self.story(provider_call_id=provider_call_id, seed=seed)
        counter = 0

        def event(**fields: Any) -> dict:
            nonlocal counter
            counter += 1
            return {"call_sid": provider_call_id, "call_id": call_id, "event_id": f"{provider_call_id}-{counter}"} | {
                key: value for key, value in fields.items() if value not in (None, "")
            }

        if story.outcome in ("busy", "failed"):
            return [event(status=story.outcome, duration=0)]
        events = [event(status=CallStatus.RINGING.value)]
        if story.outcome == "no_answer":
            return [*events, event(status=CallStatus.NO_ANSWER.value, duration=0)]
        who = AnsweredBy.MACHINE.value if story.outcome == "machine" else AnsweredBy.HUMAN.value
        events.append(event(status=CallStatus.IN_PROGRESS.value, answered_by=who))
        # Billed per started minute, as Indian carriers bill.
        price = str(PRICE_PER_MINUTE * ((story.duration + 59) // 60))
        completed = event(status=CallStatus.COMPLETED.value, answered_by=who, duration=story.duration)
        events.append(completed | {"price": price, "price_unit": "INR"})
        return events

    def answer(self, *, provider_call_id: str, seed: int, step: str, turn: int, language: str, facts: dict) -> dict:
        """What the simulated person says (or keys) at ``step``, as the fields of an answer.

        ``facts``: ``amount`` (a figure to promise), ``loan_end`` (last 4 digits of the loan) — what a
        real borrower would know — and ``asked_before`` (how often this step was answered already)."""
        story = self.story(provider_call_id=provider_call_id, seed=seed)
        rng = random.Random(f"{seed}:{provider_call_id}:{turn}")  # noqa: S311
        language = "hi" if language == "hi" else "en"
        persona = story.persona

        def say(options: tuple[str, ...]) -> dict:
            text = rng.choice(options)
            # A day named in the line's own script: "कल" in Devanagari, "kal" in romanised Hinglish.
            devanagari = any("\u0900" <= ch <= "\u097f" for ch in text)
            days = [day for day in _DAYS[language] if any("\u0900" <= ch <= "\u097f" for ch in day) == devanagari]
            words = rng.choice(days or _DAYS[language])
            text = text.replace("{amount}", facts.get("amount", "")).replace("{day}", words)
            return {"speech": text, "confidence": round(rng.uniform(0.6, 0.95), 2)}

        if persona == "silent":
            return {}
        if step == "greeting":
            options = LINES["greeting"].get(persona, {}).get(language)
            return say(options) if options else say(_YES[language])
        if step == "verify":
            return {"digits": facts.get("loan_end", "")}
        if step == "confirm":
            if persona == "promise_changed" and not facts.get("asked_before"):
                return say(_CONFIRM_NO[language])
            return say(_CONFIRM_YES[language])
        if persona == "keypad_promise":
            return {"digits": "1"}
        if step == "ask_date":
            return say(LINES["ask_date"]["promise_later_date"][language])
        key = "promise" if persona in ("promise", "promise_changed") else persona
        options = LINES["ask"].get(key, {}).get(language)
        return say(options) if options else {}

    # --- Webhooks -------------------------------------------------------------------------------

    def sign(self, body: bytes) -> str:
        """HMAC-SHA256 of the body: simulated events posted over HTTP are checked like real ones."""
        return hmac.new(settings.SIMULATED_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()

    def verify_webhook(self, request: HttpRequest) -> bool:
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not signature or not settings.SIMULATED_WEBHOOK_SECRET:
            return False
        return hmac.compare_digest(signature.encode(), self.sign(request.body).encode())

    def webhook_fields(self, request: HttpRequest) -> dict:
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise WebhookRejected("The simulated webhook body is not JSON.") from exc
        if not isinstance(data, dict):
            raise WebhookRejected("The simulated webhook body is not a JSON object.")
        return data

    def parse_webhook(self, fields: dict) -> ProviderEvent:
        if not fields.get("call_sid"):
            raise WebhookRejected("The simulated webhook has no call_sid.")
        status = str(fields.get("status") or "")
        if status and status not in CallStatus.values:
            raise WebhookRejected(f"The simulated webhook has an unknown status {status!r}.")
        answered_by = str(fields.get("answered_by") or "")
        return ProviderEvent(
            provider_call_id=str(fields["call_sid"]),
            status=status,
            call_id=_int_or_none(fields.get("call_id")),
            answered_by=answered_by if answered_by in AnsweredBy.values else "",
            duration_seconds=_int_or_none(fields.get("duration")),
            recording_url=str(fields.get("recording_url") or ""),
            event_id=str(fields.get("event_id") or ""),
            price=provider_price(fields.get("price")),
            price_unit=str(fields.get("price_unit") or "")[:3],
            raw=fields,
        )
