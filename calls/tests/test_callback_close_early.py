"""A callback closed before it is due needs its outcome: the call it promised must not silently vanish."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from calls.models import WorkItem, WorkItemKind
from calls.services.outcomes import call_outcome_log
from calls.services.work_items import work_item_complete, work_item_create
from customers.tests.factories import CustomerFactory
from voiceassist.common.exceptions import ApplicationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def tomorrows_callback(reference_data):
    due = timezone.now() + timedelta(days=1)
    return work_item_create(kind=WorkItemKind.CALLBACK, customer=CustomerFactory(), due_at=due)


def test_a_callback_due_tomorrow_is_not_closed_today_without_an_outcome(agent_user, tomorrows_callback):
    due = timezone.localtime(tomorrows_callback.due_at)

    with pytest.raises(ApplicationError) as refused:
        work_item_complete(item=tomorrows_callback, agent=agent_user, note="   ")

    assert refused.value.code == "callback_not_due"
    assert refused.value.message.startswith(f"This callback is due {due:%-d %b %Y at %H:%M}. To close it before")
    item = WorkItem.objects.get(pk=tomorrows_callback.pk)
    assert item.done_at is None and item.claimed_by is None  # the claim went back with the refusal


def test_a_note_saying_what_happened_closes_it_early(agent_user, tomorrows_callback):
    done = work_item_complete(item=tomorrows_callback, agent=agent_user, note="Paid at the branch this morning")
    assert done.done_at is not None and done.note == "Paid at the branch this morning"


def test_a_call_outcome_logged_since_it_was_scheduled_closes_it_early(agent_user, tomorrows_callback):
    call_outcome_log(
        customer=tomorrows_callback.customer, loan=None, disposition_code="promise_to_pay", actor=agent_user
    )
    assert work_item_complete(item=tomorrows_callback, agent=agent_user).done_at is not None


def test_a_callback_that_is_due_and_other_follow_ups_close_without_a_note(agent_user):
    customer = CustomerFactory()
    due_now = work_item_create(kind=WorkItemKind.CALLBACK, customer=customer)
    tomorrow = timezone.now() + timedelta(days=1)
    hardship = work_item_create(kind=WorkItemKind.HARDSHIP, customer=customer, due_at=tomorrow)

    assert work_item_complete(item=due_now, agent=agent_user).done_at is not None
    assert work_item_complete(item=hardship, agent=agent_user).done_at is not None


def test_the_api_refuses_it_with_the_reason(agent_user, tomorrows_callback):
    client = APIClient()
    client.force_login(agent_user)

    response = client.post(f"/api/v1/work-items/{tomorrows_callback.pk}/complete/", {}, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "callback_not_due" and "write what happened in the note" in error["message"]
