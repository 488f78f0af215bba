"""The compliance guard's answer written for back office, shared by the calls' and the customers' pages."""

from django.utils.html import format_html

from ..compliance import GuardDecision


def decision_html(decision: GuardDecision) -> str:
    """The guard's answer as back office reads it: allowed, or the reason and the next allowed time."""
    if decision:
        return format_html('<span class="guard-allowed">{}</span>', "Allowed now.")
    when = decision.next_allowed_at
    return format_html(
        '<strong>{}</strong>: {} <br><span class="guard-next">Next allowed: {}</span>',
        decision.code,
        decision.message,
        f"{when:%a %-d %b %Y, %H:%M} ({when.tzinfo}, the customer's time)"
        if when
        else "only when back office lifts it",
    )
