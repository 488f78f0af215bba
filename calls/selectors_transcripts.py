"""Calls' conversations turn by turn, as staff read them: what the bot said, and what it heard and understood.

Read from the calls' ``turn`` events (``calls.services.voice`` writes one per turn); the many calls of a
page are read in one query.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from calls.models import CallEvent, CallEventKind
from customers.models import Language

BOT = "bot"
CUSTOMER = "customer"
NOTE = "note"


@dataclass(frozen=True)
class ConversationLine:
    """One line of a conversation: the bot's sentence, the customer's answer (with what the bot
    understood of it), or a note on the call itself (a machine answered, the call was transferred)."""

    speaker: str  # BOT, CUSTOMER or NOTE
    text: str
    intent: str = ""
    confidence: float | None = None

    @property
    def understood(self) -> str:
        """What the bot made of the answer, e.g. ``promise_to_pay · 0.82``; empty when it recorded nothing."""
        if not self.intent:
            return ""
        return f"{self.intent} · {self.confidence:.2f}" if self.confidence is not None else self.intent

    def __str__(self) -> str:
        if self.speaker == NOTE:
            return f"[{self.text}]"
        who = "Bot" if self.speaker == BOT else "Customer"
        return f"{who}: {self.text}" + (f" ({self.understood})" if self.understood else "")


def _customer_line(turn: dict) -> ConversationLine:
    heard, digits = str(turn.get("heard") or ""), str(turn.get("digits") or "")
    parts = [heard] if heard else []
    if digits:
        parts.append(f"[pressed {digits}]")
    confidence = turn.get("confidence")
    return ConversationLine(
        speaker=CUSTOMER,
        text=" ".join(parts) or "…",
        intent=str(turn.get("intent") or ""),
        confidence=float(confidence) if isinstance(confidence, int | float) else None,
    )


def conversation_lines(*, turns: Iterable[dict]) -> list[ConversationLine]:
    """The turns (``turn`` events' details, in order) as lines: each turn's answer, then what the bot said next."""
    lines: list[ConversationLine] = []
    for turn in turns:
        step = turn.get("step")
        if step == "no_script":
            language = Language(turn["language"]).label if turn.get("language") in Language.values else "?"
            lines.append(ConversationLine(NOTE, f"No script in {language}: the call ended"))
            continue
        if step == "machine":
            lines.append(ConversationLine(NOTE, "An answering machine answered"))
        elif step != "answered":
            lines.append(_customer_line(turn))
        lines += [ConversationLine(BOT, str(text)) for text in turn.get("said") or []]
        if turn.get("transfer"):
            lines.append(ConversationLine(NOTE, "Transferred to an agent"))
    return lines


def call_conversations(*, call_ids: Collection[int]) -> dict[int, list[ConversationLine]]:
    """Each call's conversation, in one query; calls without turns are not in the answer."""
    turns: dict[int, list[dict]] = {}
    events = (
        CallEvent.objects.filter(call_id__in=list(call_ids), kind=CallEventKind.TURN)
        .order_by("call_id", "created_at", "id")
        .values_list("call_id", "detail")
    )
    for call_id, detail in events:
        turns.setdefault(call_id, []).append(detail if isinstance(detail, dict) else {})
    return {call_id: conversation_lines(turns=details) for call_id, details in turns.items()}
