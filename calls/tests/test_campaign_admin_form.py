"""The campaign's admin page: a form of choices (states, uploads, a retry table, countries) saved through the
campaign services, the audience the guard would meet today, and the campaign's next steps as buttons."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from calls.admin.campaign_audience import audience_preview_html
from calls.models import Call, Campaign, CampaignStatus, default_retry_policy
from calls.services.audience import campaign_audience_preview
from calls.tests.factories import CallFactory, CampaignFactory, PromiseFactory, calling_day, calling_day_at
from customers.tests.factories import CustomerFactory, LoanFactory
from uploads.models import FileUpload, UploadStatus
from voiceassist.common.models import AuditEvent

pytestmark = pytest.mark.django_db

ADD = "/admin/calls/campaign/add/"


@pytest.fixture
def admin_client(client, back_office_user):
    client.force_login(back_office_user)
    return client


def _retry_table(policy: dict) -> dict[str, str]:
    return {
        f"retry_policy_{outcome}_{part}": str(number)
        for outcome, rule in policy.items()
        for part, number in rule.items()
    }


def _form(**values) -> dict:
    """What the add page posts when a clerk fills in only a name (and ``values``)."""
    return {
        "name": "March DPD 30",
        "provider": "",
        "audience_upload": "",
        "window_start": "09:00",
        "window_end": "18:00",
        "max_attempts": "3",
        "call_landlines": "on",
        "machine_message": "none",
        **_retry_table(default_retry_policy()),
        **values,
    }


def _upload(name: str, *, status=UploadStatus.COMPLETED, dry_run=False, finished=None) -> FileUpload:
    return FileUpload.objects.create(
        original_name=name, checksum=name, status=status, dry_run=dry_run, finished_at=finished
    )


def _change_url(campaign: Campaign) -> str:
    return f"/admin/calls/campaign/{campaign.pk}/change/"


# --- The form ------------------------------------------------------------------------------------------------


def test_the_form_offers_the_states_customers_have_recent_uploads_by_name_and_the_countries(admin_client):
    CustomerFactory(state="Karnataka")
    CustomerFactory(state="Goa")
    CustomerFactory(state="Goa")
    CustomerFactory(state="")
    overdue = _upload("overdue.csv", finished=datetime(2026, 11, 3, 12, tzinfo=UTC))
    _upload("failed.csv", status=UploadStatus.FAILED)
    _upload("preview.csv", dry_run=True)

    form = admin_client.get(ADD).context["adminform"].form

    assert form.fields["audience_states"].choices == [("Goa", "Goa"), ("Karnataka", "Karnataka")]
    assert [label for _, label in form.fields["audience_upload"].choices] == [
        "Any customer (no upload)",
        f"#{overdue.pk} overdue.csv — 3 Nov 2026",
    ]
    assert form.fields["phone_countries"].choices == [("IN", "India (IN)"), ("US", "United States (US)")]
    page = admin_client.get(ADD).content.decode()
    assert 'class="retry-policy"' in page
    for outcome in default_retry_policy():
        assert f'name="retry_policy_{outcome}_after_minutes"' in page
        assert f'name="retry_policy_{outcome}_max_retries"' in page
    assert "Someone else answered" in page  # the outcomes by their words
    assert 'name="retry_policy_busy_after_minutes" value="30"' in page  # a new campaign starts from the defaults


def test_the_upload_picker_offers_the_last_fifty_and_keeps_an_older_choice(admin_client):
    oldest = _upload("oldest.csv")
    for number in range(50):
        _upload(f"file-{number}.csv")
    campaign = CampaignFactory(audience_upload=oldest)

    fresh = admin_client.get(ADD).context["adminform"].form.fields["audience_upload"].queryset
    kept = admin_client.get(_change_url(campaign)).context["adminform"].form.fields["audience_upload"].queryset

    assert fresh.count() == 50 and oldest not in fresh
    assert kept.count() == 51 and oldest in kept


def test_adding_a_campaign_goes_through_the_service_and_is_audited(admin_client, back_office_user):
    CustomerFactory(state="Karnataka")
    upload = _upload("overdue.csv")
    policy = {**default_retry_policy(), "busy": {"after_minutes": 15, "max_retries": 3}}

    response = admin_client.post(
        ADD,
        _form(
            name="  March   DPD 30 ",
            audience_upload=str(upload.pk),
            audience_states=["Karnataka"],
            phone_countries=["IN"],
            lender_name=" Sahyadri Finance ",
            **_retry_table(policy),
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    campaign = Campaign.objects.get()
    assert (campaign.name, campaign.lender_name) == ("March DPD 30", "Sahyadri Finance")
    assert (campaign.audience_upload, campaign.audience_states, campaign.phone_countries) == (
        upload,
        ["Karnataka"],
        ["IN"],
    )
    assert campaign.retry_policy == policy
    assert campaign.created_by == back_office_user
    audit = AuditEvent.objects.get()
    assert (audit.action, audit.actor, audit.target_id) == ("campaign.created", back_office_user, str(campaign.pk))


def test_a_retry_table_error_names_its_row_and_column(admin_client):
    response = admin_client.post(ADD, _form(retry_policy_busy_after_minutes="0", retry_policy_machine_max_retries=""))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["retry_policy"]
    assert "Busy, wait (minutes): Ensure this value is greater than or equal to 1." in errors
    assert "Answered by a machine, tries after that: This field is required." in errors
    assert not Campaign.objects.exists()


def test_the_days_past_due_range_is_checked_in_the_admin_too(admin_client):
    response = admin_client.post(ADD, _form(audience_min_days_past_due="90", audience_max_days_past_due="30"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["audience_max_days_past_due"] == [
        "The days-past-due range ends before it starts."
    ]
    assert not Campaign.objects.exists()


def test_changing_a_draft_is_audited_with_what_changed(admin_client, back_office_user):
    campaign = CampaignFactory(name="March", window_start=datetime(2026, 1, 1, 9).time())
    data = _form(name="March", window_start="10:00", window_end="19:00", provider="simulated")

    response = admin_client.post(_change_url(campaign), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    audit = AuditEvent.objects.get()
    assert (audit.action, audit.actor) == ("campaign.updated", back_office_user)
    assert audit.details["changes"] == {"window_start": ["09:00:00", "10:00:00"]}


def test_a_started_campaigns_audience_is_shown_but_not_taken_from_the_form(admin_client):
    campaign = CampaignFactory(status=CampaignStatus.RUNNING, audience_states=["Goa"])
    CustomerFactory(state="Kerala")

    form = admin_client.get(_change_url(campaign)).context["adminform"].form
    assert form.fields["audience_states"].disabled and form.fields["audience_upload"].disabled
    assert not form.fields["max_attempts"].disabled

    data = _form(name=campaign.name, provider="simulated", window_start="08:00", window_end="19:00")
    response = admin_client.post(_change_url(campaign), {**data, "audience_states": ["Kerala"], "max_attempts": "5"})

    assert response.status_code == 302, response.context["adminform"].form.errors
    campaign.refresh_from_db()
    assert (campaign.audience_states, campaign.max_attempts) == (["Goa"], 5)


def test_a_completed_campaign_is_only_read(admin_client):
    campaign = CampaignFactory(status=CampaignStatus.COMPLETED, name="Done")

    page = admin_client.get(_change_url(campaign))
    refused = admin_client.post(_change_url(campaign), _form(name="Renamed"))

    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert refused.status_code == 403
    campaign.refresh_from_db()
    assert campaign.name == "Done"


# --- Its next steps, on its own page --------------------------------------------------------------------------


def test_a_draft_has_start_and_complete_buttons_and_start_goes_through_the_service(admin_client, back_office_user):
    LoanFactory.create_batch(2)
    campaign = CampaignFactory()
    page = admin_client.get(_change_url(campaign)).content.decode()
    start = f"/admin/calls/campaign/{campaign.pk}/lifecycle/start/"
    assert f'action="{start}"' in page
    assert f"/admin/calls/campaign/{campaign.pk}/lifecycle/complete/" in page
    assert "/lifecycle/pause/" not in page and "/lifecycle/resume/" not in page

    response = admin_client.post(start, follow=True)

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RUNNING and Call.objects.filter(campaign=campaign).count() == 2
    assert "is running. 2 calls scheduled." in response.content.decode()
    assert AuditEvent.objects.get().action == "campaign.started"


def test_a_paused_campaign_offers_resume_and_a_refusal_is_told(admin_client):
    campaign = CampaignFactory(status=CampaignStatus.PAUSED)
    page = admin_client.get(_change_url(campaign)).content.decode()
    assert "/lifecycle/resume/" in page and "/lifecycle/start/" not in page and "/lifecycle/pause/" not in page

    refused = admin_client.post(f"/admin/calls/campaign/{campaign.pk}/lifecycle/pause/", follow=True)

    assert "is paused; it cannot be paused" in refused.content.decode()
    assert admin_client.get(f"/admin/calls/campaign/{campaign.pk}/lifecycle/resume/").status_code == 405


def test_agents_cannot_move_a_campaign(client, agent_user):
    campaign = CampaignFactory()
    client.force_login(agent_user)

    response = client.post(f"/admin/calls/campaign/{campaign.pk}/lifecycle/start/")

    assert response.status_code == 302 and "/login/" in response["Location"]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


# --- The audience before it starts ---------------------------------------------------------------------------


def test_a_drafts_page_shows_its_audience_and_a_started_ones_does_not(admin_client):
    LoanFactory.create_batch(3)
    draft = CampaignFactory()
    running = CampaignFactory(status=CampaignStatus.RUNNING)

    page = admin_client.get(_change_url(draft)).content.decode()

    assert "Audience today" in page and "3 loans of 3 customers (one call each)." in page
    assert "compliance guard would" in page
    assert "Audience today" not in admin_client.get(_change_url(running)).content.decode()


def test_the_preview_counts_whom_the_guard_holds_back_all_day_by_reason():
    day = calling_day()
    promised = LoanFactory()
    PromiseFactory(loan=promised, promised_date=day)
    capped = LoanFactory()
    for hour in (8, 9, 10):
        CallFactory(customer=capped.customer, loan=capped, status="completed", started_at=calling_day_at(hour))
    LoanFactory.create_batch(2)  # may be called
    campaign = CampaignFactory()

    preview = campaign_audience_preview(campaign=campaign, at=calling_day_at(11))

    assert (preview.loans, preview.customers, preview.judged_loans, preview.capped) == (4, 4, 4, False)
    assert preview.held_back == {"open_promise": 1, "daily_cap": 1}
    words = audience_preview_html(preview)
    assert "4 loans of 4 customers (one call each). Of them, the compliance guard would hold back 2 customers" in words
    assert "<strong>daily_cap</strong>: 1 customer" in words


def test_a_refusal_lifted_later_today_is_not_counted():
    LoanFactory()
    campaign = CampaignFactory()  # calls from 08:00, the customer's time

    early = campaign_audience_preview(campaign=campaign, at=calling_day_at(6))
    late = campaign_audience_preview(campaign=campaign, at=calling_day_at(20))

    assert early.held_back == {}
    assert late.held_back == {"outside_hours": 1}


def test_a_large_audience_is_judged_on_its_first_loans_and_says_so():
    LoanFactory.create_batch(3)
    campaign = CampaignFactory()

    preview = campaign_audience_preview(campaign=campaign, at=calling_day_at(11), limit=2)

    assert (preview.loans, preview.customers, preview.judged_loans, preview.capped) == (3, 3, 2, True)
    assert "Of the first 2 loans (2 customers), judged so that this page stays quick," in audience_preview_html(preview)


def test_a_borrower_with_several_loans_is_one_call_about_all_of_them():
    customer = CustomerFactory()
    LoanFactory.create_batch(2, customer=customer)
    campaign = CampaignFactory()

    preview = campaign_audience_preview(campaign=campaign, at=timezone.now() + timedelta(days=1))

    assert (preview.loans, preview.customers, preview.judged_customers) == (2, 1, 1)
