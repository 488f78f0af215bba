"""What a rule set is, and the one way to change one: narrowing it.

Law and state overlays are data (``india.py``, ``united_states.py``); settings may tighten them and
nothing may widen them. ``narrowed`` is the single place that decides what "tighter" means.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import time
from typing import Any

# A rule set field -> how a new value compares with the law's: it must be at least as strict.
_STRICTER = {
    "max_attempts_per_day": "at_most",
    "max_attempts_per_7_days": "at_most",
    "max_attempts_per_debt_7_days": "at_most",
    "quiet_days_after_conversation": "at_least",
    "holidays": "only_on",
    "window": "inside",
}
TIGHTENABLE = tuple(_STRICTER)


class WidensTheLaw(ValueError):
    """A setting or an overlay would make a rule looser than the law."""


@dataclass(frozen=True)
class RuleSet:
    """The calling rules of one jurisdiction. ``None`` for a cap: the law sets none."""

    name: str
    window: tuple[time, time]  # customer-local, [start, end)
    max_attempts_per_day: int | None  # per customer, per local calendar day
    max_attempts_per_7_days: int | None  # per customer, in 7 consecutive local days (today and the 6 before)
    max_attempts_per_debt_7_days: int | None  # per debt, in 7 consecutive local days
    quiet_days_after_conversation: int | None  # per debt: the conversation's day and the days after it
    holidays: bool  # no bot calls on the public holidays of the customer's country (and US state)
    # Rule field -> where it comes from (a circular, a section of a statute, or "product policy").
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def narrowed(self, *, by: str, **changes: Any) -> "RuleSet":
        """This rule set with ``changes`` applied, each of which must be at least as strict; ``by`` names
        who asks (a setting, an overlay) for the error message."""
        for name, value in changes.items():
            if name not in _STRICTER:
                raise WidensTheLaw(f"{by}: “{name}” is not a calling rule (rules: {', '.join(TIGHTENABLE)}).")
            _check_stricter(self, name, value, by=by)
        return replace(self, **changes)

    def tightened(self, **changes: Any) -> "RuleSet":
        """This rule set with each of ``changes`` where it is stricter (the stricter of both wins)."""
        stricter = {}
        for name, value in changes.items():
            current, kind = getattr(self, name), _STRICTER[name]
            if kind == "inside":
                stricter[name] = (max(current[0], value[0]), min(current[1], value[1]))
            elif kind == "only_on":
                stricter[name] = current or value
            elif current is None:
                stricter[name] = value
            else:
                stricter[name] = min(current, value) if kind == "at_most" else max(current, value)
        return replace(self, **stricter)

    def describe(self) -> dict[str, Any]:
        """The rules in words and numbers, for people (the README, the admin)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("sources",)}


def _check_stricter(law: RuleSet, name: str, value: Any, *, by: str) -> None:
    current = getattr(law, name)
    kind = _STRICTER[name]
    if kind == "inside":
        start, end = value
        if not (isinstance(start, time) and isinstance(end, time)) or start >= end:
            raise WidensTheLaw(f"{by}: the window must be two times of day, the first before the second.")
        if start < current[0] or end > current[1]:
            raise WidensTheLaw(
                f"{by}: the window {start:%H:%M}–{end:%H:%M} is wider than {law.name}'s "
                f"{current[0]:%H:%M}–{current[1]:%H:%M}; settings may only narrow it."
            )
        return
    if kind == "only_on":
        if current and not value:
            raise WidensTheLaw(f"{by}: {law.name} keeps bot calls off public holidays; that cannot be turned off.")
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise WidensTheLaw(f"{by}: “{name}” must be a whole number, not {value!r}.")
    if current is None:
        return
    if kind == "at_most" and value > current:
        raise WidensTheLaw(f"{by}: {name}={value} is looser than {law.name}'s {current}; settings may only lower it.")
    if kind == "at_least" and value < current:
        raise WidensTheLaw(f"{by}: {name}={value} is shorter than {law.name}'s {current}; settings may only raise it.")
