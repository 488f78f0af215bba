"""Marking a customer do-not-call on their page cancels the bot's scheduled and queued calls there and then."""

import pytest

from calls.models import Call, CallStatus
from calls.tests.factories import CallFactory, calling_day_at
from customers.tests.factories import CustomerFactory, LoanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reference_data(reference_data):
    """Roles and dispositions, even where an earlier transactional test flushed them."""


def _calls_section(page: str) -> str:
    return page[page.index('<section class="card" id="calls">') :]


def test_the_customer_page_no_longer_shows_the_scheduled_call_right_after_marking(
    client, agent_user, django_capture_on_commit_callbacks
):
    loan = LoanFactory(customer=CustomerFactory(phone="+919876543210"))
    scheduled = CallFactory(customer=loan.customer, loan=loan, scheduled_for=calling_day_at(11))
    queued = CallFactory(customer=loan.customer, loan=loan, status=CallStatus.QUEUED)
    client.force_login(agent_user)
    page = client.get(f"/customers/{loan.customer_id}/").content.decode()
    assert '<span class="tag">Scheduled</span>' in _calls_section(page)
    assert '<span class="tag">Queued</span>' in _calls_section(page)

    # What the commit announces runs when the block ends (in production: as the service's transaction
    # commits, before the page answers).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/customers/{loan.customer_id}/suppressions/",
            {"suppress-kind": "do_not_call", "suppress-reason": "Asked never to be called"},
        )
    assert response.status_code == 302

    calls = _calls_section(client.get(response.url).content.decode())
    assert '<span class="tag">Scheduled</span>' not in calls and '<span class="tag">Queued</span>' not in calls
    assert calls.count('<span class="tag">Canceled</span>') == 2
    assert calls.count("Held back: Calls stopped: Do not call: Asked never to be called") == 2
    assert set(Call.objects.filter(pk__in=[scheduled.pk, queued.pk]).values_list("status", flat=True)) == {
        CallStatus.CANCELED
    }
