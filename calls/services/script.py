"""The words of the voice script for one call, in the customer's language, with their details filled in."""

from dataclasses import dataclass
from decimal import Decimal

from calls.models import Call, VoiceScript


@dataclass(frozen=True)
class ScriptTexts:
    language: str
    greeting: str
    menu: str
    promise_thanks: str
    paid_thanks: str
    agent_transfer: str
    no_input: str
    goodbye: str


def _indian_amount(amount: Decimal | None) -> str:
    """50000 -> "50,000"; 1234567.5 -> "12,34,567.50" (how Indian customers hear amounts written)."""
    if amount is None:
        return "the due amount"
    whole, _, paise = f"{amount:.2f}".partition(".")
    head, tail = whole[:-3], whole[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    text = ",".join([*groups, tail]) if groups else tail
    return text if paise == "00" else f"{text}.{paise}"


def script_texts(*, call: Call) -> ScriptTexts:
    """The customer's language if a script exists for it, English otherwise."""
    customer, loan = call.customer, call.loan
    script = VoiceScript.objects.filter(language=customer.preferred_language).first() or VoiceScript.objects.get(
        language="en"
    )
    values = {
        "name": customer.full_name,
        "amount": _indian_amount(loan.outstanding_amount if loan else None),
        "due_date": f"{loan.due_date:%-d %B %Y}" if loan and loan.due_date else "the due date",
    }

    def fill(text: str) -> str:
        # Plain replacement, not str.format: scripts are edited in the admin and must never run code.
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        return text

    return ScriptTexts(
        language=script.language,
        greeting=fill(script.greeting),
        menu=fill(script.menu),
        promise_thanks=fill(script.promise_thanks),
        paid_thanks=fill(script.paid_thanks),
        agent_transfer=fill(script.agent_transfer),
        no_input=fill(script.no_input),
        goodbye=fill(script.goodbye),
    )
