"""Template filters of the agents' pages: how values are written, never what they mean."""

from django import template

from agents.access import user_may_use_agents_pages
from voiceassist.common.roles import user_is_back_office

register = template.Library()

# Never shown anywhere, not even as a change.
HIDDEN_COLUMNS = {"national_id_fingerprint"}
MASKED_COLUMNS = {"national_id"}
EMPTY = (None, "", [])


def _masked_id(last4: str) -> str:
    return f"•••• {last4}" if last4 else ""


@register.filter
def masked_national_id(last4: str) -> str:
    """The last four characters of a national id as ``•••• 9012``; the id itself is never stored."""
    return _masked_id(last4) or "—"


def _written(column: str, value) -> str:
    if column in MASKED_COLUMNS:
        return _masked_id(str(value))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "(none)"
    return str(value)


@register.filter
def change_lines(changes: dict) -> list[str]:
    """``{"amount": ["50000.00", "42000.00"]}`` as ``["amount: 50000.00 → 42000.00"]``."""
    lines = []
    for column, pair in (changes or {}).items():
        if column in HIDDEN_COLUMNS:
            continue
        old, new = pair
        if old in EMPTY:
            lines.append(f"{column}: {_written(column, new)}")
        else:
            lines.append(f"{column}: {_written(column, old)} → {_written(column, new)}")
    return lines


@register.filter
def is_back_office(user) -> bool:
    return user_is_back_office(user)


@register.filter
def may_use_agents_pages(user) -> bool:
    return user_may_use_agents_pages(user)
