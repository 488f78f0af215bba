"""Set-based writes of one batch of an upload: customers, loans and entries.

The pipeline decides what each row does; these writers only persist a batch in a few statements.
On PostgreSQL rows are streamed with ``COPY`` into staging tables and merged with one
``INSERT … ON CONFLICT`` per table; elsewhere (SQLite in the embedded setup) Django's
``bulk_create(update_conflicts=True)`` does the same job. Both take and give the same shapes.
"""

import csv
import io
import json
import operator
from typing import Any, Protocol

from django.db import connection

from customers.models import Customer, Loan
from uploads.models import UploadRow

CUSTOMER_COLUMNS = (
    "phone",
    "full_name",
    "alternate_phones",
    "email",
    "state",
    "preferred_language",
    "national_id_fingerprint",
    "national_id_last4",
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
    "due_date",
    "days_past_due",
    "status",
    "created_at",
    "updated_at",
)
LOAN_UPDATE_COLUMNS = ("principal_amount", "outstanding_amount", "due_date", "days_past_due", "updated_at")

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
_JSON_COLUMNS = {"alternate_phones", "values", "errors", "changes"}


class BatchWriter(Protocol):
    def upsert_customers(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        """Insert or update customers (one row per phone); return ``{phone: id}``."""

    def upsert_loans(self, rows: list[dict[str, Any]]) -> None:
        """Insert or update loans (one row per loan id). A loan's customer is never changed."""

    def insert_entries(self, rows: list[dict[str, Any]]) -> None:
        """Insert the batch's entries."""


class OrmBatchWriter:
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


class PostgresCopyBatchWriter:
    def upsert_customers(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        if not rows:
            return {}
        table = Customer._meta.db_table
        with connection.cursor() as cursor:
            self._stage(cursor, table, CUSTOMER_COLUMNS, rows)
            columns = ", ".join(CUSTOMER_COLUMNS)
            updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in CUSTOMER_UPDATE_COLUMNS)
            cursor.execute(
                f"INSERT INTO {table} ({columns}, do_not_call, do_not_call_reason) "  # noqa: S608 (names are ours)
                f"SELECT {columns}, false, '' FROM stage_{table} "
                f"ON CONFLICT (phone) DO UPDATE SET {updates} RETURNING phone, id"
            )
            return dict(cursor.fetchall())

    def upsert_loans(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        table = Loan._meta.db_table
        with connection.cursor() as cursor:
            self._stage(cursor, table, LOAN_COLUMNS, rows)
            columns = ", ".join(LOAN_COLUMNS)
            updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in LOAN_UPDATE_COLUMNS)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM stage_{table} "  # noqa: S608
                f"ON CONFLICT (loan_id) DO UPDATE SET {updates}"
            )

    def insert_entries(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            with connection.cursor() as cursor:
                self._copy(cursor, UploadRow._meta.db_table, ENTRY_COLUMNS, rows)

    def _stage(self, cursor, table: str, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
        """Copy ``rows`` into a session-local staging table shaped like ``table``.

        Emptied first: batches usually commit one by one, but need not (a caller's outer transaction).
        """
        stage = f"stage_{table}"
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS "  # noqa: S608
            f"SELECT {', '.join(columns)} FROM {table} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {stage}")
        self._copy(cursor, stage, columns, rows)

    def _copy(self, cursor, table: str, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
        # csv writes None as an empty field (NULL below) and booleans as True/False, which PostgreSQL
        # reads; only the JSON columns need encoding.
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        values_of = operator.itemgetter(*columns)
        json_positions = [i for i, column in enumerate(columns) if column in _JSON_COLUMNS]
        for row in rows:
            values = list(values_of(row))
            for i in json_positions:
                values[i] = _dumps(values[i])
            writer.writerow(values)
        buffer.seek(0)
        # Unquoted empty fields are NULL in COPY's CSV format; quote text columns so "" stays "".
        text_columns = [c for c in columns if c in _TEXT_COLUMNS]
        force = f", FORCE_NOT_NULL ({', '.join(text_columns)})" if text_columns else ""
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv{force})", buffer)


_TEXT_COLUMNS = {
    "phone",
    "full_name",
    "email",
    "state",
    "preferred_language",
    "national_id_fingerprint",
    "national_id_last4",
    "loan_id",
    "status",
    "outcome",
}


_dumps = json.JSONEncoder(ensure_ascii=False, default=str, separators=(",", ":")).encode


def batch_writer() -> BatchWriter:
    if connection.vendor == "postgresql":
        return PostgresCopyBatchWriter()
    return OrmBatchWriter()
