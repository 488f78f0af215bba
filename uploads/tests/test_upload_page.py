"""The one upload page a clerk reads: outcome tabs with counts (what needs fixing first), the rows 50 a page, a
search by phone (any format) or loan id, held name conflicts decided there, and the failed rows to download."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from rest_framework.test import APIClient

from customers.models import Customer
from uploads.models import ConflictResolution, RowOutcome
from uploads.tests.factories import upload_rows
from voiceassist.common.roles import BACK_OFFICE
from voiceassist.common.tests.factories import api_token_for

pytestmark = pytest.mark.django_db

HEADER = ["Customer Name", "Mobile No.", "Loan Account No", "Outstanding"]


@pytest.fixture
def upload(client, back_office_user):
    """A second file of the same customers: one row of every outcome."""
    upload_rows(
        [
            HEADER,
            ["Asha Rao", "9876543210", "LN-1", "500"],
            ["Bina Shah", "9876543211", "LN-2", "600"],
            ["Chitra Iyer", "9876543212", "LN-3", "700"],
        ]
    )
    client.force_login(back_office_user)
    return upload_rows(
        [
            HEADER,
            ["Asha Rao", "9876543210", "LN-1", "500"],  # row 2: unchanged
            ["Bina Shah", "9876543211", "LN-2", "650"],  # row 3: updated
            ["Sunita Iyer", "9876543212", "LN-3", "700"],  # row 4: a name conflict
            ["Dev Anand", "9876543213", "LN-4", "800"],  # row 5: created
            ["Dev Anand", "9876543214", "LN-4", "800"],  # row 6: the same loan again
            ["Ravi Kumar", "12345", "LN-5", "100"],  # row 7: invalid
            ["Total", "", "", "3,350"],  # row 8: skipped
        ]
    )


def _page(client, upload, **params) -> str:
    response = client.get(f"/uploads/{upload.pk}/", params)
    assert response.status_code == 200
    return response.content.decode()


def _tabs(page: str) -> list[tuple[str, int]]:
    tabs = re.findall(r'data-tab="[^"]*">([^<]+?) (\d+)</', page)
    return [(label, int(count)) for label, count in tabs]


def _rows(page: str) -> list[int]:
    return [int(number) for number in re.findall(r'<td data-label="Row">(\d+)</td>', page)]


def test_the_tabs_put_what_needs_fixing_first_each_with_its_count(client, upload):
    page = _page(client, upload)

    assert _tabs(page) == [
        ("All rows", 7),
        ("Invalid", 1),
        ("Duplicates in file", 1),
        ("Name conflicts", 1),
        ("Skipped", 1),
        ("Created", 1),
        ("Updated", 1),
        ("Unchanged", 1),
    ]
    assert _rows(page) == [2, 3, 4, 5, 6, 7, 8]
    assert '<span class="button" aria-current="page" data-tab="all">' in page


@pytest.mark.parametrize(
    ("outcome", "row"),
    [("invalid", 7), ("duplicate", 6), ("name_conflict", 4), ("skipped", 8), ("created", 5), ("updated", 3)],
)
def test_a_tab_shows_the_rows_of_its_outcome(client, upload, outcome, row):
    page = _page(client, upload, outcome=outcome)

    assert _rows(page) == [row]
    assert f'aria-current="page" data-tab="{outcome}"' in page
    assert 'href="?outcome=invalid#rows"' in page or outcome == "invalid"


def test_an_unknown_outcome_shows_every_row(client, upload):
    assert _rows(_page(client, upload, outcome="everything")) == [2, 3, 4, 5, 6, 7, 8]


@pytest.fixture
def long_upload(client, back_office_user):
    client.force_login(back_office_user)
    rows = [[f"Customer {n}", f"98765{n:05d}", f"LN-{n}", "100"] for n in range(120)]
    return upload_rows([HEADER, *rows, ["Ravi Kumar", "12345", "LN-X", "100"]])


def test_the_rows_come_50_a_page_and_the_pages_keep_the_tab(client, long_upload):
    first = _page(client, long_upload, outcome="created")
    assert _rows(first) == list(range(2, 52))
    assert "Rows 1–50 of 120 · page 1 of 3" in first
    assert 'href="?outcome=created&amp;page=2#rows" rel="next"' in first

    second = _page(client, long_upload, outcome="created", page=2)
    assert _rows(second) == list(range(52, 102))
    assert 'href="?outcome=created&amp;page=1#rows" rel="prev"' in second

    last = _page(client, long_upload, outcome="created", page=3)
    assert _rows(last) == list(range(102, 122))
    assert 'rel="next"' not in last
    # A page past the end, or no number at all, is the nearest page there is.
    assert _rows(_page(client, long_upload, outcome="created", page=99)) == list(range(102, 122))
    assert _rows(_page(client, long_upload, outcome="created", page="two")) == list(range(2, 52))


def test_every_row_is_reachable_and_a_tab_link_starts_at_its_first_page(client, long_upload):
    page = _page(client, long_upload, page=3)

    assert _rows(page) == list(range(102, 123))  # row 122 is the invalid one, in file order
    assert 'href="?outcome=invalid#rows"' in page  # choosing a tab forgets the page


@pytest.mark.parametrize("written", ["9876543211", "+91 98765 43211", "098765-43211", "(+91) 98765 43211"])
def test_the_search_finds_a_phone_written_any_way(client, upload, written):
    page = _page(client, upload, q=written)

    assert _rows(page) == [3]
    assert ("All rows", 1) in _tabs(page) and ("Updated", 1) in _tabs(page) and ("Created", 0) in _tabs(page)
    assert f'value="{written}"' in page


def test_the_search_finds_a_loan_id_and_a_phone_the_file_got_wrong(client, upload):
    assert _rows(_page(client, upload, q="LN-4")) == [5, 6]
    assert _rows(_page(client, upload, q=" LN-4 ", outcome="duplicate")) == [6]
    # No phone could be read from this row: it is found by the number as the file had it.
    assert _rows(_page(client, upload, q="12345")) == [7]


def test_a_search_that_finds_nothing_says_so_and_keeps_the_tab(client, upload):
    page = _page(client, upload, q="9999999999", outcome="created")

    assert _rows(page) == []
    assert "No row with this outcome has the phone or loan id “9999999999”." in page
    assert '<input type="hidden" name="outcome" value="created">' in page
    assert _page(client, upload, q="1e99999999").count('data-label="Row"') == 0  # no phone, and answered at once


def test_back_office_decides_held_name_conflicts_on_the_page(client, upload):
    page = _page(client, upload, outcome="name_conflict")
    assert 'name="rows" value="4" form="name-conflicts"' in page
    assert "Accept all 1 held" in page

    nothing_ticked = client.post(f"/uploads/{upload.pk}/name-conflicts/", {"decision": "accept"}, follow=True)
    assert "Tick the rows to decide first." in nothing_ticked.content.decode()
    assert Customer.objects.get(phone="+919876543212").full_name == "Chitra Iyer"

    response = client.post(f"/uploads/{upload.pk}/name-conflicts/", {"decision": "accept", "rows": ["4"]})

    assert response.url == f"/uploads/{upload.pk}/?outcome=name_conflict"
    assert Customer.objects.get(phone="+919876543212").full_name == "Sunita Iyer"
    entry = upload.entries.get(row_number=4)
    assert entry.resolution == ConflictResolution.ACCEPTED and entry.outcome == RowOutcome.NAME_CONFLICT
    page = _page(client, upload, outcome="name_conflict")
    assert "1 held name conflict(s) accepted" in page
    assert "Name conflict (held): accepted (renamed) by" in page
    assert 'form="name-conflicts"' not in page  # nothing is held any more


def test_every_held_name_conflict_is_rejected_at_once(client, upload):
    response = client.post(f"/uploads/{upload.pk}/name-conflicts/", {"decision": "reject", "scope": "all"})

    assert response.status_code == 302
    assert upload.entries.get(row_number=4).resolution == ConflictResolution.REJECTED
    assert Customer.objects.get(phone="+919876543212").full_name == "Chitra Iyer"


def test_deciding_name_conflicts_takes_the_permission_to_change_customers(client, upload):
    Group.objects.get(name=BACK_OFFICE).permissions.remove(Permission.objects.get(codename="change_customer"))

    assert 'form="name-conflicts"' not in _page(client, upload, outcome="name_conflict")
    response = client.post(f"/uploads/{upload.pk}/name-conflicts/", {"decision": "accept", "scope": "all"})
    assert response.status_code == 403
    assert upload.entries.get(row_number=4).resolution == ""


def test_the_page_and_the_api_give_the_same_failed_rows_file(client, upload, back_office_user):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(back_office_user)}")

    from_page = client.get(f"/uploads/{upload.pk}/failed-rows.csv")
    from_api = api.get(f"/api/v1/uploads/{upload.pk}/errors.csv")

    for response in (from_page, from_api):
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="upload-{upload.pk}-failed-rows.csv"'
    page_bytes = b"".join(from_page.streaming_content)
    assert page_bytes == b"".join(from_api.streaming_content)
    lines = page_bytes.decode("utf-8-sig").splitlines()
    assert lines[0] == "Customer Name,Mobile No.,Loan Account No,Outstanding,error"
    assert [line.split(",")[0] for line in lines[1:]] == ["Dev Anand", "Ravi Kumar"]  # the duplicate, the invalid
