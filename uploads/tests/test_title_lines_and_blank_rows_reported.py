"""What was not imported is said: the lines above a report's header, and the blank rows skipped."""

import pytest
from django.urls import reverse

from customers.models import Customer
from uploads.tests.factories import upload_rows

pytestmark = pytest.mark.django_db

REPORT = [
    ["ABC Finance Ltd"],
    ["Overdue report as on 01/11/2026", "", "Ref 2345 6789 0124"],
    [],
    ["Customer Name", "Mobile No", "Loan Account No", "Outstanding"],
    ["Asha Rao", "9876543210", "LN-1", "50,000"],
    [],
    ["Ravi Kumar", "9123456789", "LN-2", "25,000"],
    [],
    ["Meera Shah", "9988776655", "LN-3", "10,000"],
    [],
]


def test_title_lines_and_blank_rows_are_reported_and_never_imported(client, back_office_user):
    upload = upload_rows(REPORT)

    assert upload.counts["created"] == 3 and upload.counts["invalid"] == 0
    assert set(Customer.objects.values_list("full_name", flat=True)) == {"Asha Rao", "Ravi Kumar", "Meera Shah"}
    report = upload.report
    assert report["header_line"] == 4
    assert [number for number, _ in report["title_lines"]] == [1, 2]
    assert report["title_lines"][0][1] == "ABC Finance Ltd"
    assert "2345 6789 0124" not in str(report["title_lines"])  # an id above the header is masked too
    assert (report["blank_rows"], report["blank_row_count"]) == ([6, 8], 2)  # the trailing blank row is not one

    client.force_login(back_office_user)
    for url in (f"/uploads/{upload.pk}/", reverse("admin:uploads_fileupload_change", args=[upload.pk])):
        page = client.get(url, follow=True).content.decode()  # the admin leads to the upload's page
        assert "row 1: ABC Finance Ltd" in page
        assert "2 (rows 6, 8)" in page
    assert client.get(f"/api/v1/uploads/{upload.pk}/").json()["reading"]["blank_rows"] == [6, 8]
