"""The bot's conversation: one state machine (``engine``), its words per language (``prompts``), and how
amounts and dates are said (``speech``). Providers and services use what is exported here."""

from .context import Context, loans_in_conversation
from .engine import (
    ASK,
    ASK_DATE,
    CONFIRM,
    ENDED,
    GREETING,
    MACHINE,
    VERIFY,
    conversation_answer,
    conversation_for_machine,
    conversation_open,
)
from .prompts import CONVERSATION_LANGUAGES, PROMPT_KEYS, PROMPTS
from .turns import Action, Heard, Reply, Turn

__all__ = [
    "ASK",
    "ASK_DATE",
    "CONFIRM",
    "CONVERSATION_LANGUAGES",
    "ENDED",
    "GREETING",
    "MACHINE",
    "PROMPTS",
    "PROMPT_KEYS",
    "VERIFY",
    "Action",
    "Context",
    "Heard",
    "Reply",
    "Turn",
    "conversation_answer",
    "conversation_for_machine",
    "conversation_open",
    "loans_in_conversation",
]
