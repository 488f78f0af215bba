"""Another name for a known phone is a conflict, held for back office — never a silent rename."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from customers.models import Customer, Loan
from uploads.models import ConflictResolution, RowOutcome
from uploads.services.conflicts import name_conflicts_pending
from uploads.tests.factories import upload_rows
from voiceassist.common.models import AuditEvent
from voiceassist.common.tests.factories import api_token_for

pytestmark = pytest.mark.django_db

HEADER = ["Customer Name", "Mobile No.", "Loan Account No", "Outstanding"]


@pytest.fixture
def api(back_office_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(back_office_user)}")
    return client


@pytest.fixture
def asha():
    upload_rows([HEADER, ["Asha Rao", "9876543210", "LN-1", "50,000"], ["Ravi Kumar", "9876500000", "LN-2", "9,000"]])
    return Customer.objects.get(phone="+919876543210")


def test_another_name_for_a_known_phone_is_held_and_changes_nothing(asha):
    upload = upload_rows(
        [
            HEADER,
            ["Sunita Rao", "98765 43210", "LN-1", "42,000"],  # the same phone: a family member's name
            ["ravi  KUMAR", "9876500000", "LN-2", "8,000"],  # the same name written otherwise: no conflict
        ]
    )

    assert upload.counts["name_conflicts"] == 1 and upload.counts["updated"] == 1
    held = upload.entries.get(row_number=2)
    assert held.outcome == RowOutcome.NAME_CONFLICT and held.resolution == ""
    assert "“Asha Rao”" in held.errors[0] and "“Sunita Rao”" in held.errors[0]
    asha.refresh_from_db()
    assert asha.full_name == "Asha Rao"
    assert Loan.objects.get(loan_id="LN-1").outstanding_amount == Decimal("50000")  # the whole row waits


def test_back_office_accepts_a_held_row_and_it_is_applied_and_audited(api, asha, back_office_user):
    upload = upload_rows([HEADER, ["Sunita Rao", "9876543210", "LN-1", "42,000"]])

    response = api.post(f"/api/v1/uploads/{upload.pk}/name-conflicts/", {"decision": "accept"}, format="json")

    assert response.status_code == 200 and response.json() == {"decided": 1, "still_held": 0}
    asha.refresh_from_db()
    assert asha.full_name == "Sunita Rao"
    assert Loan.objects.get(loan_id="LN-1").outstanding_amount == Decimal("42000")
    entry = upload.entries.get()
    assert (entry.resolution, entry.resolved_by) == (ConflictResolution.ACCEPTED, back_office_user)
    assert entry.changes["name"] == ["Asha Rao", "Sunita Rao"]
    assert entry.changes["amount"] == ["50000.00", "42000.00"]
    audit = AuditEvent.objects.get(action="upload.name_conflict_accepted")
    assert audit.details == {"row": 2, "phone": "+919876543210", "was": "Asha Rao"}


def test_rejecting_leaves_the_customer_as_they_were_and_deciding_twice_changes_nothing(api, asha):
    upload = upload_rows(
        [HEADER, ["Sunita Rao", "9876543210", "LN-1", "42,000"], ["Mohan Kumar", "9876500000", "LN-2", "1"]]
    )
    url = f"/api/v1/uploads/{upload.pk}/name-conflicts/"

    assert api.post(url, {"decision": "reject", "entries": [2]}, format="json").json() == {
        "decided": 1,
        "still_held": 1,
    }
    assert api.post(url, {"decision": "accept", "entries": [2]}, format="json").json()["decided"] == 0
    asha.refresh_from_db()
    assert asha.full_name == "Asha Rao"
    assert upload.entries.get(row_number=2).resolution == ConflictResolution.REJECTED
    assert list(name_conflicts_pending(upload_id=upload.pk).values_list("row_number", flat=True)) == [3]


def test_a_preview_shows_the_conflict_and_a_failed_rows_file_cannot_slip_a_rename_through(asha):
    preview = upload_rows([HEADER, ["Sunita Rao", "9876543210", "LN-1", "42,000"]], dry_run=True)
    assert preview.counts["name_conflicts"] == 1

    # A file whose rows disagreed about one phone was fixed and uploaded again: still held, not a rename.
    again = upload_rows([HEADER, ["Sunita Rao", "9876543210", "LN-3", "5,000"]])
    assert again.counts["name_conflicts"] == 1
    asha.refresh_from_db()
    assert asha.full_name == "Asha Rao" and not Loan.objects.filter(loan_id="LN-3").exists()


def test_an_unknown_decision_is_a_clear_400(api, asha):
    upload = upload_rows([HEADER, ["Sunita Rao", "9876543210", "LN-1", "42,000"]])
    response = api.post(f"/api/v1/uploads/{upload.pk}/name-conflicts/", {"decision": "maybe"}, format="json")
    assert response.status_code == 400


def test_back_office_decides_held_rows_in_bulk_from_the_admin(admin_client, asha):
    upload = upload_rows(
        [HEADER, ["Sunita Rao", "9876543210", "LN-1", "42,000"], ["Mohan Kumar", "9876500000", "LN-2", "1"]]
    )
    held = list(upload.entries.filter(outcome=RowOutcome.NAME_CONFLICT).values_list("pk", flat=True))

    page = admin_client.post(
        "/admin/uploads/uploadrow/",
        {"action": "reject_name_conflicts", "_selected_action": held},
        follow=True,
    )

    assert "2 held name conflict(s) rejected" in page.content.decode()
    assert set(upload.entries.values_list("resolution", flat=True)) == {ConflictResolution.REJECTED}
    asha.refresh_from_db()
    assert asha.full_name == "Asha Rao"
