"""The batch store on Django's ORM (SQLite in the embedded setup): ``bulk_create(update_conflicts=True)`` and
``__in`` lookups, in the shapes of ``stores``."""

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from customers.models import Customer, Loan, Payment
from uploads.models import UploadRow

from .stores import (
    CUSTOMER_READ,
    CUSTOMER_UPDATE_COLUMNS,
    EARLIER_ENTRY_FIELDS,
    LOAN_READ,
    LOAN_UPDATE_COLUMNS,
    PAYMENT_READ,
)


class OrmBatchStore:
    def start_batch(self) -> None:
        pass

    def end_batch(self) -> None:
        pass

    def customers_by_phone(self, phones: Iterable[str]) -> list[dict[str, Any]]:
        return list(Customer.objects.filter(phone__in=list(phones)).values(*CUSTOMER_READ))

    def loans_by_id(self, loan_ids: Iterable[str]) -> list[dict[str, Any]]:
        loans = Loan.objects.filter(loan_id__in=list(loan_ids)).values(*LOAN_READ, owner_phone=_customer_phone())
        return list(loans)

    def earlier_entries(self, upload_id, phones, loan_ids, outcomes) -> list[tuple]:
        from django.db.models import Q

        entries = UploadRow.objects.filter(upload_id=upload_id, outcome__in=list(outcomes)).filter(
            Q(phone__in=list(phones)) | Q(loan_id__in=list(loan_ids))
        )
        return list(entries.order_by("row_number").values_list(*EARLIER_ENTRY_FIELDS))

    def upsert_customers(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        if not rows:
            return {}
        Customer.objects.bulk_create(
            [Customer(**row) for row in rows],
            update_conflicts=True,
            unique_fields=["phone"],
            update_fields=list(CUSTOMER_UPDATE_COLUMNS),
            batch_size=500,
        )
        phones = [row["phone"] for row in rows]
        return dict(Customer.objects.filter(phone__in=phones).values_list("phone", "id"))

    def upsert_loans(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            Loan.objects.bulk_create(
                [Loan(**row) for row in rows],
                update_conflicts=True,
                unique_fields=["loan_id"],
                update_fields=list(LOAN_UPDATE_COLUMNS),
                batch_size=500,
            )

    def insert_entries(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            UploadRow.objects.bulk_create([UploadRow(**row) for row in rows], batch_size=500)

    def loan_pks(self, loan_ids: Iterable[str]) -> dict[str, int]:
        return dict(Loan.objects.filter(loan_id__in=list(loan_ids)).values_list("loan_id", "id"))

    def payments_of_loans(self, loan_ids: Iterable[str]) -> list[dict[str, Any]]:
        from django.db.models import F

        payments = Payment.objects.filter(loan__loan_id__in=list(loan_ids))
        return list(payments.values(*PAYMENT_READ, lender_loan_id=F("loan__loan_id")))

    def insert_payments(self, rows: list[dict[str, Any]]) -> dict[int, int]:
        if not rows:
            return {}
        try:
            with transaction.atomic():
                payments = Payment.objects.bulk_create([Payment(**row) for row in rows], batch_size=500)
        except IntegrityError:
            # A reference recorded meanwhile: one by one, leaving that one out.
            payments = []
            for row in rows:
                try:
                    with transaction.atomic():
                        payments.append(Payment.objects.create(**row))
                except IntegrityError:
                    continue
        return {payment.loan_id: payment.pk for payment in payments}


def _customer_phone():
    from django.db.models import F

    return F("customer__phone")
