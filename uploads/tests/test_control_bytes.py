"""Legacy control bytes — the Ctrl-Z end-of-file marker of old DOS exports, stray NULs — never become rows."""

import pytest

from customers.models import Customer
from uploads.tests.factories import upload_bytes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "tail",
    [b"\x1a", b"\r\n\x1a", b"\x1a\r\n", b"\r\n\x00\x00\r\n\x1a"],
)
def test_a_file_ending_in_control_bytes_imports_its_rows_and_nothing_else(tail):
    content = b"Name,Mobile,Loan ID,Amount\r\nAsha Rao,9876543210,LN-1,100\r\nRavi K\x00umar,9876500000,LN-2,200" + tail

    upload = upload_bytes(content)

    assert upload.counts["created"] == 2 and upload.counts["invalid"] == 0 and upload.entries.count() == 2
    assert set(Customer.objects.values_list("full_name", flat=True)) == {"Asha Rao", "Ravi Kumar"}
