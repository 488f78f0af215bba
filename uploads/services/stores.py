"""What a batch store reads and writes (each table's columns, as the pipeline passes them), and the protocol its
two implementations follow: ``OrmBatchStore`` (``orm_store``) and ``PostgresBatchStore`` (``writers``).
"""

from collections.abc import Iterable
from typing import Any, Protocol

# What the pipeline reads of a stored customer / loan (model attributes).
CUSTOMER_READ = (
    "id",
    "phone",
    "first_uploaded_at",
    "full_name",
    "alternate_phones",
    "email",
    "state",
    "preferred_language",
    "national_id_last4",
    "national_id_fingerprint",
)
LOAN_READ = (
    "loan_id",
    "status",
    "outstanding_amount",
    "amount_due",
    "principal_amount",
    "due_date",
    "days_past_due",
)

CUSTOMER_COLUMNS = (
    "phone",
    "full_name",
    "alternate_phones",
    "email",
    "state",
    "preferred_language",
    "national_id_fingerprint",
    "national_id_last4",
    "phone_type",
    "phone_country",
    "first_uploaded_at",
    "last_uploaded_at",
    "created_at",
    "updated_at",
)
# On conflict everything but the phone and the creation time takes the batch's value (the pipeline
# has already merged the file's values with the stored ones).
CUSTOMER_UPDATE_COLUMNS = tuple(c for c in CUSTOMER_COLUMNS if c not in ("phone", "created_at"))

LOAN_COLUMNS = (
    "loan_id",
    "customer_id",
    "principal_amount",
    "outstanding_amount",
    "amount_due",
    "due_date",
    "days_past_due",
    "status",
    "created_at",
    "updated_at",
)
LOAN_UPDATE_COLUMNS = (
    "principal_amount",
    "outstanding_amount",
    "amount_due",
    "due_date",
    "days_past_due",
    "status",
    "updated_at",
)
# What the pipeline reads of a batch's loans' payments, to take each payment once; and what it writes.
# ``lender_loan_id`` is the loan's ``Loan.loan_id``; ``loan_id`` in the rows written is its primary key.
PAYMENT_READ = ("reference", "amount", "paid_on", "source", "gateway")
PAYMENT_COLUMNS = (
    "loan_id",
    "amount",
    "paid_on",
    "paid_at",
    "reference",
    "source",
    "gateway",
    "recorded_by_id",
    "created_at",
    "updated_at",
)

ENTRY_COLUMNS = (
    "upload_id",
    "row_number",
    "outcome",
    "customer_id",
    "phone",
    "loan_id",
    "created_customer",
    "created_loan",
    "values",
    "errors",
    "changes",
    "created_at",
)
EARLIER_ENTRY_FIELDS = ("row_number", "phone", "loan_id", "outcome", "values", "changes", "created_customer")


class BatchStore(Protocol):
    def start_batch(self) -> None:
        """Called first inside each batch's transaction."""

    def end_batch(self) -> None:
        """Called after a batch that wrote customers has committed."""

    def customers_by_phone(self, phones: Iterable[str]) -> list[dict[str, Any]]:
        """Stored customers with these phones (``CUSTOMER_READ`` fields)."""

    def loans_by_id(self, loan_ids: Iterable[str]) -> list[dict[str, Any]]:
        """Stored loans with these ids (``LOAN_READ`` fields and ``owner_phone``)."""

    def earlier_entries(
        self, upload_id: int, phones: Iterable[str], loan_ids: Iterable[str], outcomes: Iterable[str]
    ) -> list[tuple]:
        """Entries of this upload naming these phones or loan ids (``EARLIER_ENTRY_FIELDS``), in row order."""

    def upsert_customers(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        """Insert or update customers (one row per phone); return ``{phone: id}``."""

    def upsert_loans(self, rows: list[dict[str, Any]]) -> None:
        """Insert or update loans (one row per loan id). A loan's customer is never changed."""

    def insert_entries(self, rows: list[dict[str, Any]]) -> None:
        """Insert the batch's entries."""

    def loan_pks(self, loan_ids: Iterable[str]) -> dict[str, int]:
        """``{loan id: primary key}`` of the stored loans with these loan ids."""

    def payments_of_loans(self, loan_ids: Iterable[str]) -> list[dict[str, Any]]:
        """The payments of the loans with these loan ids (``PAYMENT_READ`` fields and ``lender_loan_id``)."""

    def insert_payments(self, rows: list[dict[str, Any]]) -> dict[int, int]:
        """Insert payments (``PAYMENT_COLUMNS``), leaving out any whose reference its loan has by now (a webhook
        may record it while the batch runs); return ``{loan primary key: payment primary key}`` of those written."""
