"""One batch of an upload: what each row does, decided in memory and written in a few statements."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from customers.headers import header_column
from customers.merge import (
    CUSTOMER_ATTRIBUTES,
    LOAN_ATTRIBUTES,
    customer_attributes,
    customer_given,
    customer_merge,
    customer_state,
    loan_attributes,
    loan_given,
    loan_state,
    merge,
)
from customers.models import LoanStatus, loan_status_for
from customers.national_ids import (
    national_id_mask,
    national_ids_masked,
)
from customers.resources import resource_clean_row
from customers.services import loans_settled_announce
from uploads.models import COUNT_FIELDS, FileUpload, RowOutcome, UploadMode
from voiceassist.common.money import indian_grouping

from .batch_payments import PAYMENT_FILE_COLUMNS, BatchPayments
from .batch_rows import BatchRow, cell_as_written, entry_values, name_key, summary_label
from .writers import batch_store

ACCEPTED = (RowOutcome.CREATED, RowOutcome.UPDATED, RowOutcome.UNCHANGED)


class BatchProcessor:
    """Decides each row's outcome and changes, then (when writing) persists the batch."""

    def __init__(
        self,
        *,
        upload: FileUpload,
        headers: list[str],
        columns: dict[str, int],
        write: bool,
        cells_are_text: bool,
        kinds: dict[str, str] | None = None,
    ):
        self.upload = upload
        self.headers = headers
        self.columns = columns
        self.column_items = list(columns.items())
        self.write = write
        self.cells_are_text = cells_are_text
        self.store = batch_store()
        self.uploaded_at = upload.created_at
        self.name_header = headers[columns["name"]] if "name" in columns else None
        # Every column that names a national id, not only the one imported (a file may have Aadhaar and PAN).
        # What each header holds: a column mapping's choice first (a profile, or a person at preview), else its
        # aliases — kept even for a header set aside, so an ignored "Aadhaar" column is still masked.
        kinds = {header: (kinds or {}).get(header) or header_column(header) for header in headers if header}
        self.national_id_headers = [header for header, kind in kinds.items() if kind == "national_id"]
        self.phone_headers = frozenset(h for h, kind in kinds.items() if kind in ("phone", "alternate_phone"))
        # Other columns' cells are masked where they hold an id, except loan ids: kept as written, as the row's
        # key, which a failed-rows file must carry back intact.
        # Payment references too: a 12-digit UTR may pass for an Aadhaar number, and it is the payment's key.
        self.loan_id_headers = frozenset(h for h, kind in kinds.items() if kind in ("loan_id", "payment_reference"))
        self.has_payments = any(column in columns for column in PAYMENT_FILE_COLUMNS)
        self.payments = BatchPayments(
            store=self.store, recorded_by_id=upload.uploaded_by_id, today=timezone.localdate()
        )

    def parse(self, batch: list[tuple[int, list]]) -> list[BatchRow]:
        """Read and clean the batch's rows: pure Python, no database (so it may run beside another batch's
        writes)."""
        return [self._parse(number, cells) for number, cells in batch]

    def process(self, batch: list[tuple[int, list]], rows: list[BatchRow] | None = None) -> dict[str, int]:
        """Decide and (when writing) persist the batch, parsed here unless ``rows`` are given."""
        rows = self.parse(batch) if rows is None else rows
        phones = {row.phone for row in rows if row.phone}
        loan_ids = {row.loan_id for row in rows if row.loan_id}
        self._load(phones, loan_ids)
        self.payments.load({row.loan_id for row in rows if row.payment is not None and row.loan_id})
        for row in rows:
            self._decide(row)
        now = timezone.now()
        customer_ids = {phone: data["id"] for phone, data in self.stored_customers.items()}
        if self.write:
            customer_rows = [self._customer_row(phone, now) for phone in self.touched_customers]
            customer_ids.update(self.store.upsert_customers(customer_rows))
            self.settled_loans: list[str] = []
            self.store.upsert_loans([self._loan_row(loan_id, customer_ids, now) for loan_id in self.touched_loans])
            loans_settled_announce(loan_ids=self.settled_loans)
            self.payments.record([row for row in rows if row.payment is not None and row.outcome in ACCEPTED], now)
        self.store.insert_entries([self._entry_row(row, customer_ids) for row in rows])
        counts: dict[str, int] = dict.fromkeys(COUNT_FIELDS, 0)
        for row in rows:
            counts[row.outcome] += 1
        return counts

    def _parse(self, number: int, cells: list) -> BatchRow:
        if self.cells_are_text:
            values = dict(zip(self.headers, cells, strict=False))
        else:
            values = {header: cell_as_written(cell) for header, cell in zip(self.headers, cells, strict=False)}
        values.pop("", None)
        # The entry keeps the row as written, except national ids: never stored in clear.
        for header in self.national_id_headers:
            if header in values:
                values[header] = national_id_mask(values[header])
        masked = national_ids_masked(values, phone_columns=self.phone_headers, kept_columns=self.loan_id_headers)
        if masked:
            values.update(masked)
        cleaned, errors = resource_clean_row({column: cells[index] for column, index in self.column_items})
        row = BatchRow(
            number=number,
            values=values,
            cleaned=cleaned,
            errors=[f"{column}: {message}" for column, message in errors.items()] if errors else [],
            phone=cleaned.get("phone") or "",
            loan_id=cleaned.get("loan_id") or "",
        )
        if self.has_payments:
            self.payments.read(row, errors)
        return row

    def _load(self, phones: set[str], loan_ids: set[str]) -> None:
        """What the database and the earlier rows of this file say about the batch's keys."""
        self.stored_customers: dict[str, dict] = {}
        self.customers: dict[str, dict] = {}  # phone -> current values, keyed by file column
        self.first_uploaded: dict[str, Any] = {}
        # phone -> national id fingerprint, kept apart from the values that entries record. None: set by an
        # earlier row of this preview, which (like every entry) kept only the id's last four characters.
        self.fingerprints: dict[str, str | None] = {}
        for data in self.store.customers_by_phone(phones):
            self.stored_customers[data["phone"]] = data
            self.customers[data["phone"]] = customer_state(data)
            self.first_uploaded[data["phone"]] = data["first_uploaded_at"]
            self.fingerprints[data["phone"]] = data["national_id_fingerprint"]

        self.loans: dict[str, dict] = {}  # loan id -> current values (file columns) and its owner's phone
        self.loan_status: dict[str, str] = {}
        for data in self.store.loans_by_id(loan_ids):
            self.loans[data["loan_id"]] = loan_state(data)
            self.loans[data["loan_id"]]["phone"] = data["owner_phone"]
            self.loan_status[data["loan_id"]] = data["status"]

        # Keys seen earlier in this file: duplicates are judged against them. In a preview nothing
        # was written, so the earlier rows' changes are replayed to see what the import would find.
        self.seen_phones: dict[str, tuple[int, str]] = {}
        self.seen_loans: dict[str, int] = {}
        self.created_here: set[str] = set()
        earlier = self.store.earlier_entries(self.upload.pk, phones, loan_ids, [*ACCEPTED, RowOutcome.SKIPPED])
        for number, phone, loan_id, outcome, values, changes, created_customer in earlier:
            if phone in phones:
                name = values.get(self.name_header, "") if self.name_header else ""
                self.seen_phones.setdefault(phone, (number, str(name)))
                if created_customer:
                    self.created_here.add(phone)
            if loan_id:
                self.seen_loans.setdefault(loan_id, number)
            if not self.write and outcome in ACCEPTED:
                self._replay(phone, loan_id, changes)
        self.touched_customers: dict[str, None] = {}
        self.touched_loans: dict[str, None] = {}

    def _replay(self, phone: str, loan_id: str, changes: dict[str, list]) -> None:
        customer = self.customers.setdefault(phone, {})
        for column, (_, new) in changes.items():
            if column in CUSTOMER_ATTRIBUTES:
                customer[column] = new
        if "national_id" in changes:
            self.fingerprints[phone] = None
        if loan_id:
            loan = self.loans.setdefault(loan_id, {"phone": phone})
            for column, (_, new) in changes.items():
                if column in LOAN_ATTRIBUTES:
                    loan[column] = new

    def _decide(self, row: BatchRow) -> None:
        summary = summary_label(row)
        if summary:
            # A spreadsheet's total line, not a borrower: skipped and said so, never counted invalid.
            row.errors = [f"A summary row (“{summary}”), not a customer: skipped."]
            row.outcome = RowOutcome.SKIPPED
            return
        if row.errors:
            row.outcome = RowOutcome.INVALID
            return
        phone, loan_id, name = row.phone, row.loan_id, row.cleaned.get("name")
        if loan_id and loan_id in self.seen_loans:
            self._reject(row, RowOutcome.DUPLICATE, f"loan_id: {loan_id} is also in row {self.seen_loans[loan_id]}.")
            return
        first = self.seen_phones.get(phone)
        if first and name and first[1] and name_key(name) != name_key(first[1]):
            self._reject(
                row,
                RowOutcome.DUPLICATE,
                f"phone: {phone} is also in row {first[0]} with another name (“{first[1]}”).",
            )
            return

        exists = phone in self.customers
        mode = self.upload.mode
        loan = self.loans.get(loan_id) if loan_id else None
        if loan and loan["phone"] != phone:
            self._reject(row, RowOutcome.INVALID, f"loan_id: {loan_id} belongs to another customer.")
            return
        if loan_id and row.cleaned.get("amount_due") is not None:
            problem = self._amount_due_problem(row.cleaned, loan)
            if problem:
                self._reject(row, RowOutcome.INVALID, problem)
                return
        self.seen_phones.setdefault(phone, (row.number, name or ""))
        if loan_id:
            self.seen_loans[loan_id] = row.number
        if mode == UploadMode.CREATE_ONLY and exists and phone not in self.created_here:
            self._reject(row, RowOutcome.SKIPPED, f"{phone} is already a customer; this upload only adds new ones.")
            return
        if mode == UploadMode.UPDATE_ONLY and not exists:
            self._reject(row, RowOutcome.SKIPPED, f"No customer has phone {phone}; this upload only updates.")
            return
        if not exists and not name:
            self._reject(row, RowOutcome.INVALID, "name: a name is required for a new customer.")
            return

        given = customer_given(row.cleaned, phone=phone)
        current = self.customers.get(phone, {})
        if exists and name and current.get("name") and name_key(name) != name_key(current["name"]):
            # The phone is the identity; another name for it is a shared family phone or a mistake, never a
            # silent rename: the whole row waits for back office (``uploads.services.conflicts``).
            self._reject(
                row,
                RowOutcome.NAME_CONFLICT,
                f"name: {phone} is “{current['name']}”; this row says “{name}”. "
                "Held for back office to accept (rename) or reject.",
            )
            return
        self.customers[phone], row.changes = customer_merge(
            current, given, stored_fingerprint=self.fingerprints.get(phone, "")
        )
        if given.national_id is not None:
            self.fingerprints[phone] = given.national_id.fingerprint
        row.created_customer = not exists
        if row.created_customer:
            self.created_here.add(phone)
        self.touched_customers[phone] = None

        if loan_id:
            given_to_loan = loan_given(row.cleaned)
            loan_current = loan or {}
            row.changes.update(merge(loan_current, given_to_loan))
            row.created_loan = loan is None
            self.loans[loan_id] = {**loan_current, **given_to_loan, "phone": phone}
            self.touched_loans[loan_id] = None
            if row.payment is not None:
                self.payments.given(row)

        if row.created_customer or row.created_loan:
            row.outcome = RowOutcome.CREATED
        elif row.changes:
            row.outcome = RowOutcome.UPDATED
        else:
            row.outcome = RowOutcome.UNCHANGED

    @staticmethod
    def _amount_due_problem(cleaned: dict[str, Any], loan: dict[str, Any] | None) -> str | None:
        """The amount due is at most what the loan owes: the row's outstanding amount, or else the stored one."""
        amount_due = cleaned["amount_due"]
        outstanding = cleaned.get("amount")
        if outstanding is None and loan and loan.get("amount") is not None:
            outstanding = Decimal(loan["amount"])
        if outstanding is None or amount_due <= outstanding:
            return None
        return (
            f"amount_due: the amount due (₹{indian_grouping(amount_due)}) is more than the outstanding amount "
            f"(₹{indian_grouping(outstanding)}). The amount due is the instalment to pay now and cannot exceed what "
            "the loan still owes: correct whichever of the two is wrong."
        )

    @staticmethod
    def _reject(row: BatchRow, outcome: str, message: str) -> None:
        row.outcome = outcome
        row.errors.append(message)

    def _customer_row(self, phone: str, now: datetime) -> dict[str, Any]:
        return {
            "phone": phone,
            **customer_attributes(self.customers[phone], phone=phone, fingerprint=self.fingerprints.get(phone)),
            "first_uploaded_at": self.first_uploaded.get(phone) or self.uploaded_at,
            "last_uploaded_at": self.uploaded_at,
            "created_at": now,
            "updated_at": now,
        }

    def _loan_row(self, loan_id: str, customer_ids: dict[str, int], now: datetime) -> dict[str, Any]:
        values = self.loans[loan_id]
        return {
            "loan_id": loan_id,
            "customer_id": customer_ids[values["phone"]],
            **loan_attributes(values),
            "status": self._loan_status(loan_id, values.get("amount")),
            "created_at": now,
            "updated_at": now,
        }

    def _loan_status(self, loan_id: str, amount: str | None) -> str:
        """The loan's status after this file: nothing outstanding settles it (and its calls are canceled)."""
        stored = self.loan_status.get(loan_id, LoanStatus.ACTIVE)
        status = loan_status_for(status=stored, outstanding=Decimal(amount) if amount is not None else None)
        if status == LoanStatus.SETTLED and stored != LoanStatus.SETTLED:
            self.settled_loans.append(loan_id)
        return status

    def _entry_row(self, row: BatchRow, customer_ids: dict[str, int]) -> dict[str, Any]:
        phone = row.phone or str(row.values.get(self.headers[self.columns["phone"]], ""))[:32]
        return {
            "upload_id": self.upload.pk,
            "row_number": row.number,
            "outcome": row.outcome,
            "customer_id": customer_ids.get(row.phone) if row.phone else None,
            "phone": phone,
            "loan_id": (row.loan_id or "")[:64],
            "created_customer": row.created_customer,
            "created_loan": row.created_loan,
            "values": entry_values(row.values),
            "errors": row.errors,
            "changes": row.changes,
            "created_at": self.uploaded_at,
        }
