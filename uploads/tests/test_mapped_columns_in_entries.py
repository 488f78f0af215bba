"""A column a person mapped is treated as what they said it is everywhere: masked in the entries when it is a
national id, read again when a held row is accepted; and the search indexes are merged after each batch."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from customers.models import Customer
from customers.services import SEARCH_GIN_INDEXES
from customers.tests.factories import CustomerFactory
from uploads.models import RowOutcome, UploadStatus
from uploads.services import upload_columns_map, upload_create, upload_process
from uploads.services.conflicts import name_conflicts_resolve
from uploads.tests.factories import csv_bytes, upload_rows

pytestmark = pytest.mark.django_db

def _upload(rows, *, name="lender.csv"):
    upload = upload_create(
        file=ContentFile(csv_bytes(rows), name=name), original_name=name, uploaded_by=None, queue=False
    )
    return upload_process(upload_id=upload.pk)


def test_a_column_mapped_as_the_national_id_is_masked_in_the_entries_whatever_its_header(back_office_user):
    # A voter id (EPIC): no Aadhaar or PAN shape, so only the mapping says it is an id.
    upload = _upload([["Name", "Contact 1", "KYC Ref No"], ["Asha Rao", "98765 43210", "ABC1234567"]])
    assert upload.status == UploadStatus.AWAITING_MAPPING

    upload_columns_map(
        upload=upload, columns={"Contact 1": "phone", "KYC Ref No": "national_id"}, actor=back_office_user
    )
    upload = upload_process(upload_id=upload.pk)

    entry = upload.entries.get()
    assert entry.outcome == RowOutcome.CREATED
    assert entry.values["KYC Ref No"].endswith("4567") and "ABC123" not in entry.values["KYC Ref No"]
    assert "ABC1234567" not in str(entry.values)
    assert Customer.objects.get().national_id_last4 == "4567"


def test_a_held_row_is_accepted_with_the_columns_its_upload_was_mapped_with(back_office_user):
    CustomerFactory(full_name="Asha Rao", phone="+919876543210")
    upload = _upload([["Name", "Contact 1", "Agreement Ref", "Total Due"], ["Sunita Rao", "9876543210", "AG-9", "500"]])
    upload_columns_map(
        upload=upload, columns={"Contact 1": "phone", "Agreement Ref": "loan_id"}, actor=back_office_user
    )
    upload = upload_process(upload_id=upload.pk)
    assert upload.entries.get().outcome == RowOutcome.NAME_CONFLICT

    name_conflicts_resolve(entries=upload.entries.all(), accept=True, actor=back_office_user)

    customer = Customer.objects.get()
    assert customer.full_name == "Sunita Rao"
    assert list(customer.loans.values_list("loan_id", "outstanding_amount")) == [("AG-9", 500)]


@pytest.mark.postgres
def test_after_an_upload_the_search_indexes_have_nothing_left_to_merge():
    upload_rows([["Name", "Phone"], *[[f"Borrower {i}", f"98765{i:05d}"] for i in range(300)]])
    with connection.cursor() as cursor:
        for name in SEARCH_GIN_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])
            assert cursor.fetchone()[0] == 0, name
