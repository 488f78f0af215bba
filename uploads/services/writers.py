"""The database side of one batch of an upload: a few set-based reads and writes.

The pipeline decides what each row does; a store only reads what a batch needs and persists it in
a handful of statements. On PostgreSQL rows are streamed with ``COPY`` (into staging tables that are
merged with one ``INSERT … ON CONFLICT`` per table) and keys are passed as one array parameter;
elsewhere (SQLite in the embedded setup) Django's ``bulk_create(update_conflicts=True)`` and
``__in`` lookups do the same job. Both take and give the same shapes.
"""

import io
import json
import operator
import re
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import orjson
from django.db import IntegrityError, connection, transaction

from customers.models import Customer, Loan, Payment
from customers.services import customer_search_indexes_merge
from uploads.models import UploadRow

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
_JSON_COLUMNS = frozenset({"alternate_phones", "values", "errors", "changes"})


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
                _copy(cursor, self.entries, ENTRY_COLUMNS, rows)

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
        _copy(cursor, stage, columns, rows)


# --- COPY's text format ----------------------------------------------------------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_needs_escape = re.compile(r"[\\\t\n\r]").search


def _dumps(value: Any) -> str:
    # orjson: an order of magnitude faster than json for the three JSON documents of every entry.
    return orjson.dumps(value, default=str).decode()


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if value.__class__ is str:
        return value.translate(_COPY_ESCAPES) if _needs_escape(value) else value
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def _copy_json(value: Any) -> str:
    # JSON text has no raw tab or line break; only its own backslashes need doubling.
    text = _dumps(value)
    return text.replace("\\", "\\\\") if "\\" in text else text


def _copy(cursor, table: str, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    """Stream ``rows`` into ``table`` with ``COPY … FROM STDIN`` (text format: tab-separated, ``\\N`` is NULL).

    Most lines need no escaping, so each is built plainly and checked once; only a line whose text
    holds a tab, a line break or a backslash is built again cell by cell with escapes.
    """
    converters: list[Callable[[Any], str]] = [_copy_json if c in _JSON_COLUMNS else _copy_text for c in columns]
    json_positions = [i for i, column in enumerate(columns) if column in _JSON_COLUMNS]
    values_of = operator.itemgetter(*columns)
    separators = len(columns) - 1
    lines = []
    for row in rows:
        values = list(values_of(row))
        plain = values.copy()
        for i in json_positions:
            plain[i] = _dumps(plain[i])
        line = "\t".join(["\\N" if v is None else "t" if v is True else "f" if v is False else str(v) for v in plain])
        # Every backslash must be a NULL marker's, every tab a separator.
        if line.count("\t") != separators or line.count("\\") != plain.count(None) or "\n" in line or "\r" in line:
            line = "\t".join([convert(value) for convert, value in zip(converters, values, strict=True)])
        lines.append(line)
    lines.append("")
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO("\n".join(lines)))


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def batch_store() -> BatchStore:
    if connection.vendor == "postgresql":
        return PostgresBatchStore()
    return OrmBatchStore()
