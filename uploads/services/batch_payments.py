"""The payments an upload's rows report: read from a row, matched against those its loan has, recorded once.

A file may report a loan's payment (usually its last) in ``payment_reference``, ``payment_amount`` and
``payment_date``: it is recorded as a ``Payment`` on the row's loan, never as loan values, and only once — a
payment its loan has already (by reference, or without one by amount and date) is not counted again.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from customers.merge import as_change_value as json_value
from customers.models import PaymentSource
from customers.services import payments_recorded_announce
from uploads.models import RowOutcome
from voiceassist.common.money import indian_grouping

from .stores import BatchStore

if TYPE_CHECKING:
    from .batch_rows import BatchRow

# The columns of a payment the file reports: recorded as a ``Payment`` on the row's loan, never as loan values.
PAYMENT_FILE_COLUMNS = ("payment_reference", "payment_amount", "payment_date")
# Who recorded a payment first, as an entry tells a clerk why the file's payment was not counted again.
_RECORDED_BY = {
    PaymentSource.GATEWAY: "by a payment gateway",
    PaymentSource.STAFF: "by staff or an integration",
    PaymentSource.UPLOAD: "from an earlier file",
}


class FilePayment(NamedTuple):
    amount: Decimal
    paid_on: date
    reference: str


class BatchPayments:
    """The payments of one batch's rows: each row's read as it is parsed, those its loan has loaded before the
    rows are decided, and the new ones recorded once the batch's loans are written."""

    def __init__(self, *, store: BatchStore, recorded_by_id: int | None, today: date) -> None:
        self.store = store
        self.recorded_by_id = recorded_by_id
        self.today = today
        self.by_reference: dict[tuple[str, str], dict] = {}
        self.by_amount: dict[tuple[str, Decimal, date], dict] = {}

    def read(self, row: "BatchRow", errors: dict[str, str]) -> None:
        """The payment the row reports, if any; a partial or future one makes the row invalid.

        A row reports a payment when it has an amount paid above zero or a reference; a date alone (or an amount
        of zero) is not a payment.
        """
        if any(column in errors for column in PAYMENT_FILE_COLUMNS):
            return
        cleaned = row.cleaned
        reference = cleaned.get("payment_reference") or ""
        amount = cleaned.get("payment_amount")
        paid_on = cleaned.get("payment_date")
        if not amount and not reference:
            return
        problem = None
        if not amount:
            problem = (
                f"payment_amount: payment “{reference}” has no amount. Fill in the amount paid, or clear the "
                "payment reference."
            )
        elif paid_on is None:
            problem = (
                f"payment_date: the payment of ₹{indian_grouping(amount)} has no date. Fill in the date it was paid."
            )
        elif paid_on > self.today:
            problem = (
                f"payment_date: {paid_on:%d/%m/%Y} is in the future, and a payment the file reports must have been "
                "made already. Check the date (dates are read day first, dd/mm/yyyy)."
            )
        elif not row.loan_id:
            if "loan_id" not in errors:
                problem = (
                    f"loan_id: the payment of ₹{indian_grouping(amount)} needs the loan it was paid against. Fill in "
                    "the loan id."
                )
        else:
            row.payment = FilePayment(amount=amount, paid_on=paid_on, reference=reference)
        if problem:
            row.errors.append(problem)

    def load(self, loan_ids: set[str]) -> None:
        """The payments already recorded on the batch's loans that the file reports a payment for."""
        self.by_reference = {}
        self.by_amount = {}
        if not loan_ids:
            return
        for payment in self.store.payments_of_loans(loan_ids):
            loan_id = payment["lender_loan_id"]
            if payment["reference"]:
                self.by_reference[(loan_id, payment["reference"])] = payment
            self.by_amount.setdefault((loan_id, payment["amount"], payment["paid_on"]), payment)

    def given(self, row: "BatchRow") -> None:
        """The row's payment, unless its loan has it already: by reference, or without one by amount and date."""
        payment = row.payment
        if payment.reference:
            recorded = self.by_reference.get((row.loan_id, payment.reference))
        else:
            recorded = self.by_amount.get((row.loan_id, payment.amount, payment.paid_on))
        if recorded is not None:
            payment_already_recorded(row, recorded)
            return
        row.changes["payment_amount"] = [None, json_value(payment.amount)]
        row.changes["payment_date"] = [None, json_value(payment.paid_on)]
        if payment.reference:
            row.changes["payment_reference"] = [None, payment.reference]

    def record(self, rows: list["BatchRow"], now: datetime) -> None:
        """Record the rows' payments on their loans; the outstanding amounts stay as the file gives them."""
        if not rows:
            return
        loan_pks = self.store.loan_pks(row.loan_id for row in rows)
        recorded = self.store.insert_payments(
            [
                {
                    "loan_id": loan_pks[row.loan_id],
                    "amount": row.payment.amount,
                    "paid_on": row.payment.paid_on,
                    "paid_at": None,
                    "reference": row.payment.reference,
                    "source": PaymentSource.UPLOAD,
                    "gateway": "",
                    "recorded_by_id": self.recorded_by_id,
                    "created_at": now,
                    "updated_at": now,
                }
                for row in rows
            ]
        )
        for row in rows:
            if loan_pks[row.loan_id] not in recorded:
                # Its reference reached the loan while this batch ran (a gateway's webhook).
                payment_already_recorded(row, None)
                if row.outcome == RowOutcome.UPDATED and not row.changes:
                    row.outcome = RowOutcome.UNCHANGED
        payments_recorded_announce(payment_ids=list(recorded.values()))


def payment_already_recorded(row: "BatchRow", recorded: dict[str, Any] | None) -> None:
    """Take the row's payment back, saying why: its loan has it (``recorded``; None when it came meanwhile)."""
    payment = row.payment
    row.payment = None
    for column in PAYMENT_FILE_COLUMNS:
        row.changes.pop(column, None)
    what = f"₹{indian_grouping(payment.amount)} paid on {payment.paid_on:%d/%m/%Y}"
    if payment.reference:
        what += f", reference {payment.reference}"
    by = f", recorded {_RECORDED_BY.get(recorded['source'], '')}" if recorded is not None else ""
    row.errors.append(f"payment: already recorded on loan {row.loan_id} ({what}{by}); not counted again.")
