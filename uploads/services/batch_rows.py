"""One row of a batch, and what can be told from the row alone: its cells as written, as its entry keeps them,
whether it is a summary line, and how its name compares."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings

from customers.merge import as_change_value as json_value

from .batch_payments import FilePayment


@dataclass(slots=True)
class BatchRow:
    number: int
    values: dict[str, Any]
    cleaned: dict[str, Any]
    errors: list[str]
    phone: str = ""
    loan_id: str = ""
    outcome: str = ""
    changes: dict[str, list] = field(default_factory=dict)
    created_customer: bool = False
    created_loan: bool = False
    payment: FilePayment | None = None  # the payment the row reports, until it proves already recorded


def cell_as_written(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str | int | bool):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    return json_value(value) if isinstance(value, Decimal | date | datetime) else str(value)


def entry_values(values: dict[str, Any]) -> dict[str, Any]:
    """The row as an entry keeps it: a cell longer than ``UPLOAD_ENTRY_MAX_CELL_CHARS`` is cut, and says so.

    A cell may hold up to ``UPLOAD_MAX_CELL_CHARS`` (32,767) characters, refused as a value but kept here for
    every row of every upload.
    """
    limit = settings.UPLOAD_ENTRY_MAX_CELL_CHARS
    for value in values.values():
        if value.__class__ is str and len(value) > limit:
            marker = f"…[cut at {limit:,} characters]"
            return {
                header: f"{cell[:limit]}{marker}" if cell.__class__ is str and len(cell) > limit else cell
                for header, cell in values.items()
            }
    return values


# Words a spreadsheet's summary line starts with ("TOTAL", "Grand Total", "कुल"): such a row carries no
# phone and no loan of its own, only figures.
_SUMMARY_WORDS = re.compile(r"^\s*(grand\s*total|sub\s*-?\s*total|totals?|कुल|योग)\b", re.IGNORECASE)


def summary_label(row: BatchRow) -> str:
    """The label of a summary row (a TOTAL line at the bottom of a sheet), or "" for any other row."""
    if row.phone:
        return ""
    texts = [str(value).strip() for value in row.values.values() if value not in (None, "")]
    label = next((text for text in texts if _SUMMARY_WORDS.match(text)), "")
    if not label or (row.loan_id and row.loan_id != label):
        return ""
    return label


def name_key(name: str | None) -> str:
    return " ".join((name or "").split()).casefold()
