"""The compliance guard: may this call be placed now? One answer, used everywhere.

The dispatcher asks it for every due call of a tick (``GuardSession``, facts read in bulk), the worker
again at the instant of dialling (``guard_check_call``), agents' callbacks, the API, the admin's
"Why not now?" and ``manage.py compliance_check`` — all through ``guard_evaluate``.

- ``rules/``: the law as data (India, the United States and its state overlays), tightened by settings.
- ``jurisdiction.py``: a customer's country, US state and time zones, from their phone and state.
- ``facts.py``: the history the rules look at, read for many customers at once.
- ``engine.py``: the rules in their reporting order, and the next allowed time.
- ``session.py``: the guard asked about many calls at once, or about one.
- ``scenarios.py``: what-if scenarios (``manage.py compliance_check``), on rows rolled back.
"""

from django.core.exceptions import ImproperlyConfigured

from .engine import ALLOWED, Channel, GuardDecision, GuardRequest, Reason, guard_evaluate
from .facts import CustomerFacts
from .jurisdiction import Jurisdiction, jurisdiction_for
from .rules import overrides_problems, rules_for
from .session import (
    GuardSession,
    guard_check,
    guard_check_call,
    guard_check_customer,
    guard_explain,
    guard_request_for_call,
)

__all__ = [
    "ALLOWED",
    "Channel",
    "GuardDecision",
    "GuardRequest",
    "GuardSession",
    "Jurisdiction",
    "Reason",
    "CustomerFacts",
    "compliance_settings_validate",
    "guard_check",
    "guard_check_call",
    "guard_check_customer",
    "guard_explain",
    "guard_evaluate",
    "guard_request_for_call",
    "jurisdiction_for",
    "rules_for",
]


def compliance_settings_validate(overrides) -> None:
    """Refuse, at startup, settings that would widen the law (``manage.py check`` and every process)."""
    problems = overrides_problems(overrides)
    if problems:
        raise ImproperlyConfigured("Compliance settings may only narrow the law:\n- " + "\n- ".join(problems))
