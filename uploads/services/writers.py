"""The database side of one batch of an upload: a few set-based reads and writes.

The pipeline decides what each row does; a store only reads what a batch needs and persists it in
a handful of statements. On PostgreSQL rows are streamed with ``COPY`` (into staging tables that are
merged with one ``INSERT … ON CONFLICT`` per table) and keys are passed as one array parameter;
elsewhere (SQLite in the embedded setup) Django's ``bulk_create(update_conflicts=True)`` and
``__in`` lookups do the same job (``orm_store``). Both take and give the same shapes (``stores``).

Here: which store a database gets (``batch_store``), and the PostgreSQL store; the ``COPY`` text format is
``copy_text``.
"""

import json
from collections.abc import Iterable
from typing import Any

from django.db import connection

from customers.models import Customer, Loan, Payment
from customers.services import customer_search_indexes_merge
from uploads.models import UploadRow

from .copy_text import copy_rows
from .orm_store import OrmBatchStore
from .stores import (
    CUSTOMER_COLUMNS,
    CUSTOMER_READ,
    CUSTOMER_UPDATE_COLUMNS,
    EARLIER_ENTRY_FIELDS,
    ENTRY_COLUMNS,
    LOAN_COLUMNS,
    LOAN_READ,
    LOAN_UPDATE_COLUMNS,
    PAYMENT_COLUMNS,
    PAYMENT_READ,
    BatchStore,
)


def batch_store() -> BatchStore:
    if connection.vendor == "postgresql":
        return PostgresBatchStore()
    return OrmBatchStore()


class PostgresBatchStore:
    customers = Customer._meta.db_table
    loans = Loan._meta.db_table
    entries = UploadRow._meta.db_table
    payments = Payment._meta.db_table

    def start_batch(self) -> None:
        # A batch's commit need not wait for its WAL to reach the disk: the upload's final status is
        # committed synchronously, and flushing that flushes every earlier batch too. If the database
        # itself crashes before then, the unacknowledged task resumes from the last durable batch.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")

    def end_batch(self) -> None:
        customer_search_indexes_merge()

    def customers_by_phone(self, phones: Iterable[str]) -> list[dict[str, Any]]:
        rows = self._select(f"SELECT {', '.join(CUSTOMER_READ)} FROM {self.customers} WHERE phone = ANY(%s)", phones)
        for row in rows:
            row["alternate_phones"] = _loads(row["alternate_phones"])
        return rows

    def loans_by_id(self, loan_ids: Iterable[str]) -> list[dict[str, Any]]:
        columns = ", ".join(f"l.{c}" for c in LOAN_READ)
        return self._select(
            f"SELECT {columns}, c.phone AS owner_phone FROM {self.loans} l "
            f"JOIN {self.customers} c ON c.id = l.customer_id WHERE l.loan_id = ANY(%s)",
            loan_ids,
        )

    def earlier_entries(self, upload_id, phones, loan_ids, outcomes) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(EARLIER_ENTRY_FIELDS)} FROM {self.entries} "
                "WHERE upload_id = %s AND outcome = ANY(%s) AND (phone = ANY(%s) OR loan_id = ANY(%s)) "
                "ORDER BY row_number",
                [upload_id, list(outcomes), list(phones), list(loan_ids)],
            )
            return [(n, p, loan, o, _loads(v), _loads(c), created) for n, p, loan, o, v, c, created in cursor]

    def upsert_customers(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        if not rows:
            return {}
        return dict(
            self._upsert(
                self.customers, CUSTOMER_COLUMNS, CUSTOMER_UPDATE_COLUMNS, "phone", rows, returning="phone, id"
            )
        )

    def upsert_loans(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._upsert(self.loans, LOAN_COLUMNS, LOAN_UPDATE_COLUMNS, "loan_id", rows)

    def _upsert(
        self,
        table: str,
        columns: tuple[str, ...],
        update_columns: tuple[str, ...],
        key: str,
        rows: list[dict[str, Any]],
        *,
        defaults: dict[str, str] | None = None,
        returning: str = "",
    ) -> list[tuple]:
        """Stage ``rows`` with COPY, then merge them into ``table`` in one ``INSERT … ON CONFLICT``."""
        defaults = defaults or {}
        names = ", ".join([*columns, *defaults])
        values = ", ".join([*columns, *defaults.values()])
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in update_columns)
        with connection.cursor() as cursor:
            self._stage(cursor, table, columns, rows)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {values} FROM stage_{table} "
                f"ON CONFLICT ({key}) DO UPDATE SET {updates}" + (f" RETURNING {returning}" if returning else "")
            )
            return cursor.fetchall() if returning else []

    def insert_entries(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            with connection.cursor() as cursor:
                copy_rows(cursor, self.entries, ENTRY_COLUMNS, rows)

    def loan_pks(self, loan_ids: Iterable[str]) -> dict[str, int]:
        rows = self._select(f"SELECT loan_id, id FROM {self.loans} WHERE loan_id = ANY(%s)", loan_ids)
        return {row["loan_id"]: row["id"] for row in rows}

    def payments_of_loans(self, loan_ids: Iterable[str]) -> list[dict[str, Any]]:
        columns = ", ".join(f"p.{c}" for c in PAYMENT_READ)
        return self._select(
            f"SELECT {columns}, l.loan_id AS lender_loan_id FROM {self.payments} p "
            f"JOIN {self.loans} l ON l.id = p.loan_id WHERE l.loan_id = ANY(%s)",
            loan_ids,
        )

    def insert_payments(self, rows: list[dict[str, Any]]) -> dict[int, int]:
        if not rows:
            return {}
        names = ", ".join(PAYMENT_COLUMNS)
        with connection.cursor() as cursor:
            self._stage(cursor, self.payments, PAYMENT_COLUMNS, rows)
            # Any unique conflict is a reference its loan took meanwhile: that payment is already recorded.
            cursor.execute(
                f"INSERT INTO {self.payments} ({names}) SELECT {names} FROM stage_{self.payments} "
                "ON CONFLICT DO NOTHING RETURNING loan_id, id"
            )
            return dict(cursor.fetchall())

    def _select(self, sql: str, keys: Iterable[str]) -> list[dict[str, Any]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, [list(keys)])
            names = [column.name for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor]

    def _stage(self, cursor, table: str, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
        """Copy ``rows`` into a session-local staging table shaped like ``table``.

        Emptied first: batches usually commit one by one, but need not (a caller's outer transaction).
        """
        stage = f"stage_{table}"
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS "
            f"SELECT {', '.join(columns)} FROM {table} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {stage}")
        copy_rows(cursor, stage, columns, rows)


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
