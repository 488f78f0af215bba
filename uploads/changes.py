"""What an upload row changed, in words: the one way the pages, the admin and the exports write an entry's
``changes`` (money the Indian way in the customer's currency, dates day first, national ids masked)."""

from datetime import date

from voiceassist.common.money import money_display

# Never shown anywhere, not even as a change.
HIDDEN_COLUMNS = {"national_id_fingerprint"}
MASKED_COLUMNS = {"national_id"}
# An upload's columns holding money and dates: written as the pages write them.
MONEY_COLUMNS = {"amount", "amount_due", "principal", "payment_amount"}
DATE_COLUMNS = {"due_date", "payment_date"}
EMPTY = (None, "", [])


def masked_id(last4: str) -> str:
    """The last four characters of a national id as ``•••• 9012``; empty when there are none."""
    return f"•••• {last4}" if last4 else ""


def _written(column: str, value, customer) -> str:
    if column in MASKED_COLUMNS:
        return masked_id(str(value))
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


def change_lines(changes: dict | None, customer=None) -> list[str]:
    """``{"amount": ["50000.00", "42000.00"]}`` as ``["amount: ₹50,000.00 → ₹42,000.00"]`` (in ``customer``'s
    currency when given, else rupees); dates day first; a value first set is written without an arrow."""
    lines = []
    for column, (old, new) in (changes or {}).items():
        if column in HIDDEN_COLUMNS:
            continue
        if old in EMPTY:
            lines.append(f"{column}: {_written(column, new, customer)}")
        else:
            lines.append(f"{column}: {_written(column, old, customer)} → {_written(column, new, customer)}")
    return lines
