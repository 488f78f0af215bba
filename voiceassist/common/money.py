"""Amounts written the Indian way: lakhs and crores grouped by two digits after the first thousand."""

from decimal import Decimal


def indian_grouping(amount: Decimal | int) -> str:
    """50000 -> "50,000"; 1234567.5 -> "12,34,567.50" (paise only when there are some)."""
    whole, _, paise = f"{Decimal(amount):.2f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    head, tail = whole[:-3], whole[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    text = sign + ",".join([*groups, tail])
    return text if paise == "00" else f"{text}.{paise}"
