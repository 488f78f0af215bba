"""Undo an upload: remove what it created and put back what it changed, where that is still safe.

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
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone

from customers.models import Customer, Loan, Payment, PaymentSource, loan_status_for
from uploads.models import FileUpload, RowOutcome, UploadRow, UploadStatus
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.services import audit_event_record

from .processing import ACCEPTED, CUSTOMER_ATTRIBUTES, LOAN_ATTRIBUTES, error_without_row_values, json_value

REVERTIBLE = (UploadStatus.COMPLETED, UploadStatus.FAILED)
# How many of each kind of note the report keeps; the counts are always complete.
REPORT_LIMIT = 200


@transaction.atomic
def upload_revert_request(*, upload: FileUpload, actor: AbstractBaseUser | None) -> FileUpload:
    """Check the upload can be reverted, mark it and queue the work (large uploads take a while)."""
    from uploads.tasks import upload_revert_task

    upload = FileUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.dry_run or upload.status not in REVERTIBLE:
        raise ApplicationError(
            f"Upload #{upload.pk} is {upload.get_status_display().lower()}; only a completed or failed "
            "import can be reverted.",
            code="not_revertible",
        )
    upload.status = UploadStatus.REVERTING
    upload.save(update_fields=["status", "updated_at"])
    audit_event_record(actor=actor, action="upload.revert_requested", target=upload)
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    transaction.on_commit(lambda: upload_revert_task.delay(upload.pk, actor_id))
    return upload


def upload_revert(*, upload: FileUpload, actor: AbstractBaseUser | None) -> dict[str, Any]:
    failure = None
    try:
        return _revert(upload=upload, actor=actor)
    except ApplicationError:
        raise
    except Exception as exc:
        # Its text may quote values (a database error's ``Key (phone)=(…)``), and the task logs it.
        failure = error_without_row_values(exc, where=f"Revert of upload {upload.pk}")
    raise failure  # outside the handler, so that the original error is not chained to it


@transaction.atomic
def _revert(*, upload: FileUpload, actor: AbstractBaseUser | None) -> dict[str, Any]:
    upload = FileUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.status == UploadStatus.REVERTED:
        return upload.report.get("revert", {})
    if upload.dry_run or upload.status not in (*REVERTIBLE, UploadStatus.REVERTING):
        raise ApplicationError(f"Upload #{upload.pk} cannot be reverted.", code="not_revertible")

    report = _Report()
    entries = (
        upload.entries.filter(outcome__in=[RowOutcome.CREATED, RowOutcome.UPDATED])
        .select_related("customer")
        .order_by("-row_number")
    )
    created_customers: dict[int, UploadRow] = {}
    for entry in entries.iterator(chunk_size=2000):
        if entry.customer_id is None:
            continue  # the customer is gone already
        if entry.created_customer:
            created_customers[entry.customer_id] = entry
        _revert_entry(upload, entry, report)
    for entry in created_customers.values():
        _remove_customer(upload, entry, report)

    upload.status = UploadStatus.REVERTED
    upload.report = {**upload.report, "revert": report.as_dict()}
    upload.save(update_fields=["status", "report", "updated_at"])
    audit_event_record(actor=actor, action="upload.reverted", target=upload, details=report.counts())
    return upload.report["revert"]


class _Report:
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
            "customers_removed": self.customers_removed,
            "loans_removed": self.loans_removed,
            "payments_removed": self.payments_removed,
            "values_restored": self.values_restored,
            "national_ids_unconfirmed": self.national_ids_unconfirmed,
            "conflicts": self.conflict_count,
            "kept": self.kept_count,
        }

    def as_dict(self) -> dict[str, Any]:
        return {**self.counts(), "conflict_notes": self.conflicts, "kept_notes": self.kept}


def _later_entries(upload: FileUpload) -> models.QuerySet[UploadRow]:
    return UploadRow.objects.filter(outcome__in=ACCEPTED, upload__created_at__gt=upload.created_at).exclude(
        upload__status=UploadStatus.REVERTED
    )


def _other_dependents(instance: models.Model, ignore: set[type[models.Model]]) -> list[str]:
    """Names of other records (calls, promises…) that point at ``instance``."""
    found = []
    for relation in instance._meta.related_objects:
        if relation.related_model in ignore or not (relation.one_to_many or relation.one_to_one):
            continue
        if relation.related_model._default_manager.filter(**{relation.field.name: instance}).exists():
            found.append(relation.related_model._meta.verbose_name_plural)
    return found


def _revert_entry(upload: FileUpload, entry: UploadRow, report: _Report) -> None:
    customer = entry.customer
    loan = Loan.objects.filter(loan_id=entry.loan_id).first() if entry.loan_id else None
    if loan is not None and "payment_amount" in entry.changes:
        _remove_payment(upload, entry, loan, report)

    if entry.created_loan and loan is not None:
        dependents = _other_dependents(loan, ignore=set())
        if _later_entries(upload).filter(loan_id=loan.loan_id).exists():
            dependents.insert(0, "a later upload")
        if dependents:
            report.keep(row=entry.row_number, loan_id=loan.loan_id, reason=f"used by {', '.join(dependents)}")
        else:
            loan.delete()
            report.loans_removed += 1
        loan = None

    if entry.created_customer:
        return  # the customer itself goes (or is kept) once all its rows are undone

    _restore(entry, customer, CUSTOMER_ATTRIBUTES, report, later=_later_entries(upload))
    if loan is not None:
        _restore(entry, loan, LOAN_ATTRIBUTES, report)
        # A restored amount moves the status with it (an upload that settled a loan, reverted).
        status = loan_status_for(status=loan.status, outstanding=loan.outstanding_amount)
        if status != loan.status:
            loan.status = status
            loan.save(update_fields=["status", "updated_at"])


def _remove_payment(upload: FileUpload, entry: UploadRow, loan: Loan, report: _Report) -> None:
    """Remove the payment the entry recorded. The pipeline records a payment once per loan and key (its reference,
    or else its amount and date), so the loan's upload-sourced payment with that key is this upload's."""
    changes = entry.changes
    payment = Payment.objects.filter(
        loan=loan,
        source=PaymentSource.UPLOAD,
        amount=Decimal(changes["payment_amount"][1]),
        paid_on=date.fromisoformat(changes["payment_date"][1]),
        reference=changes.get("payment_reference", [None, ""])[1],
        created_at__gte=upload.created_at,
    ).first()
    if payment is None:
        return  # removed already
    dependents = _other_dependents(payment, ignore=set())
    if dependents:
        report.keep(
            row=entry.row_number, loan_id=loan.loan_id, payment=payment.pk, reason=f"used by {', '.join(dependents)}"
        )
        return
    payment.delete()
    report.payments_removed += 1


def _restore(
    entry: UploadRow,
    instance: models.Model,
    attributes: dict[str, str],
    report: _Report,
    *,
    later: models.QuerySet[UploadRow] | None = None,
) -> None:
    changed_fields = []
    for column, (old, new) in entry.changes.items():
        if column not in attributes:
            continue
        attribute = attributes[column]
        current = json_value(getattr(instance, attribute))
        # Two ids may end alike: whether a later upload changed the id, its entries tell.
        if current != new or (column == "national_id" and _national_id_changed_later(instance, later)):
            report.conflict(row=entry.row_number, field=column, set_by_upload=new, now=current)
            continue
        model_field = instance._meta.get_field(attribute)
        setattr(instance, attribute, model_field.to_python(old) if old is not None else _empty(model_field))
        changed_fields.append(attribute)
        if column == "national_id":
            # The previous id's fingerprint was never kept outside the customer: it cannot come back.
            instance.national_id_fingerprint = ""
            changed_fields.append("national_id_fingerprint")
            if old not in (None, ""):
                report.national_ids_unconfirmed += 1
    if changed_fields:
        instance.updated_at = timezone.now()
        instance.save(update_fields=[*changed_fields, "updated_at"])
        report.values_restored += len([f for f in changed_fields if f != "national_id_fingerprint"])


def _national_id_changed_later(customer: models.Model, later: models.QuerySet[UploadRow] | None) -> bool:
    return later is not None and later.filter(customer=customer, changes__has_key="national_id").exists()


def _empty(model_field: models.Field) -> Any:
    if model_field.null:
        return None
    return model_field.get_default()


def _remove_customer(upload: FileUpload, entry: UploadRow, report: _Report) -> None:
    customer = Customer.objects.filter(pk=entry.customer_id).first()
    if customer is None:
        return
    dependents = _other_dependents(customer, ignore={Loan, UploadRow})
    if _later_entries(upload).filter(customer=customer).exists():
        dependents.insert(0, "a later upload")
    if customer.loans.exists():
        dependents.append("loans that are kept")
    if dependents:
        report.keep(row=entry.row_number, phone=customer.phone, reason=f"used by {', '.join(dependents)}")
        return
    customer.delete()
    report.customers_removed += 1
