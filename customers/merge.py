"""The one merge of incoming values into a customer and its loans.

Every write of a customer's or a loan's values goes through here: a batch of an upload (thousands of rows,
decided in memory and written in a few statements), and every single write — the admin, a held row that back
office accepts, the demo data. The steps are the same for one row or a batch:

1. ``customer_given`` / ``loan_given``: what a cleaned row gives, as entries hold values (amounts as
   ``"50000.00"``, dates as ISO text), keyed by the file's column names;
2. ``customer_state`` / ``loan_state``: what is stored, in the same shape;
3. ``merge``: the changes, ``{column: [old, new]}`` for each value that differs — what an upload entry and an
   audit row record;
4. ``customer_attributes`` / ``loan_attributes``: the merged state as model attributes, to write.

The column -> attribute map is the django-import-export ``Resource``'s declaration, read once here. The
national id is the one column whose value is never kept: a row gives its fingerprint (kept on the customer
only) and its last four characters (what changes and entries record).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .models import Customer, Loan
from .national_ids import NationalIdFingerprint, national_id_fingerprint
from .phones import phone_kind
from .resources import CustomerFileResource
from .states import state_normalize

Changes = dict[str, list[Any]]

_FIELDS = CustomerFileResource().fields
CUSTOMER_COLUMNS = ("name", "alternate_phone", "email", "state", "language", "national_id")
LOAN_COLUMNS = ("amount", "amount_due", "principal", "due_date", "days_past_due")
# File column -> model attribute, from the Resource. The national id is stored as its last four characters
# (and a fingerprint, which no change or entry ever holds).
CUSTOMER_ATTRIBUTES = {
    column: "national_id_last4" if column == "national_id" else _FIELDS[column].attribute for column in CUSTOMER_COLUMNS
}
LOAN_ATTRIBUTES = {column: _FIELDS[column].attribute for column in LOAN_COLUMNS}
_TEXT_COLUMNS = ("name", "email", "state", "language")


def as_change_value(value: Any) -> Any:
    """A value as changes and upload entries hold it: amounts as ``"50000.00"``, dates as ISO text."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


@dataclass(frozen=True, slots=True)
class CustomerGiven:
    """What one row gives a customer: values by column, and the fingerprint of its national id, if any."""

    values: dict[str, Any]
    national_id: NationalIdFingerprint | None = None


def customer_given(cleaned: Mapping[str, Any], *, phone: str) -> CustomerGiven:
    """The customer values of a cleaned row (columns left out or ``None`` are not touched).

    A name loses repeated spaces; a state becomes its one name (``KA`` and ``karnataka`` are ``Karnataka``; a
    code is read in the country of ``phone``); alternate phones are a sorted set without the primary phone.
    """
    values = {column: as_change_value(cleaned[column]) for column in _TEXT_COLUMNS if cleaned.get(column) is not None}
    if "name" in values:
        values["name"] = " ".join(str(values["name"]).split())
    if "state" in values:
        values["state"] = state_normalize(str(values["state"]), country=phone_kind(phone).country)
    if "email" in values:
        values["email"] = str(values["email"]).strip()
    if cleaned.get("alternate_phone") is not None:
        values["alternate_phone"] = sorted({p for p in cleaned["alternate_phone"] if p and p != phone})
    national_id = national_id_fingerprint(cleaned["national_id"]) if cleaned.get("national_id") else None
    if national_id is not None:
        values["national_id"] = national_id.last4
    return CustomerGiven(values=values, national_id=national_id)


def loan_given(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """The loan values of a cleaned row (columns left out or ``None`` are not touched)."""
    return {column: as_change_value(cleaned[column]) for column in LOAN_COLUMNS if cleaned.get(column) is not None}


def merge(current: Mapping[str, Any], given: Mapping[str, Any]) -> Changes:
    """``{column: [old, new]}`` for each given value that differs from the current one."""
    return {column: [current.get(column), new] for column, new in given.items() if current.get(column) != new}


def national_id_changed(*, stored_fingerprint: str | None, current_last4: str | None, given: NationalIdFingerprint):
    """Whether a row's national id differs from the customer's, compared by fingerprint.

    ``stored_fingerprint`` None means only the last four characters are known (a preview, after an earlier row
    of the same file gave the id: entries keep no fingerprint), so those are compared.
    """
    if stored_fingerprint is None:
        return current_last4 != given.last4
    return stored_fingerprint != given.fingerprint


def customer_merge(
    current: Mapping[str, Any], given: CustomerGiven, *, stored_fingerprint: str | None
) -> tuple[dict[str, Any], Changes]:
    """The customer's state after the row, and the changes. The national id counts as changed by fingerprint:
    the same last four digits of another id are a change, and the same id written again is none."""
    values = dict(given.values)
    changes = merge(current, {c: v for c, v in values.items() if c != "national_id"})
    if given.national_id is not None and national_id_changed(
        stored_fingerprint=stored_fingerprint, current_last4=current.get("national_id"), given=given.national_id
    ):
        changes["national_id"] = [current.get("national_id"), given.national_id.last4]
    return {**current, **values}, changes


def customer_state(record: Mapping[str, Any] | Customer) -> dict[str, Any]:
    """A stored customer (a model instance or a row of its attributes) in the shape of ``customer_given``."""
    get = record.get if isinstance(record, Mapping) else lambda name: getattr(record, name)
    return {column: as_change_value(get(attribute)) for column, attribute in CUSTOMER_ATTRIBUTES.items()}


def loan_state(record: Mapping[str, Any] | Loan) -> dict[str, Any]:
    """A stored loan (a model instance or a row of its attributes) in the shape of ``loan_given``."""
    get = record.get if isinstance(record, Mapping) else lambda name: getattr(record, name)
    return {column: as_change_value(get(attribute)) for column, attribute in LOAN_ATTRIBUTES.items()}


def customer_attributes(state: Mapping[str, Any], *, phone: str, fingerprint: str | None) -> dict[str, Any]:
    """A customer's merged state as model attributes (what a write sets), with what the phone says of itself."""
    kind = phone_kind(phone)
    return {
        "full_name": state.get("name") or "",
        "alternate_phones": state.get("alternate_phone") or [],
        "email": state.get("email") or "",
        "state": state.get("state") or "",
        "preferred_language": state.get("language") or "en",
        "national_id_fingerprint": fingerprint or "",
        "national_id_last4": state.get("national_id") or "",
        "phone_type": kind.type,
        "phone_country": kind.country,
    }


_LOAN_FIELDS = {attribute: Loan._meta.get_field(attribute) for attribute in LOAN_ATTRIBUTES.values()}


def loan_attributes(state: Mapping[str, Any]) -> dict[str, Any]:
    """A loan's merged state as model attributes (amounts as ``Decimal``, dates as ``date``)."""
    return {
        attribute: _LOAN_FIELDS[attribute].to_python(state.get(column)) for column, attribute in LOAN_ATTRIBUTES.items()
    }
