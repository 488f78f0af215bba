"""What reverting one batch of an upload's entries does: put back what they changed, remove what they created.

- Customers and loans it created are removed, unless something depends on them now: a later upload
  touched them, or calls and promises refer to them. Those are kept and reported.
- Payments it recorded (from the file's payment columns) are removed; a payment that was already recorded
  before it (by a gateway, staff or an earlier file) was never the upload's, and stays.
- Values it changed go back to what they were, unless a later upload changed them again: those are
  reported as conflicts and left as they are.
- A national id it changed goes back as far as entries allow: they keep only the last four characters of
  each id, never its fingerprint. An id the upload added is removed (fingerprint and all); one it replaced
  gets its last four characters back but no fingerprint (counted as ``national_ids_unconfirmed``), so the
  next file that carries the customer's id records it again.

Each batch is read with a few queries and written with set-based statements; ``uploads.services.revert``
runs the batches, each in its own transaction, and keeps the running ``RevertReport``.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone

from customers.merge import CUSTOMER_ATTRIBUTES, LOAN_ATTRIBUTES
from customers.merge import as_change_value as json_value
from customers.models import Customer, Loan, Payment, PaymentSource, loan_status_for
from uploads.models import FileUpload, UploadRow, UploadStatus

from .batches import ACCEPTED

# How many of each kind of note the report keeps; the counts are always complete.
REPORT_LIMIT = 200


class RevertReport:
    """A revert's running report: what it removed and restored, and what it kept or left (the first notes)."""

    COUNTS = (
        "customers_removed",
        "loans_removed",
        "payments_removed",
        "values_restored",
        "national_ids_unconfirmed",
    )

    def __init__(self) -> None:
        self.customers_removed = 0
        self.loans_removed = 0
        self.payments_removed = 0
        self.values_restored = 0
        self.national_ids_unconfirmed = 0
        self.conflicts: list[dict] = []
        self.kept: list[dict] = []
        self.conflict_count = 0
        self.kept_count = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RevertReport":
        report = cls()
        for name in cls.COUNTS:
            setattr(report, name, data.get(name, 0))
        report.conflict_count, report.kept_count = data.get("conflicts", 0), data.get("kept", 0)
        report.conflicts, report.kept = list(data.get("conflict_notes", [])), list(data.get("kept_notes", []))
        return report

    def conflict(self, **note: Any) -> None:
        self.conflict_count += 1
        if len(self.conflicts) < REPORT_LIMIT:
            self.conflicts.append(note)

    def keep(self, **note: Any) -> None:
        self.kept_count += 1
        if len(self.kept) < REPORT_LIMIT:
            self.kept.append(note)

    def counts(self) -> dict[str, int]:
        return {
            **{name: getattr(self, name) for name in self.COUNTS},
            "conflicts": self.conflict_count,
            "kept": self.kept_count,
        }

    def as_dict(self) -> dict[str, Any]:
        return {**self.counts(), "conflict_notes": self.conflicts, "kept_notes": self.kept}


# --- What depends on a record -------------------------------------------------------------------


def _later_entries(upload: FileUpload) -> models.QuerySet[UploadRow]:
    """Entries of later uploads that still stand (not reverted, nor a preview or a check that imported nothing)."""
    later_uploads = (
        FileUpload.objects.filter(created_at__gt=upload.created_at)
        .exclude(status__in=[UploadStatus.REVERTED, UploadStatus.AWAITING_CONFIRMATION])
        .exclude(dry_run=True)
        # A subquery, not ``report__phase``: negated, a key comparison is unknown where the key is missing.
        .exclude(pk__in=FileUpload.objects.filter(report__phase="validation").values("pk"))
    )
    # By upload first: the entries' indexes start with it, and later uploads are few.
    return UploadRow.objects.filter(upload__in=later_uploads, outcome__in=ACCEPTED)


def _dependents(
    model: type[models.Model],
    ids: Iterable[Any],
    *,
    ignore: Iterable[type[models.Model]] = (),
    going: dict[type[models.Model], set[int]] | None = None,
) -> dict[Any, list[str]]:
    """For each of ``ids``, the names of other records (calls, promises…) that point at it.

    ``going``: records of a model that this batch deletes first, so they depend on nothing any more.
    """
    ids = list(ids)
    found: dict[Any, list[str]] = defaultdict(list)
    if not ids:
        return found
    for relation in model._meta.related_objects:
        if relation.related_model in ignore or not (relation.one_to_many or relation.one_to_one):
            continue
        related = relation.related_model._default_manager.filter(**{f"{relation.field.name}__in": ids})
        if going and going.get(relation.related_model):
            related = related.exclude(pk__in=going[relation.related_model])
        for pk in related.values_list(relation.field.attname, flat=True).distinct().order_by():
            found[pk].append(str(relation.related_model._meta.verbose_name_plural))
    return found


# --- Undoing entries ----------------------------------------------------------------------------


def undo_entries(upload: FileUpload, batch: list[dict], report: RevertReport) -> None:
    """Undo a batch of entries, newest row first, with a few reads before and bulk writes after."""
    loans = {
        loan.loan_id: loan
        for loan in Loan.objects.select_for_update().filter(loan_id__in={e["loan_id"] for e in batch if e["loan_id"]})
    }
    customer_ids = {e["customer_id"] for e in batch if not e["created_customer"]}
    customers = Customer.objects.select_for_update().in_bulk(customer_ids)
    payments, kept_payments = _upload_payments(upload, batch, loans)
    removed_payments = {payment.pk for payment in payments.values()} - kept_payments.keys()

    created_loans = {loans[e["loan_id"]].pk for e in batch if e["created_loan"] and e["loan_id"] in loans}
    loan_dependents = _dependents(Loan, created_loans, going={Payment: removed_payments})
    for loan_id in (
        _later_entries(upload)
        .filter(loan_id__in=[loan.loan_id for loan in loans.values() if loan.pk in created_loans])
        .values_list("loan_id", flat=True)
    ):
        if "a later upload" not in loan_dependents[loans[loan_id].pk]:
            loan_dependents[loans[loan_id].pk].insert(0, "a later upload")
    id_changed_later = set(
        _later_entries(upload)
        .filter(customer_id__in=customer_ids, changes__has_key="national_id")
        .values_list("customer_id", flat=True)
    )

    removed_loans: set[int] = set()
    dirty: dict[models.Model, set[str]] = defaultdict(set)
    for entry in batch:
        loan = loans.get(entry["loan_id"]) if entry["loan_id"] else None
        payment = payments.get(entry["row_number"])
        if payment is not None:
            if payment.pk in kept_payments:
                report.keep(
                    row=entry["row_number"],
                    loan_id=loan.loan_id,
                    payment=payment.pk,
                    reason=f"used by {', '.join(kept_payments[payment.pk])}",
                )
            else:
                report.payments_removed += 1

        if entry["created_loan"] and loan is not None:
            if loan_dependents.get(loan.pk):
                reason = f"used by {', '.join(loan_dependents[loan.pk])}"
                report.keep(row=entry["row_number"], loan_id=loan.loan_id, reason=reason)
            else:
                removed_loans.add(loan.pk)
                report.loans_removed += 1
            loan = None

        if entry["created_customer"]:
            continue  # the customer itself goes (or is kept) in the last pass

        customer = customers[entry["customer_id"]]
        dirty[customer] |= _restore(
            entry, customer, CUSTOMER_ATTRIBUTES, report, id_changed_later=customer.pk in id_changed_later
        )
        if loan is not None:
            fields = _restore(entry, loan, LOAN_ATTRIBUTES, report)
            # A restored amount moves the status with it (an upload that settled a loan, reverted).
            status = loan_status_for(status=loan.status, outstanding=loan.outstanding_amount)
            if status != loan.status:
                loan.status = status
                loan.updated_at = timezone.now()
                fields |= {"status"}
            dirty[loan] |= fields

    if removed_payments:
        Payment.objects.filter(pk__in=removed_payments).delete()
    if removed_loans:
        Loan.objects.filter(pk__in=removed_loans).delete()
    _bulk_save(dirty)


def _upload_payments(
    upload: FileUpload, batch: list[dict], loans: dict[str, Loan]
) -> tuple[dict[int, Payment], dict[int, list[str]]]:
    """The payment each entry recorded (by row), and those of them something else now uses (with what).

    The pipeline records a payment once per loan and key (its reference, or else its amount and date), so
    the loan's upload-sourced payment with that key is this upload's.
    """
    wanted: dict[tuple, int] = {}
    for entry in batch:
        changes, loan = entry["changes"], loans.get(entry["loan_id"])
        if loan is None or "payment_amount" not in changes:
            continue
        key = (
            loan.pk,
            Decimal(changes["payment_amount"][1]),
            date.fromisoformat(changes["payment_date"][1]),
            changes.get("payment_reference", [None, ""])[1],
        )
        wanted.setdefault(key, entry["row_number"])
    if not wanted:
        return {}, {}
    candidates = Payment.objects.filter(
        loan_id__in={key[0] for key in wanted}, source=PaymentSource.UPLOAD, created_at__gte=upload.created_at
    ).order_by("pk")
    payments: dict[int, Payment] = {}
    for payment in candidates:
        row = wanted.pop((payment.loan_id, payment.amount, payment.paid_on, payment.reference), None)
        if row is not None:
            payments[row] = payment
    dependents = _dependents(Payment, [payment.pk for payment in payments.values()])
    return payments, {pk: names for pk, names in dependents.items() if names}


def _restore(
    entry: dict,
    instance: models.Model,
    attributes: dict[str, str],
    report: RevertReport,
    *,
    id_changed_later: bool = False,
) -> set[str]:
    """Put back the values the entry changed on ``instance`` (unsaved); the fields it set."""
    changed_fields: set[str] = set()
    for column, (old, new) in entry["changes"].items():
        if column not in attributes:
            continue
        attribute = attributes[column]
        current = json_value(getattr(instance, attribute))
        # Two ids may end alike: whether a later upload changed the id, its entries tell.
        if current != new or (column == "national_id" and id_changed_later):
            report.conflict(row=entry["row_number"], field=column, set_by_upload=new, now=current)
            continue
        model_field = instance._meta.get_field(attribute)
        setattr(instance, attribute, model_field.to_python(old) if old is not None else _empty(model_field))
        changed_fields.add(attribute)
        report.values_restored += 1
        if column == "national_id":
            # The previous id's fingerprint was never kept outside the customer: it cannot come back.
            instance.national_id_fingerprint = ""
            changed_fields.add("national_id_fingerprint")
            if old not in (None, ""):
                report.national_ids_unconfirmed += 1
    if changed_fields:
        instance.updated_at = timezone.now()
    return changed_fields


def _empty(model_field: models.Field) -> Any:
    if model_field.null:
        return None
    return model_field.get_default()


def _bulk_save(dirty: dict[models.Model, set[str]]) -> None:
    """One prepared ``UPDATE`` per model and set of fields, run for every record in a batch of statements.

    Each record gets only the fields the revert changed. Not ``bulk_update``: its ``CASE WHEN`` for thousands
    of rows costs seconds of Python per batch.
    """
    groups: dict[tuple, list[models.Model]] = defaultdict(list)
    for instance, fields in dirty.items():
        if fields:
            groups[(type(instance), frozenset(fields))].append(instance)
    quote = connection.ops.quote_name
    for (model, fields), instances in groups.items():
        columns = [model._meta.get_field(name) for name in (*sorted(fields), "updated_at")]
        assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608 (names from the model, values as parameters)
        params = [
            [column.get_db_prep_save(getattr(instance, column.attname), connection) for column in columns]
            + [instance.pk]
            for instance in instances
        ]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                from psycopg2.extras import execute_batch

                execute_batch(cursor.cursor, sql, params, page_size=500)
            else:
                cursor.executemany(sql, params)


# --- Removing the customers it created ----------------------------------------------------------


def remove_customers(upload: FileUpload, batch: list[dict], report: RevertReport) -> None:
    ids = {entry["customer_id"] for entry in batch}
    phones = dict(Customer.objects.select_for_update().filter(pk__in=ids).values_list("pk", "phone"))
    dependents = _dependents(Customer, phones, ignore={Loan, UploadRow})
    for customer_id in _later_entries(upload).filter(customer_id__in=phones).values_list("customer_id", flat=True):
        if "a later upload" not in dependents[customer_id]:
            dependents[customer_id].insert(0, "a later upload")
    for customer_id in Loan.objects.filter(customer_id__in=phones).values_list("customer_id", flat=True).distinct():
        dependents[customer_id].append("loans that are kept")
    removed = set()
    for entry in batch:
        customer_id = entry["customer_id"]
        if customer_id not in phones or customer_id in removed:
            continue
        if dependents.get(customer_id):
            reason = f"used by {', '.join(dependents[customer_id])}"
            report.keep(row=entry["row_number"], phone=phones[customer_id], reason=reason)
            continue
        removed.add(customer_id)
        report.customers_removed += 1
    if removed:
        Customer.objects.filter(pk__in=removed).delete()
