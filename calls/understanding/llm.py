"""Optional backend: ask an OpenAI-compatible chat server (vLLM, llama.cpp, Ollama) for the intent.

Off unless ``UNDERSTANDING_BACKEND=llm``. The server must answer within
``UNDERSTANDING_LLM_TIMEOUT_SECONDS`` with JSON matching ``RESPONSE_SCHEMA``; anything else (an error, a
timeout, bad JSON, an intent outside ``INTENTS``, a malformed date or amount) returns None and the caller
uses the rules. Logs never carry the utterance or the API key: a caller's words are personal data.
"""

import json
import logging
from datetime import date
from decimal import Decimal, InvalidOperation

import requests
from django.conf import settings

from calls.understanding.intents import INTENTS
from calls.understanding.result import Understanding

logger = logging.getLogger(__name__)

RESPONSE_SCHEMA = {
    "type": "object",
    "properties": {
        "intent": {"type": "string", "enum": list(INTENTS)},
        "date": {"type": ["string", "null"], "description": "YYYY-MM-DD, or null when no date was said"},
        "amount": {"type": ["string", "null"], "description": "rupees as a plain decimal, or null"},
    },
    "required": ["intent", "date", "amount"],
    "additionalProperties": False,
}

SYSTEM_PROMPT = """You read one utterance from a borrower on a loan-collections phone call in India and say what it
means. The call is in {language}; the utterance may be English, Hindi in Devanagari, or romanised Hinglish, and
comes from a speech recogniser, so expect misspellings. Today is {today} ({weekday}).
Answer only with JSON: {{"intent": ..., "date": ..., "amount": ...}}.
intent is one of:
- promise_to_pay: will pay (with or without a date or amount)
- already_paid: says the payment is already made
- dispute: not their loan, never took it, or the amount is wrong
- wrong_number: the person asked for is unknown at this number
- callback: asks to be called later or is busy now
- cannot_pay: cannot pay (no money, lost job, illness) or refuses to pay
- agent: wants to talk to a human
- stop_calling: asks not to be called again
- yes / no: a plain confirmation or refusal ("not available" / "he is not at home" is no)
- unclear: anything else
date: the date said, as YYYY-MM-DD relative to today ("kal" is tomorrow in the future tense and yesterday in the
past tense; a weekday is the coming one; a day of the month that has passed means next month), or null.
amount: the rupee amount said, digits only (e.g. "12500"), or null. A day number, a year or a count of days is not
an amount."""

_LANGUAGES = {"hi": "Hindi", "en": "English"}


def _request_body(text: str, *, lang: str, today: date) -> dict:
    prompt = SYSTEM_PROMPT.format(
        language=_LANGUAGES.get(lang, "English"), today=today.isoformat(), weekday=today.strftime("%A")
    )
    return {
        "model": settings.UNDERSTANDING_LLM_MODEL,
        "temperature": 0,
        "messages": [{"role": "system", "content": prompt}, {"role": "user", "content": text}],
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "understanding", "strict": True, "schema": RESPONSE_SCHEMA},
        },
    }


def _parse_answer(content: str) -> Understanding | None:
    answer = json.loads(content)
    if not isinstance(answer, dict) or answer.get("intent") not in INTENTS:
        return None
    said_date = answer.get("date")
    amount = answer.get("amount")
    if (
        said_date is not None
        and not isinstance(said_date, str)
        or amount is not None
        and not isinstance(amount, str | int | float)
    ):
        return None
    try:
        parsed_date = date.fromisoformat(said_date) if said_date else None
        parsed_amount = Decimal(str(amount).replace(",", "")) if amount not in (None, "") else None
    except (ValueError, InvalidOperation):
        return None
    if parsed_amount is not None and (not parsed_amount.is_finite() or parsed_amount < 0):
        return None
    return Understanding(
        intent=answer["intent"], date=parsed_date, amount=parsed_amount, time=None, confidence=0.8, backend="llm"
    )


def understand_with_llm(text: str, *, lang: str, today: date) -> Understanding | None:
    """The server's reading of ``text``, or None when it fails in any way (the caller falls back to rules)."""
    url = settings.UNDERSTANDING_LLM_URL.rstrip("/")
    if not url:
        logger.warning("Understanding backend is llm but UNDERSTANDING_LLM_URL is empty; using rules.")
        return None
    headers = {"Content-Type": "application/json"}
    if settings.UNDERSTANDING_LLM_API_KEY:
        headers["Authorization"] = f"Bearer {settings.UNDERSTANDING_LLM_API_KEY}"
    try:
        response = requests.post(
            f"{url}/chat/completions",
            json=_request_body(text, lang=lang, today=today),
            headers=headers,
            timeout=settings.UNDERSTANDING_LLM_TIMEOUT_SECONDS,
        )
        response.raise_for_status()
        content = response.json()["choices"][0]["message"]["content"]
        answer = _parse_answer(content)
    except requests.Timeout:
        logger.warning("Understanding server timed out; using rules.")
        return None
    except requests.RequestException as error:
        status = getattr(error.response, "status_code", None)
        logger.warning("Understanding server failed (%s, status %s); using rules.", type(error).__name__, status)
        return None
    except (ValueError, KeyError, IndexError, TypeError) as error:
        logger.warning("Understanding server gave an unreadable answer (%s); using rules.", type(error).__name__)
        return None
    if answer is None:
        logger.warning("Understanding server answered outside the schema; using rules.")
    return answer
