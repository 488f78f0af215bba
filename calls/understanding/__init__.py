"""Speech understanding for the voice bot: what a caller's utterance means, with its date and amount.

``understand(text, lang=..., today=...)`` returns an ``Understanding``. The rules backend (the default) is
local and takes well under a millisecond a call once warm; the optional LLM backend
(``UNDERSTANDING_BACKEND=llm``) asks an OpenAI-compatible server and falls back to the rules on any failure.
``lang`` is the call's language; Hindi, Hinglish and English are understood in every call, so it only
decides nothing today and is kept for backends that can use it.
"""

from datetime import date

from calls.understanding.intents import INTENTS
from calls.understanding.result import Understanding
from calls.understanding.rules import understand_with_rules

__all__ = ["INTENTS", "Understanding", "understand"]


def _backend() -> str:
    from django.conf import settings

    return getattr(settings, "UNDERSTANDING_BACKEND", "rules") if settings.configured else "rules"


def understand(text: str, *, lang: str = "en", today: date | None = None) -> Understanding:
    """What ``text`` means on a collections call held on ``today`` (default: the local date)."""
    today = today or date.today()
    text = text or ""
    if text.strip() and _backend() == "llm":
        from calls.understanding.llm import understand_with_llm

        answer = understand_with_llm(text, lang=lang, today=today)
        if answer is not None:
            return answer
    return understand_with_rules(text, today=today)
