from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from calls.models import Call, CallStatus, Disposition, PromiseStatus, PromiseToPay, WorkItem, WorkItemKind
from calls.services.work_items import work_item_create
from calls.tests.factories import CallFactory
from customers.models import Customer
from customers.tests.factories import CustomerFactory, LoanFactory
from uploads.models import FileUpload, UploadStatus
from uploads.tests.factories import csv_bytes, upload_rows
from voiceassist.common.models import AuditEvent
from voiceassist.common.roles import AGENT
from voiceassist.common.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = ["Customer Name", "Mobile No.", "Loan Account No", "Outstanding", "Aadhaar"]


def _tomorrow_at(hour: int) -> datetime:
    """Tomorrow at ``hour`` local time (Asia/Kolkata), as the datetime-local input sends it."""
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=1), time(hour)))


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture(autouse=True)
def _reference_data(reference_data):
    """Roles and dispositions, even where an earlier transactional test flushed them."""


@pytest.fixture
def asha(db):
    """A customer uploaded twice: created, then her loan's outstanding amount went down."""
    upload_rows([HEADER, ["Asha Rao", "98765 43210", "LN-1", "50,000", "1234 5678 9012"]])
    upload_rows([HEADER, ["Asha Rao", "+919876543210", "LN-1", "42,000.00", ""]])
    return Customer.objects.get(phone="+919876543210")


@pytest.fixture
def agent_client(client, agent_user):
    client.force_login(agent_user)
    return client


@pytest.fixture
def back_office_client(client, back_office_user):
    client.force_login(back_office_user)
    return client


def _upload(**kwargs) -> FileUpload:
    return FileUpload.objects.create(original_name="loans.csv", checksum="0" * 64, **kwargs)


# --- Who may open what -----------------------------------------------------------------------------


def _pages(customer: Customer, upload: FileUpload) -> list[str]:
    return [
        "/",
        "/dashboard/",
        "/dashboard/uploads.json",
        "/queue/",
        "/search/?q=Asha",
        f"/customers/{customer.pk}/",
        "/uploads/new/",
        f"/uploads/{upload.pk}/",
        f"/uploads/{upload.pk}/progress.json",
        f"/uploads/{upload.pk}/failed-rows.csv",
    ]


def test_anonymous_visitors_are_sent_to_the_login_page_from_every_page(client):
    customer, upload = CustomerFactory(), _upload()

    for url in _pages(customer, upload):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/?next="), url
    for url in [f"/customers/{customer.pk}/promise/", "/queue/1/claim/", f"/uploads/{upload.pk}/confirm/"]:
        assert client.post(url).url.startswith("/accounts/login/"), url


def test_an_agent_opens_the_agents_pages_and_gets_403_on_the_upload_pages(agent_client, asha):
    upload = _upload()
    pages = _pages(asha, upload)

    for url in pages[:6]:
        response = agent_client.get(url, follow=True)
        assert response.status_code == 200, url
    for url in pages[6:]:
        assert agent_client.get(url).status_code == 403, url
    assert agent_client.post(f"/uploads/{upload.pk}/confirm/").status_code == 403
    assert agent_client.post("/uploads/new/", {"mode": "upsert"}).status_code == 403


def test_back_office_lands_in_the_admin_but_may_open_every_page(back_office_client, asha):
    upload = _upload(status=UploadStatus.COMPLETED)

    assert back_office_client.get("/").url == "/admin/"
    for url in _pages(asha, upload)[1:]:
        assert back_office_client.get(url, follow=True).status_code == 200, url
    dashboard = _text(back_office_client.get("/dashboard/"))
    assert 'href="/uploads/new/"' in dashboard and 'href="/admin/"' in dashboard


def test_the_agents_navigation_has_no_back_office_links(agent_client):
    page = _text(agent_client.get("/"))
    assert 'href="/queue/"' in page and 'href="/search/"' in page
    assert 'href="/uploads/new/"' not in page and 'href="/admin/"' not in page


def test_a_user_with_no_role_is_refused(client, roles):
    client.force_login(UserFactory())
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/queue/").status_code == 403


# --- Dashboard ---------------------------------------------------------------------------------


def test_the_dashboard_shows_todays_calls_promises_and_the_queue(agent_client, agent_user):
    loan = LoanFactory()
    now = timezone.now()
    CallFactory(customer=loan.customer, loan=loan, status=CallStatus.COMPLETED, started_at=now)
    CallFactory(customer=loan.customer, loan=loan, status=CallStatus.COMPLETED, started_at=now - timedelta(days=2))
    PromiseToPay.objects.create(
        customer=loan.customer, loan=loan, amount=Decimal("5000.00"), promised_date=timezone.localdate()
    )
    work_item_create(kind=WorkItemKind.CALLBACK, customer=loan.customer)
    work_item_create(kind=WorkItemKind.DISPUTE, customer=loan.customer, due_at=now + timedelta(days=1))

    response = agent_client.get("/")

    figures = response.context["figures"]
    assert figures["calls"] == 1
    assert figures["promises"] == 1 and figures["promised_amount"] == Decimal("5000.00")
    assert figures["queue_due"] == 1 and figures["queue_open"] == 2 and figures["queue_mine"] == 0
    page = _text(response)
    assert "<svg" in page and "Calls today by hour" in page
    assert "₹5,000.00 promised" in page
    hour = timezone.localtime(now).hour
    assert response.context["calls_chart"].bars[hour].value == 1
    assert sum(bar.value for bar in response.context["promises_chart"].bars) == 1


def test_the_dashboard_draws_the_last_two_weeks_figures_as_svg(agent_client, settings):
    settings.PAYMENTS_ATTRIBUTION_DAYS = 30
    today = timezone.localdate()
    at_ten = timezone.make_aware(datetime.combine(today - timedelta(days=1), time(10, 5)))
    loan = LoanFactory(days_past_due=40)
    call = CallFactory(
        customer=loan.customer,
        loan=loan,
        status=CallStatus.COMPLETED,
        started_at=at_ten,
        answered_by="human",
        disposition=Disposition.objects.get(code="promise_to_pay"),
    )
    PromiseToPay.objects.create(
        customer=loan.customer, loan=loan, amount=Decimal("900.00"), promised_date=today, source_call=call
    )
    loan.payments.create(amount=Decimal("1500.00"), paid_on=today, paid_at=at_ten + timedelta(hours=2))
    # Three weeks ago: outside the dashboard's fourteen days.
    CallFactory(status=CallStatus.BUSY, started_at=at_ten - timedelta(days=21))

    response = agent_client.get("/dashboard/")

    period = response.context["period"]
    assert (period["attempts"], period["connects"], period["promises"]) == (1, 1, 1)
    assert period["collected_amount"] == Decimal("1500.00") and len(period["by_day"]) == 14
    assert response.context["connects_chart"].bars[10].value == 1
    assert response.context["collected_chart"].bars[-2].value == Decimal("1500.00")  # yesterday's call
    assert response.context["promises_day_chart"].total == 1
    assert [bar.value for bar in response.context["dpd_chart"].bars][2] == Decimal("1500.00")  # 31-60
    page = _text(response)
    assert "Collected per day: ₹1,500.00 in all" in page and "Connects by hour of day: 1 in all" in page
    assert "Collected by days past due" in page and 'data-figures="dpd"' in page
    # Drawn on the server, nothing inline for the CSP to refuse.
    assert page.count("<svg") == 6 and " style=" not in page and "<script>" not in page


def test_the_dashboard_polls_its_own_json_for_uploads_in_progress(agent_client):
    running = _upload(status=UploadStatus.PROCESSING, rows_total=200, rows_done=50)
    _upload(status=UploadStatus.COMPLETED, finished_at=timezone.now() - timedelta(days=1))

    page = _text(agent_client.get("/dashboard/"))
    assert 'data-poll-url="/dashboard/uploads.json"' in page
    assert f'data-upload="{running.pk}"' in page and 'value="25"' in page

    data = agent_client.get("/dashboard/uploads.json").json()
    assert data["uploads"] == [
        {
            "id": running.pk,
            "original_name": "loans.csv",
            "status": "processing",
            "status_display": "Processing",
            "dry_run": False,
            "running": True,
            "rows_done": 50,
            "rows_total": 200,
            "progress_percent": 25,
            "counts": {
                "created": 0,
                "updated": 0,
                "unchanged": 0,
                "skipped": 0,
                "invalid": 0,
                "duplicates": 0,
                "name_conflicts": 0,
            },
        }
    ]


# --- Work queue --------------------------------------------------------------------------------


def test_the_queue_lists_open_follow_ups_oldest_first(agent_client):
    customer = CustomerFactory()
    now = timezone.now()
    newer = work_item_create(kind=WorkItemKind.AGENT_REQUESTED, customer=customer, due_at=now - timedelta(hours=1))
    older = work_item_create(kind=WorkItemKind.BROKEN_PROMISE, customer=customer, due_at=now - timedelta(days=1))
    done = work_item_create(kind=WorkItemKind.DISPUTE, customer=customer)
    WorkItem.objects.filter(pk=done.pk).update(done_at=now)

    response = agent_client.get("/queue/")

    assert [item.pk for item in response.context["items"]] == [older.pk, newer.pk]
    page = _text(response)
    assert page.index("Broken promise") < page.index("Asked for an agent")
    assert "Claim" in page and 'name="csrfmiddlewaretoken"' in page


def test_an_agent_claims_then_completes_a_follow_up(agent_client, agent_user):
    item = work_item_create(kind=WorkItemKind.CALLBACK, customer=CustomerFactory())

    response = agent_client.post(f"/queue/{item.pk}/claim/", follow=True)

    item.refresh_from_db()
    assert item.claimed_by == agent_user and item.done_at is None
    assert "You took" in _text(response)
    assert "Taken by you" in _text(response)

    response = agent_client.post(f"/queue/{item.pk}/done/", {"note": "Will pay Friday"}, follow=True)

    item.refresh_from_db()
    assert item.done_at is not None and item.note == "Will pay Friday"
    assert "Done: " in _text(response)
    assert item.pk not in [i.pk for i in response.context["items"]]


def test_a_clash_says_who_already_took_the_follow_up(agent_client, agent_user):
    other = UserFactory(role=AGENT, first_name="Ravi", last_name="Kumar")
    item = work_item_create(kind=WorkItemKind.PAYMENT_CHECK, customer=CustomerFactory())
    agent_client.force_login(other)
    agent_client.post(f"/queue/{item.pk}/claim/")
    agent_client.force_login(agent_user)

    response = agent_client.post(f"/queue/{item.pk}/claim/", follow=True)

    assert response.status_code == 200
    assert "Ravi Kumar already took this one." in _text(response)
    item.refresh_from_db()
    assert item.claimed_by == other
    assert agent_client.post(f"/queue/{item.pk}/done/", follow=True).status_code == 200
    item.refresh_from_db()
    assert item.done_at is None


def test_claiming_needs_a_post(agent_client):
    item = work_item_create(kind=WorkItemKind.CALLBACK, customer=CustomerFactory())
    assert agent_client.get(f"/queue/{item.pk}/claim/").status_code == 405


# --- Search ------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["098765 43210", "+91 98765-43210", "9876543210", "LN-1"])
def test_one_match_opens_the_customer_page(agent_client, asha, query):
    response = agent_client.get("/search/", {"q": query})
    assert response.status_code == 302
    assert response.url == f"/customers/{asha.pk}/"


def test_a_name_fragment_lists_every_match(agent_client, asha):
    CustomerFactory(full_name="Ashok Rao")

    response = agent_client.get("/search/", {"q": "rao"})

    assert response.status_code == 200
    page = _text(response)
    assert "2 results for “rao”" in page and "Asha Rao" in page and "Ashok Rao" in page


def test_no_match_says_so_in_words(agent_client):
    page = _text(agent_client.get("/search/", {"q": "nobody"}))
    assert "No customer matches “nobody”" in page
    assert agent_client.get("/search/").status_code == 200


# --- Customer page -----------------------------------------------------------------------------


def test_the_customer_page_shows_details_loans_timeline_and_calls(agent_client, asha):
    CallFactory(
        customer=asha,
        loan=asha.loans.get(),
        status=CallStatus.COMPLETED,
        started_at=timezone.now(),
        recording_url="https://recordings.example.com/r/1.mp3",
        transcript="Customer said she will pay on Friday.",
        disposition=Disposition.objects.get(code="promise_to_pay"),
    )

    page = _text(agent_client.get(f"/customers/{asha.pk}/"))

    assert "Asha Rao" in page and "+919876543210" in page
    assert "•••• 9012" in page
    assert "LN-1" in page and "₹42,000.00" in page
    assert "amount: ₹50,000.00 → ₹42,000.00" in page
    assert "national_id: •••• 9012" in page
    assert "Promise to pay" in page
    call = Call.objects.get(customer=asha)
    assert f'<audio controls preload="none" src="/calls/{call.pk}/recording/"' in page
    assert "recordings.example.com" not in page
    assert "Customer said she will pay on Friday." in page
    assert page.count('name="csrfmiddlewaretoken"') >= 4


def test_the_national_id_fingerprint_never_appears_on_any_page(client, agent_user, back_office_user, asha):
    fingerprint = asha.national_id_fingerprint
    assert len(fingerprint) == 64
    upload = FileUpload.objects.order_by("created_at").first()
    pages = [*_pages(asha, upload), "/search/?q=rao", f"/admin/customers/customer/{asha.pk}/change/"]

    for user in (agent_user, back_office_user):
        client.force_login(user)
        for url in pages:
            response = client.get(url, follow=True)
            body = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
            assert fingerprint[:16] not in body, (user, url)


def test_a_missing_customer_is_a_404(agent_client):
    assert agent_client.get("/customers/999999/").status_code == 404


# --- Customer forms ----------------------------------------------------------------------------


def test_record_a_promise_to_pay(agent_client, agent_user, asha):
    loan = asha.loans.get()
    promised = timezone.localdate() + timedelta(days=5)

    response = agent_client.post(
        f"/customers/{asha.pk}/promise/",
        {"promise-loan": loan.pk, "promise-amount": "5000", "promise-promised_date": promised.isoformat()},
        follow=True,
    )

    promise = PromiseToPay.objects.get()
    assert (promise.loan, promise.amount, promise.promised_date) == (loan, Decimal("5000.00"), promised)
    assert promise.created_by == agent_user and promise.status == PromiseStatus.OPEN
    assert promise.outstanding_at_promise == Decimal("42000.00")
    assert AuditEvent.objects.filter(action="promise.recorded", actor=agent_user).exists()
    assert response.redirect_chain[-1][0] == f"/customers/{asha.pk}/"
    assert f"Promise recorded: ₹5,000.00 on loan LN-1 by {promised:%-d %b %Y}." in _text(response)


def test_a_promise_with_bad_input_shows_field_errors_in_words(agent_client, asha):
    loan = asha.loans.get()

    response = agent_client.post(
        f"/customers/{asha.pk}/promise/",
        {"promise-loan": loan.pk, "promise-amount": "-5", "promise-promised_date": "soon"},
    )

    assert response.status_code == 200
    form = response.context["promise_form"]
    assert "amount" in form.errors and "promised_date" in form.errors
    page = _text(response)
    assert "Ensure this value is greater than or equal to 0.01." in page
    assert "Enter a valid date." in page
    assert not PromiseToPay.objects.exists()


def test_a_promise_the_service_refuses_shows_its_reason_next_to_the_field(agent_client, asha):
    yesterday = timezone.localdate() - timedelta(days=1)

    response = agent_client.post(
        f"/customers/{asha.pk}/promise/",
        {"promise-loan": asha.loans.get().pk, "promise-amount": "100", "promise-promised_date": yesterday},
    )

    assert response.status_code == 200
    assert response.context["promise_form"].errors["promised_date"] == ["The promised date is in the past."]
    assert "The promised date is in the past." in _text(response)
    assert not PromiseToPay.objects.exists()


def test_a_promise_on_another_customers_loan_is_refused(agent_client, asha):
    other_loan = LoanFactory()
    response = agent_client.post(
        f"/customers/{asha.pk}/promise/",
        {"promise-loan": other_loan.pk, "promise-amount": "100", "promise-promised_date": timezone.localdate()},
    )
    assert "loan" in response.context["promise_form"].errors
    assert not PromiseToPay.objects.exists()


def test_log_a_call_outcome(agent_client, agent_user, asha):
    loan = asha.loans.get()

    response = agent_client.post(
        f"/customers/{asha.pk}/call-outcome/",
        {"outcome-loan": loan.pk, "outcome-disposition": "dispute", "outcome-note": "EMI debited twice"},
        follow=True,
    )

    call = Call.objects.get()
    assert call.provider == "manual" and call.disposition.code == "dispute" and call.transcript == "EMI debited twice"
    assert WorkItem.objects.get(call=call).kind == WorkItemKind.DISPUTE
    assert "Call logged: Dispute." in _text(response)


def test_only_conversation_outcomes_may_be_logged(agent_client, asha):
    page = _text(agent_client.get(f"/customers/{asha.pk}/"))
    assert 'value="promise_to_pay"' in page and 'value="busy"' not in page

    response = agent_client.post(f"/customers/{asha.pk}/call-outcome/", {"outcome-disposition": "busy"})

    assert "Select a valid choice. busy is not one of the available choices." in _text(response)
    assert not Call.objects.exists()
    response = agent_client.post(f"/customers/{asha.pk}/call-outcome/", {"outcome-disposition": ""})
    assert response.context["outcome_form"].errors["disposition"] == ["This field is required."]


def test_schedule_a_callback_inside_the_calling_hours(agent_client, agent_user, asha):
    at = _tomorrow_at(11)

    response = agent_client.post(
        f"/customers/{asha.pk}/callback/",
        {"callback-at": at.strftime("%Y-%m-%dT%H:%M"), "callback-note": "After her shift"},
        follow=True,
    )

    item = WorkItem.objects.get()
    assert item.kind == WorkItemKind.CALLBACK and item.due_at == at and item.note == "After her shift"
    assert f"Callback scheduled for {at:%-d %b %Y}, 11:00" in _text(response)


def test_a_callback_outside_the_calling_hours_shows_the_guards_reason(agent_client, asha):
    at = _tomorrow_at(22)

    response = agent_client.post(f"/customers/{asha.pk}/callback/", {"callback-at": at.strftime("%Y-%m-%dT%H:%M")})

    assert response.status_code == 200
    [reason] = response.context["callback_form"].errors["at"]
    assert reason.startswith("It is 22:00 for the customer (Asia/")
    assert "calls are allowed 08:00–19:00 their time. The first allowed time is" in reason
    assert reason in _text(response)
    assert not WorkItem.objects.exists()


def test_a_callback_needs_a_time(agent_client, asha):
    response = agent_client.post(f"/customers/{asha.pk}/callback/", {"callback-at": ""})
    assert response.context["callback_form"].errors["at"] == ["This field is required."]
    assert "This field is required." in _text(response)


def test_stop_calls_with_a_reason_then_callbacks_are_refused(agent_client, agent_user, asha):
    response = agent_client.post(
        f"/customers/{asha.pk}/suppressions/",
        {"suppress-kind": "do_not_call", "suppress-reason": "Asked never to be called"},
        follow=True,
    )

    suppression = asha.suppressions.get()
    assert (suppression.kind, suppression.reason, suppression.source) == (
        "do_not_call",
        "Asked never to be called",
        "agent",
    )
    assert AuditEvent.objects.filter(action="suppression.set", actor=agent_user).exists()
    page = _text(response)
    assert "Calls stopped: Do not call: Asked never to be called. Only back office can lift this." in page
    assert "Only back office can lift these." in page
    assert "May the bot call now?" in page and "Only back office can lift this." in page

    # A callback for a do-not-call customer: the guard's reason, next to the time.
    response = agent_client.post(
        f"/customers/{asha.pk}/callback/", {"callback-at": _tomorrow_at(11).strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.context["callback_form"].errors["at"] == [
        "The customer is on do-not-call (Asked never to be called)."
    ]


def test_an_agent_disputes_one_loan_and_cannot_mark_a_customer_deceased(agent_client, asha):
    loan = asha.loans.first()
    agent_client.post(
        f"/customers/{asha.pk}/suppressions/",
        {"suppress-kind": "dispute", "suppress-loan": loan.pk, "suppress-reason": "Says the amount is wrong"},
    )
    assert asha.suppressions.get().loan == loan

    response = agent_client.post(
        f"/customers/{asha.pk}/suppressions/", {"suppress-kind": "deceased", "suppress-reason": "A relative said so"}
    )
    assert "deceased" not in dict(response.context["suppress_form"].fields["kind"].choices)
    assert response.context["suppress_form"].errors["kind"]
    assert asha.suppressions.count() == 1


def test_stopping_calls_needs_a_reason(agent_client, asha):
    response = agent_client.post(
        f"/customers/{asha.pk}/suppressions/", {"suppress-kind": "stop_calling", "suppress-reason": "   "}
    )

    assert response.context["suppress_form"].errors["reason"] == ["This field is required."]
    assert not asha.suppressions.exists()


# --- Uploads (back office) ---------------------------------------------------------------------

UPLOAD_ROWS = [
    ["Customer Name", "Mobile No.", "Loan Account No", "Outstanding"],
    ["Asha Rao", "98765 43210", "LN-1", "50,000"],
    ["Ravi Kumar", "12345", "LN-2", "100"],
]


def test_the_upload_page_shows_the_form_with_csrf(back_office_client):
    page = _text(back_office_client.get("/uploads/new/"))
    assert 'enctype="multipart/form-data"' in page and 'name="csrfmiddlewaretoken"' in page
    assert 'name="file"' in page and 'name="mode"' in page and 'name="dry_run"' in page


def test_back_office_uploads_previews_confirms_and_downloads_the_failed_rows(
    back_office_client, back_office_user, eager_tasks, django_capture_on_commit_callbacks
):
    file = SimpleUploadedFile("loans.csv", csv_bytes(UPLOAD_ROWS), content_type="text/csv")

    with django_capture_on_commit_callbacks(execute=True):
        response = back_office_client.post("/uploads/new/", {"file": file, "mode": "upsert", "dry_run": "on"})

    upload = FileUpload.objects.get()
    assert upload.uploaded_by == back_office_user and upload.dry_run
    assert upload.status == UploadStatus.AWAITING_CONFIRMATION
    assert response.url == f"/uploads/{upload.pk}/"
    page = _text(back_office_client.get(response.url))
    assert f"Upload #{upload.pk} is queued." in page
    assert "Confirm and import" in page and "name: Asha Rao" in page and "amount: ₹50,000.00" in page
    assert "12345" in page and f'data-status-url="/uploads/{upload.pk}/progress.json"' in page
    assert not Customer.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = back_office_client.post(f"/uploads/{upload.pk}/confirm/")

    upload.refresh_from_db()
    assert upload.status == UploadStatus.COMPLETED and not upload.dry_run
    assert Customer.objects.get().full_name == "Asha Rao"
    page = _text(back_office_client.get(response.url))
    assert "Confirmed: the import is queued." in page and 'value="100"' in page and "100%" in page
    assert "Download failed rows" in page

    progress = back_office_client.get(f"/uploads/{upload.pk}/progress.json").json()
    assert progress["progress_percent"] == 100 and progress["status"] == "completed"

    response = back_office_client.get(f"/uploads/{upload.pk}/failed-rows.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "Customer Name,Mobile No.,Loan Account No,Outstanding,error"
    assert lines[1].startswith("Ravi Kumar,12345,LN-2,100,") and "12345" in lines[1].split(",", 4)[4]

    response = back_office_client.post(f"/uploads/{upload.pk}/confirm/", follow=True)
    assert "there is nothing to confirm" in _text(response)


def test_an_upload_the_service_refuses_shows_why_next_to_the_file(back_office_client):
    empty = SimpleUploadedFile("empty.csv", b"", content_type="text/csv")
    response = back_office_client.post("/uploads/new/", {"file": empty, "mode": "upsert"})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert "The submitted file is empty." in _text(response)

    wrong = SimpleUploadedFile("loans.pdf", b"%PDF", content_type="application/pdf")
    response = back_office_client.post("/uploads/new/", {"file": wrong, "mode": "upsert"})
    assert "“loans.pdf” is not a CSV or .xlsx file." in _text(response)
    assert not FileUpload.objects.exists()


def test_an_identical_file_is_held_with_a_warning(back_office_client, eager_tasks, django_capture_on_commit_callbacks):
    content = csv_bytes(UPLOAD_ROWS)
    with django_capture_on_commit_callbacks(execute=True):
        back_office_client.post("/uploads/new/", {"file": SimpleUploadedFile("a.csv", content), "mode": "upsert"})

    response = back_office_client.post(
        "/uploads/new/", {"file": SimpleUploadedFile("b.csv", content), "mode": "upsert"}, follow=True
    )

    held = FileUpload.objects.order_by("-pk").first()
    assert held.status == UploadStatus.AWAITING_CONFIRMATION
    assert "This file is identical to upload #" in _text(response) and "Import anyway" in _text(response)


def test_a_running_upload_page_polls_its_progress(back_office_client):
    upload = _upload(status=UploadStatus.PROCESSING, rows_total=10, rows_done=4)

    page = _text(back_office_client.get(f"/uploads/{upload.pk}/"))

    assert 'data-running="1"' in page and "js/upload-progress.js" in page and 'value="40"' in page
    assert back_office_client.get(f"/uploads/{upload.pk}/progress.json").json()["rows_done"] == 4
    assert back_office_client.get("/uploads/999999/").status_code == 404
