"""The back office's admin site: its own styles on every page, list cells kept to one line, and
"View site" leading to the agents' pages."""

import pytest

from calls.tests.factories import CallFactory, CampaignFactory
from customers.tests.factories import CustomerFactory, SuppressionFactory
from voiceassist.common.admin import admin_clipped

pytestmark = pytest.mark.django_db

STYLESHEET = "/static/css/back-office-admin.css"
LONG_NAME = "Venkata Satya Naga Sri Lakshmi Prasanna Kumari Chowdary"


@pytest.fixture
def admin_client(client, back_office_user):
    client.force_login(back_office_user)
    return client


def test_view_site_leads_to_the_agents_pages(admin_client):
    page = admin_client.get("/admin/").content.decode()

    assert '<a href="/dashboard/">View site</a>' in page


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/calls/call/",
        "/admin/calls/campaign/add/",
        "/admin/calls/campaign/figures/",
        "/admin/customers/customer/",
        "/admin/common/auditevent/",
        "/admin/password_change/",
    ],
)
def test_every_admin_page_loads_the_back_office_styles_once(admin_client, url):
    response = admin_client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count(STYLESHEET) == 1


def test_a_long_cell_is_cut_with_the_whole_text_in_its_tooltip():
    assert admin_clipped("Asha <Rao>") == '<span class="clip " title="Asha &lt;Rao&gt;">Asha &lt;Rao&gt;</span>'
    assert admin_clipped("", width="narrow") == '<span class="clip narrow" title="">—</span>'
    assert admin_clipped("dispute", title="Letter", width="wide") == (
        '<span class="clip wide" title="Letter">dispute</span>'
    )


def test_the_calls_list_shows_status_outcome_and_the_guards_reason_in_short_cells(admin_client):
    call = CallFactory(
        customer=CustomerFactory(full_name=LONG_NAME),
        campaign=CampaignFactory(name="March recoveries, Karnataka, 30+ days past due"),
        blocked_code="outside_hours",
        blocked_reason="Outside calling hours (08:00–19:00 for this customer)",
    )

    response = admin_client.get("/admin/calls/call/")
    page = response.content.decode()

    assert response.context["cl"].list_display == [
        "action_checkbox",
        "who",
        "call_status",
        "disposition_label",
        "when",
        "held_back",
    ]
    campaign = "campaign “March recoveries, Karnataka, 30+ days past due”"
    tooltip = f"Call #{call.pk}: {call.customer} — loan {call.loan} — {campaign}"
    assert f'title="{tooltip}">{LONG_NAME}</span>' in page
    assert 'title="Outside calling hours (08:00–19:00 for this customer)">outside_hours</span>' in page
    assert '<span class="clip short" title="Scheduled">Scheduled</span>' in page


def test_the_suppressions_list_cuts_long_reasons(admin_client):
    reason = "The lawyer wrote on 3 November asking that every call stop until the court decides"
    SuppressionFactory(reason=reason)

    page = admin_client.get("/admin/customers/suppression/").content.decode()

    assert f'<span class="clip " title="{reason}">{reason}</span>' in page
