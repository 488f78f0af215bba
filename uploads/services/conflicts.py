"""Name conflicts: rows of a file that gave a known phone another name, held until back office decides.

The phone stays the identity. **Accepting** a held row renames the customer and applies the rest of the
row as the file had it (its loan, amounts, dates), through the same single-row services the admin and
the API use; the entry then records what it changed. **Rejecting** it changes nothing. Either way the
entry says who decided and when, and the decision is audited.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from customers.headers import header_map
from customers.merge import CUSTOMER_ATTRIBUTES, LOAN_ATTRIBUTES
from customers.resources import resource_clean_row
from customers.services import customer_upsert, loan_upsert
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.services import audit_event_record

from ..models import ConflictResolution, RowOutcome, UploadRow
from .columns import upload_column_overrides

# The file's columns a held row applies when accepted (its national id never: entries keep it masked).
_CUSTOMER = {column: attribute for column, attribute in CUSTOMER_ATTRIBUTES.items() if column != "national_id"}
_LOAN = LOAN_ATTRIBUTES


def name_conflicts_pending(*, upload_id: int | None = None) -> QuerySet[UploadRow]:
    entries = UploadRow.objects.filter(outcome=RowOutcome.NAME_CONFLICT, resolution="")
    return entries.filter(upload_id=upload_id) if upload_id is not None else entries


def _cleaned(entry: UploadRow) -> dict:
    """The held row's values, read with the columns its upload was read with (a profile's, a person's)."""
    mapping = header_map(list(entry.values), overrides=upload_column_overrides(entry.upload))
    columns = {}
    for column, index in mapping.columns.items():
        if column != "national_id":
            columns[column] = list(entry.values.values())[index]
    cleaned, errors = resource_clean_row(columns)
    if errors:
        problems = "; ".join(f"{column}: {message}" for column, message in errors.items())
        raise ApplicationError(f"Row {entry.row_number} cannot be applied: {problems}", code="invalid_row")
    return cleaned


def _accept(entry: UploadRow) -> dict:
    cleaned = _cleaned(entry)
    customer = customer_upsert(
        phone=entry.phone,
        uploaded_at=entry.upload.created_at,
        **{attribute: cleaned[column] for column, attribute in _CUSTOMER.items() if cleaned.get(column) is not None},
    )
    changes = dict(customer.changes)
    if entry.loan_id:
        loan = loan_upsert(
            customer=customer.instance,
            loan_id=entry.loan_id,
            **{attribute: cleaned[column] for column, attribute in _LOAN.items() if cleaned.get(column) is not None},
        )
        changes |= loan.changes
        entry.created_loan = loan.created
    entry.customer = customer.instance
    return changes


@transaction.atomic
def name_conflicts_resolve(*, entries: QuerySet[UploadRow], accept: bool, actor: AbstractBaseUser) -> int:
    """Accept (rename and apply) or reject held rows, one by one or in bulk; returns how many were decided.
    Rows already decided, or not held, are left as they are."""
    at = timezone.now()
    decided = 0
    held = entries.filter(outcome=RowOutcome.NAME_CONFLICT, resolution="").select_related("upload", "customer")
    for entry in held.select_for_update(of=("self",)).order_by("upload_id", "row_number"):
        previous_name = entry.customer.full_name if entry.customer else ""
        if accept:
            entry.changes = _accept(entry)
        entry.resolution = ConflictResolution.ACCEPTED if accept else ConflictResolution.REJECTED
        entry.resolved_at, entry.resolved_by = at, actor
        entry.save(update_fields=["changes", "resolution", "resolved_at", "resolved_by", "customer", "created_loan"])
        audit_event_record(
            actor=actor,
            action=f"upload.name_conflict_{entry.resolution}",
            target=entry.upload,
            details={"row": entry.row_number, "phone": entry.phone, "was": previous_name},
        )
        decided += 1
    return decided
