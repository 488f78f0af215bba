"""Entries whose changes are not in the data — a preview never confirmed, a reverted upload — say so everywhere."""

import pytest
from django.utils import timezone

from customers.models import Customer
from uploads.models import FileUpload, UploadStatus
from uploads.selectors import customer_entries, entry_standing
from uploads.services import upload_revert, upload_revert_request
from uploads.tests.factories import upload_rows

pytestmark = pytest.mark.django_db

HEADER = ["Name", "Mobile", "Loan ID", "Amount", "State"]


def _day(upload: FileUpload) -> str:
    return f"{timezone.localtime(upload.created_at):%-d %b %Y}"


@pytest.fixture
def history():
    """Asha: imported (Goa), a reverted upload (Kerala), then a preview nobody confirmed (Punjab)."""
    imported = upload_rows([HEADER, ["Asha Rao", "9876543210", "LN-1", "100", "Goa"]])
    reverted = upload_rows([HEADER, ["Asha Rao", "9876543210", "LN-1", "100", "Kerala"]])
    upload_revert_request(upload=reverted, actor=None)
    upload_revert(upload=reverted, actor=None)
    preview = upload_rows([HEADER, ["Asha Rao", "9876543210", "LN-1", "100", "Punjab"]], dry_run=True)
    asha = Customer.objects.get(phone="+919876543210")
    assert asha.state == "Goa"
    return {"asha": asha, "imported": imported, "reverted": reverted, "preview": preview}


def _refresh(upload: FileUpload) -> FileUpload:
    return FileUpload.objects.get(pk=upload.pk)


def test_each_upload_says_whether_its_entries_are_in_force(history):
    assert entry_standing(upload=_refresh(history["imported"])) == ""
    assert entry_standing(upload=_refresh(history["preview"])) == "preview, never confirmed"
    assert entry_standing(upload=_refresh(history["reverted"])) == f"reverted on {_day(history['reverted'])}"


def test_the_revert_records_its_date():
    upload = upload_rows([HEADER, ["Asha Rao", "9876543210", "LN-1", "100", "Goa"]])
    before = timezone.now()
    upload_revert_request(upload=upload, actor=None)
    upload_revert(upload=upload, actor=None)

    report = _refresh(upload).report["revert"]
    assert before.isoformat() <= report["reverted_at"] <= timezone.now().isoformat()


def test_a_file_stopped_by_its_invalid_rows_imported_nothing_and_its_entries_say_so():
    upload = upload_rows(
        [HEADER, ["Asha Rao", "9876543210", "LN-1", "100", "Goa"], ["Bad", "123", "LN-2", "1", "Goa"]],
        stop_on_error=True,
    )

    assert upload.status == UploadStatus.FAILED
    assert "nothing imported" in entry_standing(upload=upload)
    assert not Customer.objects.exists()


def test_the_customers_timeline_leaves_out_what_is_not_in_force_unless_asked(history):
    asha = history["asha"]

    assert [e.upload_id for e in customer_entries(customer=asha, show_all=False)] == [history["imported"].pk]
    assert {e.upload_id for e in customer_entries(customer=asha)} == {
        history["imported"].pk,
        history["reverted"].pk,
        history["preview"].pk,
    }


def test_the_customer_page_hides_previews_and_reverted_uploads_by_default(client, agent_user, history):
    client.force_login(agent_user)

    page = client.get(f"/customers/{history['asha'].pk}/").content.decode()

    assert "state: Goa" in page
    assert "Kerala" not in page and "Punjab" not in page
    assert "2 entries from previews never confirmed or uploads reverted since are hidden." in page
    assert 'href="?entries=all#timeline">Show all</a>' in page
    assert "data-standing" not in page


def test_show_all_marks_the_entries_that_are_not_in_force(client, agent_user, history):
    client.force_login(agent_user)

    response = client.get(f"/customers/{history['asha'].pk}/", {"entries": "all"})
    page = response.content.decode()

    marks = {e.upload_id: e.standing for e in response.context["timeline"]["entries"]}
    assert marks == {
        history["imported"].pk: "",
        history["reverted"].pk: f"reverted on {_day(history['reverted'])}",
        history["preview"].pk: "preview, never confirmed",
    }
    assert "state: Goa → Kerala" in page and "state: Goa → Punjab" in page
    assert '<span class="tag bad" data-standing>preview, never confirmed</span>' in page
    assert f'<span class="tag bad" data-standing>reverted on {_day(history["reverted"])}</span>' in page
    assert page.count("not-in-force") == 2
    assert 'href="?#timeline">Hide them</a>' in page


def test_a_timeline_of_nothing_in_force_says_so(client, agent_user):
    upload_rows([HEADER, ["Asha Rao", "9876543210", "LN-1", "100", "Goa"]])
    asha = Customer.objects.get()
    upload_rows([HEADER, ["Asha Rao", "9876543210", "LN-1", "100", "Kerala"]], dry_run=True)
    client.force_login(agent_user)
    page = client.get(f"/customers/{asha.pk}/").content.decode()
    assert "1 entry from previews never confirmed or uploads reverted since is hidden." in page


def test_the_admin_marks_entries_on_the_customer_the_upload_and_the_entries_list(client, back_office_user, history):
    client.force_login(back_office_user)

    customer_page = client.get(f"/admin/customers/customer/{history['asha'].pk}/change/").content.decode()
    assert "preview, never confirmed" in customer_page
    assert f"reverted on {_day(history['reverted'])}" in customer_page

    preview_page = client.get(f"/uploads/{history['preview'].pk}/").content.decode()
    assert "These rows are not in force: preview, never confirmed." in preview_page
    imported_page = client.get(f"/uploads/{history['imported'].pk}/").content.decode()
    assert "data-entries-standing" not in imported_page

    entries = client.get("/admin/uploads/uploadrow/")
    assert "preview, never confirmed" in entries.content.decode()
    in_force = client.get("/admin/uploads/uploadrow/", {"in_force": "yes"}).context["cl"].result_list
    assert [e.upload_id for e in in_force] == [history["imported"].pk]
    not_in_force = client.get("/admin/uploads/uploadrow/", {"in_force": "no"}).context["cl"].result_list
    assert {e.upload_id for e in not_in_force} == {history["reverted"].pk, history["preview"].pk}


def test_the_agents_upload_page_marks_a_preview(client, back_office_user, history):
    client.force_login(back_office_user)

    page = client.get(f"/uploads/{history['preview'].pk}/").content.decode()

    assert "These rows are not in force: preview, never confirmed." in page
