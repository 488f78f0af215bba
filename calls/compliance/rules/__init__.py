"""The rule set that applies to a jurisdiction: the country's law, its state's overlay, then settings.

Each step goes through ``RuleSet.narrowed``, so neither an overlay nor a setting can loosen the law.
Settings come from ``COMPLIANCE_OVERRIDES`` (JSON in the environment), keyed by country ("IN", "US")
or US state ("US-MA"); startup refuses any value that would widen the law (see ``overrides_problems``).
"""

from dataclasses import replace
from datetime import time
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from .base import TIGHTENABLE, RuleSet, WidensTheLaw
from .india import INDIA
from .united_states import STATE_OVERLAYS, UNITED_STATES
from .us_states import US_STATES

LAWS: dict[str, RuleSet] = {"IN": INDIA, "US": UNITED_STATES}
# Countries with no rule set of their own get India's numbers (the strictest hours the product knows)
# under their own name; their holidays still come from their own country's calendar.
DEFAULT_LAW = INDIA

__all__ = ["LAWS", "TIGHTENABLE", "RuleSet", "WidensTheLaw", "overrides_problems", "rules_for"]


def _parse_override(value: dict[str, Any]) -> dict[str, Any]:
    """A settings entry as rule set fields: ``"window": "09:00-18:00"`` becomes two times."""
    parsed = dict(value)
    if "window" in parsed:
        window = parsed["window"]
        if isinstance(window, str):
            window = window.replace("–", "-").split("-")
        try:
            start, end = (time.fromisoformat(str(part).strip()) for part in window)
        except (TypeError, ValueError) as exc:
            raise WidensTheLaw(f"window {value['window']!r} is not “HH:MM-HH:MM”.") from exc
        parsed["window"] = (start, end)
    return parsed


def _build(country: str, state: str, overrides: dict[str, dict[str, Any]]) -> RuleSet:
    """The law of ``country``, its ``state``'s overlay, then the settings for each; the strictest value wins.

    A setting is checked against the law of its own level (``US`` against federal law, ``US-MA`` against
    federal law with Massachusetts' overlay) and raises ``WidensTheLaw`` if it is looser.
    """
    law = LAWS.get(country)
    if law is None:
        law = replace(DEFAULT_LAW, name=f"{country or 'Unknown country'} (default rules)")
    country_override = overrides.get(country)
    if country_override:
        changes = _parse_override(country_override)
        law.narrowed(by=f"COMPLIANCE_OVERRIDES[{country!r}]", **changes)
    if country == "US" and state in STATE_OVERLAYS:
        overlay, source = STATE_OVERLAYS[state]
        law = replace(
            law.narrowed(by=f"the {US_STATES[state][0]} overlay", **overlay),
            name=f"{law.name} + {US_STATES[state][0]}",
            sources={**law.sources, **dict.fromkeys(overlay, source)},
        )
    state_override = overrides.get(f"{country}-{state}") if state else None
    if state_override:
        changes_here = _parse_override(state_override)
        law = law.narrowed(by=f"COMPLIANCE_OVERRIDES['{country}-{state}']", **changes_here)
    if country_override:
        law = law.tightened(**changes)
    return law


@lru_cache(maxsize=512)
def rules_for(country: str, state: str = "") -> RuleSet:
    """The rules for a customer in ``country`` (ISO code) and, in the US, ``state`` (code or "")."""
    return _build(country, state, settings.COMPLIANCE_OVERRIDES)


@receiver(setting_changed)
def _forget_rules(*, setting: str, **kwargs: Any) -> None:
    if setting == "COMPLIANCE_OVERRIDES":
        rules_for.cache_clear()


def overrides_problems(overrides: Any) -> list[str]:
    """Every way ``overrides`` is malformed or would widen the law, in words; empty when it only narrows."""
    if not isinstance(overrides, dict):
        return ['COMPLIANCE_OVERRIDES must be a JSON object keyed by jurisdiction, e.g. {"IN": {...}}.']
    problems = []
    for key, value in overrides.items():
        country, _, state = str(key).partition("-")
        if country not in LAWS or (state and (country != "US" or state not in US_STATES)):
            problems.append(f"COMPLIANCE_OVERRIDES: unknown jurisdiction {key!r} (use IN, US or US-<state>).")
            continue
        if not isinstance(value, dict):
            problems.append(f"COMPLIANCE_OVERRIDES[{key!r}] must be an object of rules.")
            continue
        try:
            _build(country, state, {key: value})
        except WidensTheLaw as exc:
            problems.append(str(exc) if str(exc).startswith("COMPLIANCE") else f"COMPLIANCE_OVERRIDES[{key!r}]: {exc}")
    return problems
