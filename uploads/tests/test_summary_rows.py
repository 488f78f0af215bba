"""A spreadsheet's TOTAL line at the bottom is not a borrower: skipped and listed, never counted invalid."""

import pytest

from customers.models import Customer
from uploads.models import RowOutcome
from uploads.tests.factories import upload_rows

pytestmark = pytest.mark.django_db

HEADER = ["Customer Name", "Mobile No.", "Loan Account No", "Outstanding"]


@pytest.mark.parametrize("label", ["TOTAL", "Grand Total:", "Sub-total", "कुल"])
def test_a_summary_line_is_skipped_and_said_so_not_counted_invalid(label):
    upload = upload_rows(
        [
            HEADER,
            ["Asha Rao", "9876543210", "LN-1", "50,000"],
            ["Total Fitness Pvt Ltd", "9876500000", "LN-2", "9,000"],  # a customer whose name starts with Total
            [label, "", "", "59,000"],
        ]
    )

    assert (upload.counts["created"], upload.counts["skipped"], upload.counts["invalid"]) == (2, 1, 0)
    summary = upload.entries.get(row_number=4)
    assert summary.outcome == RowOutcome.SKIPPED and "summary row" in summary.errors[0]
    assert Customer.objects.filter(full_name="Total Fitness Pvt Ltd").exists()
