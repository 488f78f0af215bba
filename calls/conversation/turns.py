"""What goes into and comes out of one turn of the bot's conversation: what was heard, what to say, what to do.

Plain values, so providers and services handle them without the state machine (``engine``).
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class Heard:
    """One answer: what the recogniser wrote, the keys pressed, and how sure the recogniser was."""

    text: str = ""
    digits: str = ""
    confidence: float | None = None


@dataclass(frozen=True)
class Reply:
    """What the bot does next: say these, then listen (or end, or connect to ``transfer_to``)."""

    step: str
    language: str  # the call's language ("en", "hi")
    locale: str  # the recogniser's and the voice's locale ("en-IN", "hi-IN", "en-US")
    say: tuple[str, ...]
    listen: bool = False
    hints: tuple[str, ...] = ()
    max_digits: int = 1
    transfer_to: str = ""

    @property
    def ends(self) -> bool:
        return not self.listen


@dataclass(frozen=True)
class Action:
    """What the conversation decided, for ``calls.services.voice`` to carry out (outcomes, promises…)."""

    kind: str  # an outcome code, "promise", "callback", "transfer" or "" (nothing to do)
    amount: Decimal | None = None
    promised_date: date | None = None
    callback_at: datetime | None = None
    note: str = ""


@dataclass
class Turn:
    """The result of one step: the reply, what was understood, and the action to carry out."""

    reply: Reply
    intent: str = ""
    action: Action = field(default_factory=lambda: Action(kind=""))
