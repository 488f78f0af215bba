"""Template filters of the agents' pages: how values are written, never what they mean."""

import re
from datetime import date

from django import template
from django.utils.html import format_html

from agents.access import user_may_use_agents_pages
from voiceassist.common.money import money_display
from voiceassist.common.roles import user_is_back_office

register = template.Library()

# Never shown anywhere, not even as a change.
HIDDEN_COLUMNS = {"national_id_fingerprint"}
MASKED_COLUMNS = {"national_id"}
# An upload's columns (``UploadRow.changes``) holding money and dates: written as the pages write them.
MONEY_COLUMNS = {"amount", "amount_due", "principal", "payment_amount"}
DATE_COLUMNS = {"due_date", "payment_date"}
EMPTY = (None, "", [])
_NOT_DIALLED = re.compile(r"[^\d+]")


@register.filter
def tel_link(phone: str, do_not_call: bool = False) -> str:
    """A phone as a tap-to-call link (``tel:+919876543210``), which a phone or a softphone dials.

    ``phone|tel_link:customer.do_not_call``: a customer on do-not-call keeps the number as plain text, so
    nobody calls them with one tap.
    """
    if not phone:
        return "—"
    if do_not_call:
        return phone
    return format_html('<a class="tel" href="tel:{}">{}</a>', _NOT_DIALLED.sub("", phone), phone)


def _masked_id(last4: str) -> str:
    return f"•••• {last4}" if last4 else ""


@register.filter
def masked_national_id(last4: str) -> str:
    """The last four characters of a national id as ``•••• 9012``; the id itself is never stored."""
    return _masked_id(last4) or "—"


def _written(column: str, value, customer) -> str:
    if column in MASKED_COLUMNS:
        return _masked_id(str(value))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "(none)"
    try:
        if column in MONEY_COLUMNS:
            return money_display(value, customer=customer)
        if column in DATE_COLUMNS:
            return f"{date.fromisoformat(str(value)):%-d %b %Y}"
    except (ArithmeticError, ValueError):  # not what the column usually holds: as it was written
        pass
    return str(value)


@register.filter
def change_lines(changes: dict, customer=None) -> list[str]:
    """``{"amount": ["50000.00", "42000.00"]}`` as ``["amount: ₹50,000.00 → ₹42,000.00"]`` (in ``customer``'s
    currency when given); dates day first."""
    lines = []
    for column, pair in (changes or {}).items():
        if column in HIDDEN_COLUMNS:
            continue
        old, new = pair
        if old in EMPTY:
            lines.append(f"{column}: {_written(column, new, customer)}")
        else:
            lines.append(f"{column}: {_written(column, old, customer)} → {_written(column, new, customer)}")
    return lines


@register.filter
def is_back_office(user) -> bool:
    return user_is_back_office(user)


@register.filter
def may_use_agents_pages(user) -> bool:
    return user_may_use_agents_pages(user)
