"""The agents' pages in a real browser: Debian's Chromium, headless, driven by Playwright.

The app is served by pytest-django's ``live_server`` (transactional: ``transaction.on_commit`` fires,
so with ``eager_tasks`` an upload is processed for real inside the request that queues it).
Screenshots land in ``var/screenshots/``.
"""

import csv
import io
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect, sync_playwright

from calls.models import PromiseToPay, WorkItem, WorkItemKind
from calls.services.work_items import work_item_create
from customers.models import Customer
from uploads.models import FileUpload, UploadStatus
from uploads.tests.factories import csv_bytes, upload_rows
from voiceassist.common.roles import AGENT, BACK_OFFICE
from voiceassist.common.tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
HEADER = ["Customer Name", "Mobile No.", "Loan Account No", "Outstanding", "Aadhaar"]


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API keeps an event loop in this thread, which Django's async-safety check
    # mistakes for async code; the test itself is plain synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_page(browser: Browser, live_server, reference_data):
    """``open_page(viewport)`` gives a page in a fresh browser context on the live server."""
    contexts = []

    def open_(viewport: dict = LAPTOP) -> Page:
        context = browser.new_context(base_url=live_server.url, viewport=viewport, accept_downloads=True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def _log_in(page: Page, user) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _nav(page: Page, name: str):
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


def _no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_agent_finds_a_customer_records_a_promise_and_sees_it_on_the_dashboard(open_page):
    agent = UserFactory(role=AGENT, first_name="Priya", last_name="Shah")
    upload_rows([HEADER, ["Asha Rao", "+919876543210", "LN-1", "50,000", "1234 5678 9012"]])
    upload_rows([HEADER, ["Asha Rao", "9876543210", "LN-1", "42,000", ""]])
    customer = Customer.objects.get()
    callback = work_item_create(kind=WorkItemKind.CALLBACK, customer=customer, note="Pressed 3 yesterday")
    running = FileUpload.objects.create(
        original_name="november.csv", checksum="0" * 64, status=UploadStatus.PROCESSING, rows_total=10, rows_done=4
    )
    page = open_page()

    # Log in through the form: the agent lands on the dashboard.
    _log_in(page, agent)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.locator('[data-figure="promises"] .value')).to_have_text("0")
    expect(page.locator('[data-figure="queue"] .value')).to_have_text("1")

    # The running upload's bar moves on its own (the page polls /dashboard/uploads.json).
    bar = page.locator(f'[data-upload="{running.pk}"]')
    expect(bar.locator('[data-field="percent"]')).to_have_text("40%")
    FileUpload.objects.filter(pk=running.pk).update(
        status=UploadStatus.COMPLETED, rows_done=10, finished_at=timezone.now()
    )
    expect(bar.locator('[data-field="percent"]')).to_have_text("100%")
    expect(bar.locator('[data-field="status"]')).to_have_text("Completed")

    # Search by the phone written another way: the one match opens the customer page.
    _nav(page, "Search").click()
    page.get_by_label("Phone, name or loan id").fill("098765 43210")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(rf"/customers/{customer.pk}/$"))
    expect(page.get_by_role("heading", name="Asha Rao")).to_be_visible()
    expect(page.locator('[data-field="national-id"]')).to_have_text("•••• 9012")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("amount: ₹50,000.00 → ₹42,000.00")
    expect(timeline).to_contain_text("Updated")

    # Record a promise to pay.
    promised = timezone.localdate() + timedelta(days=3)
    promise_form = page.locator("form#promise")
    promise_form.get_by_label("Amount promised (₹)").fill("5000")
    promise_form.get_by_label("Will pay by").fill(promised.isoformat())
    promise_form.get_by_role("button", name="Record promise").click()
    expect(page.locator(".message.success")).to_contain_text("Promise recorded: ₹5,000.00 on loan LN-1")
    expect(page.locator("#promises")).to_contain_text("₹5,000.00 by")
    page.screenshot(path=str(SCREENSHOTS / "agent-customer.png"), full_page=True)

    # Take the callback from the queue and close it.
    _nav(page, "Queue").click()
    item = page.locator(f'[data-item="{callback.pk}"]')
    expect(item).to_contain_text("Callback requested")
    item.get_by_role("button", name="Claim").click()
    expect(page.locator(".message.success")).to_contain_text("You took")
    expect(item).to_contain_text("Taken by you")
    page.screenshot(path=str(SCREENSHOTS / "agent-queue.png"), full_page=True)
    item.get_by_placeholder("What happened (optional)").fill("Will pay on Friday")
    item.get_by_role("button", name="Done").click()
    expect(page.locator(".message.success")).to_contain_text("Done:")
    expect(item).to_have_count(0)

    # The dashboard counts the promise; the queue is empty again.
    _nav(page, "Dashboard").click()
    expect(page.locator('[data-figure="promises"] .value')).to_have_text("1")
    expect(page.locator('[data-figure="promises"] .sub')).to_have_text("₹5,000.00 promised")
    expect(page.locator('[data-figure="queue"] .value')).to_have_text("0")
    expect(page.locator("svg[aria-label^='Promises today by hour: 1 in all'] rect")).not_to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / "agent-dashboard.png"), full_page=True)

    promise = PromiseToPay.objects.get()
    assert promise.created_by == agent and promise.amount == 5000 and promise.promised_date == promised
    assert WorkItem.objects.get(pk=callback.pk).done_at is not None


def test_back_office_uploads_a_file_watches_it_finish_and_downloads_the_failed_rows(open_page, eager_tasks, tmp_path):
    back_office = UserFactory(role=BACK_OFFICE)
    file = tmp_path / "november.csv"
    file.write_bytes(
        csv_bytes(
            [
                ["Customer Name", "Mobile No.", "Loan Account No", "Outstanding"],
                ["Asha Rao", "98765 43210", "LN-1", "50,000"],
                ["Ravi Kumar", "12345", "LN-2", "1,000"],
                ["Meera Nair", "0091-99887-76655", "LN-3", "₹7,500"],
            ]
        )
    )
    page = open_page()

    _log_in(page, back_office)
    expect(page).to_have_url(re.compile(r"/admin/$"))  # back office lands in the admin
    page.goto("/dashboard/")
    _nav(page, "Upload").click()
    expect(page.get_by_role("heading", name="Upload customers")).to_be_visible()
    page.get_by_label("File", exact=True).set_input_files(str(file))
    expect(page.get_by_label("Preview first")).to_be_checked()
    page.get_by_role("button", name="Upload").click()

    # The preview: every row evaluated, nothing written yet, one click to import.
    expect(page).to_have_url(re.compile(r"/uploads/\d+/$"))
    expect(page.locator('[data-field="status"]')).to_have_text("Waiting for confirmation")
    rows = page.locator("table.rows")
    expect(rows).to_contain_text("amount: ₹50,000.00")
    expect(rows).to_contain_text("12345")
    assert not Customer.objects.exists()
    page.get_by_role("button", name="Confirm and import").click()

    expect(page.locator(".message.success")).to_have_text("Confirmed: the import is queued.")
    expect(page.locator('[data-field="percent"]')).to_have_text("100%")
    expect(page.locator("#upload progress")).to_have_attribute("value", "100")
    expect(page.locator('[data-field="status"]')).to_have_text("Completed")
    expect(page.locator('[data-field="rows"]')).to_have_text("3 / 3")
    expect(page.locator('[data-field="counts"]')).to_contain_text("created 2")
    expect(page.locator('[data-field="counts"]')).to_contain_text("invalid 1")
    page.screenshot(path=str(SCREENSHOTS / "back-office-upload.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download failed rows (CSV)").click()
    download = download_info.value
    assert re.fullmatch(r"upload-\d+-failed-rows\.csv", download.suggested_filename)
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(content)))
    assert table[0] == ["Customer Name", "Mobile No.", "Loan Account No", "Outstanding", "error"]
    assert len(table) == 2
    assert table[1][:4] == ["Ravi Kumar", "12345", "LN-2", "1,000"]
    assert "12345" in table[1][4]

    assert set(Customer.objects.values_list("phone", flat=True)) == {"+919876543210", "+919988776655"}

    # An upload still running (a worker elsewhere): its page follows it live, then reloads once at the end.
    running = FileUpload.objects.create(
        original_name="december.csv", checksum="1" * 64, status=UploadStatus.PROCESSING, rows_total=8, rows_done=2
    )
    page.goto(f"/uploads/{running.pk}/")
    expect(page.locator('[data-field="percent"]')).to_have_text("25%")
    FileUpload.objects.filter(pk=running.pk).update(rows_done=6)
    expect(page.locator('[data-field="percent"]')).to_have_text("75%")
    expect(page.locator('[data-field="rows"]')).to_have_text("6 / 8")
    FileUpload.objects.filter(pk=running.pk).update(
        status=UploadStatus.COMPLETED, rows_done=8, created_count=8, finished_at=timezone.now()
    )
    expect(page.locator('[data-field="status"]')).to_have_text("Completed")
    expect(page.locator('[data-field="percent"]')).to_have_text("100%")
    expect(page.locator('[data-field="counts"]')).to_contain_text("created 8")  # after the reload


def test_the_customer_page_fits_a_phone_screen(open_page, live_server):
    agent = UserFactory(role=AGENT)
    upload_rows([HEADER, ["Venkata Lakshmi Narasimha Subramaniam", "+919876543210", "LN-2026-0000001", "50,000", ""]])
    upload_rows([HEADER, ["Venkata Lakshmi Narasimha Subramaniam", "9876543210", "LN-2026-0000001", "1,42,000", ""]])
    customer = Customer.objects.get()
    client = Client()
    client.force_login(agent)
    page = open_page(PHONE)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )

    page.goto(f"/customers/{customer.pk}/")
    expect(page.get_by_role("heading", name="Venkata Lakshmi Narasimha Subramaniam")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("amount: ₹50,000.00 → ₹1,42,000.00")
    assert page.evaluate("window.innerWidth") == PHONE["width"]
    assert _no_horizontal_overflow(page)
    # The forms stack in one column on a phone.
    promise_box = page.locator("form#promise").bounding_box()
    outcome_box = page.locator("form#outcome").bounding_box()
    assert outcome_box["y"] > promise_box["y"] + promise_box["height"] - 1
    assert promise_box["x"] + promise_box["width"] <= PHONE["width"]
    page.screenshot(path=str(SCREENSHOTS / "phone-customer.png"), full_page=True)

    # A refused callback keeps the page on a phone too, with the guard's reason next to the field.
    late = timezone.localtime(timezone.now() + timedelta(days=1)).replace(hour=22, minute=0)
    callback = page.locator("form#callback")
    callback.get_by_label("Call back at").fill(late.strftime("%Y-%m-%dT%H:%M"))
    callback.get_by_role("button", name="Schedule callback").click()
    expect(page.locator("form#callback .field-error")).to_contain_text("calls are allowed 08:00–19:00 their time")
    assert _no_horizontal_overflow(page)

    for url in ["/", "/queue/", "/search/?q=Venkata"]:
        page.goto(url)
        assert _no_horizontal_overflow(page), url
    page.goto("/")
    page.screenshot(path=str(SCREENSHOTS / "phone-dashboard.png"), full_page=True)


def test_every_kind_of_page_passes_the_content_security_policy(open_page):
    """No inline script, style or handler anywhere a person goes: the browser reports none refused."""
    back_office = UserFactory(role=BACK_OFFICE, first_name="Meera")
    upload = upload_rows([HEADER, ["Asha Rao", "+919876543210", "LN-1", "50,000", ""]])
    customer = Customer.objects.get()
    page = open_page()
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => (window.__refused = window.__refused || []).push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    _log_in(page, back_office)

    for url in [
        "/admin/",
        "/admin/customers/customer/",
        f"/admin/customers/customer/{customer.pk}/change/",
        f"/admin/uploads/fileupload/{upload.pk}/change/",
        "/admin/calls/call/",
        "/dashboard/",
        "/queue/",
        "/search/?q=Asha",
        f"/customers/{customer.pk}/",
        f"/uploads/{upload.pk}/",
        "/api/docs/",
    ]:
        response = page.goto(url)
        assert response.ok, url
        assert "script-src 'self'" in response.headers["content-security-policy"], url
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__refused || []") == [], url
    if "/api/docs/" in page.url:
        expect(page.locator(".swagger-ui")).to_be_visible()  # the docs still render under the policy
    assert refused == []
