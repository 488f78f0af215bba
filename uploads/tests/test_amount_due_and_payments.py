"""The amount due (an EMI) and the payment a lender's file reports, through the real pipeline."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.headers import header_map
from customers.models import Loan, Payment, PaymentSource
from customers.signals import payment_recorded
from customers.tests.factories import CustomerFactory, LoanFactory
from uploads.models import RowOutcome, UploadMode, UploadStatus
from uploads.services import upload_revert
from uploads.services import writers as writers_module
from uploads.tests.factories import upload_rows

pytestmark = pytest.mark.django_db

HEADER = ["Customer Name", "Mobile No.", "Loan Account No", "Outstanding", "EMI"]
PAYMENT_HEADER = ["Customer Name", "Mobile No.", "Loan Account No", "Outstanding", "UTR", "Amount Paid", "Paid On"]
YESTERDAY = timezone.localdate() - timedelta(days=1)
PAID_ON = YESTERDAY.strftime("%d/%m/%Y")


def asha_loan(**values) -> Loan:
    customer = CustomerFactory(full_name="Asha Rao", phone="+919876543210")
    return LoanFactory(customer=customer, loan_id="LN-1", outstanding_amount=Decimal("50000.00"), **values)


def only_entry(upload):
    assert upload.status == UploadStatus.COMPLETED, upload.error_summary
    return upload.entries.get()


# --- the columns ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Amount Due",
        "EMI",
        "EMI Amount",
        "Instalment",
        "Installment",
        "Instalment Amount",
        "Due Amount",
        "Amount Due Now",
        "Min. Due",
    ],
)
def test_every_amount_due_alias_names_the_amount_due(header):
    assert header_map([header]).columns == {"amount_due": 0}


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Payment Reference", "payment_reference"),
        ("Last Payment Reference", "payment_reference"),
        ("UTR", "payment_reference"),
        ("Transaction ID", "payment_reference"),
        ("Payment Amount", "payment_amount"),
        ("Last Payment Amount", "payment_amount"),
        ("Amount Paid", "payment_amount"),
        ("Payment Date", "payment_date"),
        ("Last Payment Date", "payment_date"),
        ("Paid On", "payment_date"),
        ("Outstanding", "amount"),
        ("Total Due", "amount"),
    ],
)
def test_payment_aliases_name_their_columns_and_outstanding_keeps_its_own(header, column):
    assert header_map([header]).columns == {column: 0}


# --- amount due -----------------------------------------------------------------------------------------------


def test_amount_due_is_written_with_its_diff_and_reverted(back_office_user):
    first = upload_rows([HEADER, ["Asha Rao", "9876543210", "LN-1", "50,000", "₹5,000"]])
    entry = only_entry(first)
    assert entry.outcome == RowOutcome.CREATED
    assert entry.changes["amount_due"] == [None, "5000.00"]
    assert Loan.objects.get().amount_due == Decimal("5000.00")

    second = upload_rows([HEADER, ["Asha Rao", "9876543210", "LN-1", "50,000", "6,500"]])
    entry = only_entry(second)
    assert entry.outcome == RowOutcome.UPDATED
    assert entry.changes == {"amount_due": ["5000.00", "6500.00"]}
    assert Loan.objects.get().amount_due == Decimal("6500.00")

    third = upload_rows([HEADER, ["Asha Rao", "9876543210", "LN-1", "50,000", "6500"]])
    assert only_entry(third).outcome == RowOutcome.UNCHANGED

    report = upload_revert(upload=second, actor=back_office_user)
    assert report["values_restored"] == 1
    assert Loan.objects.get().amount_due == Decimal("5000.00")


def test_a_file_without_the_amount_due_leaves_it_as_it_was():
    asha_loan(amount_due=Decimal("4000.00"))

    upload = upload_rows([HEADER[:4], ["Asha Rao", "9876543210", "LN-1", "45,000"]])

    assert only_entry(upload).changes == {"amount": ["50000.00", "45000.00"]}
    loan = Loan.objects.get()
    assert loan.amount_due == Decimal("4000.00")
    assert loan.outstanding_amount == Decimal("45000.00")


def test_an_amount_due_above_the_outstanding_amount_makes_the_row_invalid():
    upload = upload_rows([HEADER, ["Asha Rao", "9876543210", "LN-1", "50,000", "60,000"]])

    entry = only_entry(upload)
    assert entry.outcome == RowOutcome.INVALID
    assert entry.errors == [
        "amount_due: the amount due (₹60,000) is more than the outstanding amount (₹50,000). The amount due is "
        "the instalment to pay now and cannot exceed what the loan still owes: correct whichever of the two is wrong."
    ]
    assert not Loan.objects.exists()


def test_an_amount_due_is_checked_against_the_stored_outstanding_amount_when_the_row_has_none():
    asha_loan()

    upload = upload_rows([["Mobile No.", "Customer Name", "LAN", "EMI"], ["9876543210", "Asha Rao", "LN-1", "55000"]])

    entry = only_entry(upload)
    assert entry.outcome == RowOutcome.INVALID
    assert "(₹50,000)" in entry.errors[0]
    assert Loan.objects.get().amount_due is None


def test_a_negative_amount_due_makes_the_row_invalid():
    upload = upload_rows([HEADER, ["Asha Rao", "9876543210", "LN-1", "50,000", "-500"]])

    entry = only_entry(upload)
    assert entry.outcome == RowOutcome.INVALID
    assert entry.errors == ["amount_due: “-500” is negative: an amount cannot be below zero."]


# --- payments -------------------------------------------------------------------------------------------------


def payment_row(utr="UTR123", amount="5,000", paid_on=PAID_ON, outstanding="50,000"):
    return upload_rows([PAYMENT_HEADER, ["Asha Rao", "9876543210", "LN-1", outstanding, utr, amount, paid_on]])


def test_a_new_payment_is_recorded_and_the_outstanding_amount_is_the_files(back_office_user):
    loan = asha_loan()

    upload = upload_rows(
        [PAYMENT_HEADER, ["Asha Rao", "9876543210", "LN-1", "48,000", "UTR123", "5,000", PAID_ON]],
        user=back_office_user,
    )

    entry = only_entry(upload)
    assert entry.outcome == RowOutcome.UPDATED
    assert entry.errors == []
    assert entry.changes == {
        "amount": ["50000.00", "48000.00"],
        "payment_amount": [None, "5000.00"],
        "payment_date": [None, YESTERDAY.isoformat()],
        "payment_reference": [None, "UTR123"],
    }
    payment = Payment.objects.get()
    assert (payment.loan, payment.amount, payment.paid_on, payment.reference) == (
        loan,
        Decimal("5000.00"),
        YESTERDAY,
        "UTR123",
    )
    assert payment.source == PaymentSource.UPLOAD
    assert payment.recorded_by == back_office_user
    # The file's outstanding amount is the lender's ledger: the payment does not lower it again.
    assert Loan.objects.get().outstanding_amount == Decimal("48000.00")


def test_a_payment_the_gateway_recorded_first_is_not_recorded_again():
    loan = asha_loan()
    Payment.objects.create(
        loan=loan, amount=Decimal("5000.00"), paid_on=YESTERDAY, reference="UTR123", source=PaymentSource.GATEWAY
    )

    entry = only_entry(payment_row())

    assert entry.outcome == RowOutcome.UNCHANGED
    assert entry.changes == {}
    assert entry.errors == [
        f"payment: already recorded on loan LN-1 (₹5,000 paid on {PAID_ON}, reference UTR123, recorded by a "
        "payment gateway); not counted again."
    ]
    assert Payment.objects.count() == 1
    assert Loan.objects.get().outstanding_amount == Decimal("50000.00")


def test_a_payment_without_a_reference_is_matched_on_its_loan_amount_and_date():
    loan = asha_loan()
    Payment.objects.create(
        loan=loan, amount=Decimal("5000.00"), paid_on=YESTERDAY, reference="pay_X1", source=PaymentSource.GATEWAY
    )

    same = only_entry(payment_row(utr=""))
    assert same.outcome == RowOutcome.UNCHANGED
    assert "payment: already recorded on loan LN-1" in same.errors[0]
    assert Payment.objects.count() == 1

    other_day = (YESTERDAY - timedelta(days=1)).strftime("%d/%m/%Y")
    entry = only_entry(payment_row(utr="", paid_on=other_day))
    assert entry.outcome == RowOutcome.UPDATED
    assert "payment_reference" not in entry.changes
    assert Payment.objects.filter(source=PaymentSource.UPLOAD, reference="").count() == 1


@pytest.mark.parametrize(
    ("utr", "amount", "paid_on", "error"),
    [
        ("UTR1", "5000", (date.today() + timedelta(days=400)).strftime("%d/%m/%Y"), "is in the future"),
        ("UTR1", "", PAID_ON, "payment_amount: payment “UTR1” has no amount"),
        ("UTR1", "0", PAID_ON, "payment_amount: payment “UTR1” has no amount"),
        ("UTR1", "5000", "", "payment_date: the payment of ₹5,000 has no date"),
        ("", "5000", "", "payment_date: the payment of ₹5,000 has no date"),
        ("UTR1", "5000", "31/02/2026", "payment_date: “31/02/2026” is not a real date"),
    ],
)
def test_a_future_or_partial_payment_makes_the_row_invalid(utr, amount, paid_on, error):
    asha_loan()

    entry = only_entry(payment_row(utr=utr, amount=amount, paid_on=paid_on))

    assert entry.outcome == RowOutcome.INVALID
    assert error in "; ".join(entry.errors)
    assert not Payment.objects.exists()


def test_a_row_without_a_payment_amount_or_reference_carries_no_payment():
    asha_loan()

    entry = only_entry(payment_row(utr="", amount="0", paid_on=PAID_ON))

    assert entry.outcome == RowOutcome.UNCHANGED
    assert entry.errors == []
    assert not Payment.objects.exists()


def test_a_payment_needs_a_loan_id():
    upload = upload_rows(
        [["Name", "Mobile", "UTR", "Amount Paid", "Paid On"], ["Asha Rao", "9876543210", "U1", "50", PAID_ON]]
    )

    entry = only_entry(upload)
    assert entry.outcome == RowOutcome.INVALID
    assert entry.errors[0].startswith("loan_id: the payment of ₹50 needs the loan it was paid against")


def test_a_skipped_or_invalid_row_records_no_payment():
    asha_loan()
    rows = [
        [*PAYMENT_HEADER, "Email"],
        ["Asha Rao", "9876543210", "LN-1", "50,000", "UTR1", "5,000", PAID_ON, ""],
        ["Ravi Kumar", "9123456789", "LN-2", "20,000", "UTR2", "1,000", PAID_ON, "not an email"],
    ]

    upload = upload_rows(rows, mode=UploadMode.CREATE_ONLY)

    assert [entry.outcome for entry in upload.entries.order_by("row_number")] == [
        RowOutcome.SKIPPED,
        RowOutcome.INVALID,
    ]
    assert not Payment.objects.exists()


def test_importing_the_same_file_again_records_nothing_twice():
    asha_loan()
    rows = [
        PAYMENT_HEADER,
        ["Asha Rao", "9876543210", "LN-1", "50,000", "UTR123", "5,000", PAID_ON],
        ["Ravi Kumar", "9123456789", "LN-2", "20,000", "", "1,000", PAID_ON],
    ]

    first = upload_rows(rows)
    second = upload_rows(rows)

    assert first.counts["updated"] == 1 and first.counts["created"] == 1
    assert second.counts["unchanged"] == 2
    assert Payment.objects.count() == 2
    notes = [entry.errors for entry in second.entries.order_by("row_number")]
    assert all(len(errors) == 1 and "recorded from an earlier file" in errors[0] for errors in notes)


def test_a_preview_shows_the_payment_and_records_nothing():
    asha_loan()

    upload = upload_rows(
        [PAYMENT_HEADER, ["Asha Rao", "9876543210", "LN-1", "50,000", "UTR123", "5,000", PAID_ON]], dry_run=True
    )

    assert upload.status == UploadStatus.AWAITING_CONFIRMATION
    assert upload.entries.get().changes["payment_reference"] == [None, "UTR123"]
    assert not Payment.objects.exists()


def test_revert_removes_the_payments_the_upload_recorded_and_only_those(back_office_user):
    loan = asha_loan()
    gateway = Payment.objects.create(
        loan=loan, amount=Decimal("700.00"), paid_on=YESTERDAY, reference="pay_G", source=PaymentSource.GATEWAY
    )
    earlier = upload_rows([PAYMENT_HEADER, ["Asha Rao", "9876543210", "LN-1", "50,000", "UTR-OLD", "300", PAID_ON]])
    upload = upload_rows(
        [
            PAYMENT_HEADER,
            ["Asha Rao", "9876543210", "LN-1", "50,000", "UTR123", "5,000", PAID_ON],
            ["Ravi Kumar", "9123456789", "LN-2", "20,000", "", "1,000", PAID_ON],
        ]
    )
    assert Payment.objects.count() == 4

    report = upload_revert(upload=upload, actor=back_office_user)

    assert report["payments_removed"] == 2
    assert report["loans_removed"] == 1  # LN-2: its only payment was the upload's
    assert report["customers_removed"] == 1
    assert set(Payment.objects.values_list("reference", flat=True)) == {"pay_G", "UTR-OLD"}
    assert gateway in Payment.objects.all()
    assert earlier.status == UploadStatus.COMPLETED


def test_a_payment_recorded_while_the_batch_runs_is_not_recorded_twice(monkeypatch):
    loan = asha_loan()
    Payment.objects.create(
        loan=loan, amount=Decimal("5000.00"), paid_on=YESTERDAY, reference="UTR123", source=PaymentSource.GATEWAY
    )
    # The batch reads the loan's payments before the webhook's commit lands.
    store = type(writers_module.batch_store())
    monkeypatch.setattr(store, "payments_of_loans", lambda self, loan_ids: [])

    entry = only_entry(payment_row())

    assert entry.outcome == RowOutcome.UNCHANGED
    assert entry.changes == {}
    assert entry.errors[0].startswith("payment: already recorded on loan LN-1")
    assert Payment.objects.count() == 1


def test_each_recorded_payment_is_announced_after_commit(django_capture_on_commit_callbacks):
    asha_loan()
    announced = []

    def receiver(sender, *, payment, **kwargs):
        announced.append((payment.loan.loan_id, payment.reference, payment.source))

    payment_recorded.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            payment_row()
            payment_row()  # already recorded: nothing announced
    finally:
        payment_recorded.disconnect(receiver)

    assert announced == [("LN-1", "UTR123", PaymentSource.UPLOAD)]


def test_a_file_without_these_columns_records_no_payment_and_no_amount_due():
    upload = upload_rows([HEADER[:4], ["Asha Rao", "9876543210", "LN-1", "50,000"]])

    entry = only_entry(upload)
    assert entry.changes["amount"] == [None, "50000.00"]
    assert "amount_due" not in entry.changes
    assert Loan.objects.get().amount_due is None
    assert not Payment.objects.exists()
