"""The answer ``understand`` gives, shared by both backends."""

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from calls.understanding.intents import INTENTS

__all__ = ["INTENTS", "Understanding"]


@dataclass(frozen=True)
class Understanding:
    intent: str  # one of INTENTS
    date: date | None  # the date said, if any (a promise's date, a payment's date, a call-back day)
    amount: Decimal | None  # the money said, if any
    time: time | None  # a time of day said, if any (for call-backs)
    confidence: float  # 0..1: how sure the backend is
    backend: str  # "rules" or "llm"
