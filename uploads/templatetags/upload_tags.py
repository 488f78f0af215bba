from django import template

register = template.Library()

HIDDEN = {"national_id_fingerprint"}


@register.filter
def change_lines(changes: dict) -> list[str]:
    """``{"amount": ["50000.00", "42000.00"]}`` as ``["amount: 50000.00 → 42000.00"]``."""
    lines = []
    for column, (old, new) in (changes or {}).items():
        if column in HIDDEN:
            continue
        lines.append(f"{column}: {new}" if old in (None, "", []) else f"{column}: {old} → {new}")
    return lines
