"""The audit trail covers an agent taking and finishing a follow-up and a call being canceled, whichever way
they are done (the agents' pages, the API, the admin)."""

import pytest

from calls.models import CallStatus, WorkItem, WorkItemKind
from calls.services.dispatch import call_cancel
from calls.services.work_items import work_item_claim, work_item_complete, work_item_create
from calls.tests.factories import CallFactory
from customers.tests.factories import CustomerFactory
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditEvent
from voiceassist.common.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _trail() -> list[tuple[str, int | None, str]]:
    return list(AuditEvent.objects.order_by("id").values_list("action", "actor", "target_id"))


def test_taking_a_follow_up_is_audited_once(agent_user):
    item = work_item_create(kind=WorkItemKind.CALLBACK, customer=CustomerFactory())

    work_item_claim(item=item, agent=agent_user)
    work_item_claim(item=item, agent=agent_user)  # one's own again: nothing new happened

    assert _trail() == [("work_item.claimed", agent_user.pk, str(item.pk))]
    assert AuditEvent.objects.get().details == {"kind": "callback"}


def test_finishing_a_follow_up_nobody_took_records_both(agent_user):
    item = work_item_create(kind=WorkItemKind.HARDSHIP, customer=CustomerFactory())

    work_item_complete(item=item, agent=agent_user, note="Plan agreed")

    assert _trail() == [
        ("work_item.claimed", agent_user.pk, str(item.pk)),
        ("work_item.completed", agent_user.pk, str(item.pk)),
    ]
    assert AuditEvent.objects.order_by("id").last().details == {"kind": "hardship", "note": "Plan agreed"}


def test_a_refused_claim_records_nothing(agent_user):
    item = work_item_create(kind=WorkItemKind.DISPUTE, customer=CustomerFactory())
    work_item_claim(item=item, agent=UserFactory(role="agent"))
    AuditEvent.objects.all().delete()

    with pytest.raises(ApplicationError, match="already took this one"):
        work_item_complete(item=item, agent=agent_user)

    assert _trail() == []
    assert WorkItem.objects.get().done_at is None


def test_the_api_and_the_agents_pages_leave_the_same_trail(client, agent_user):
    from rest_framework.test import APIClient

    by_page = work_item_create(kind=WorkItemKind.CALLBACK, customer=CustomerFactory())
    by_api = work_item_create(kind=WorkItemKind.CALLBACK, customer=CustomerFactory())
    client.force_login(agent_user)
    api = APIClient()
    api.force_authenticate(agent_user)

    client.post(f"/queue/{by_page.pk}/done/", {"note": "Done"})
    api.post(f"/api/v1/work-items/{by_api.pk}/complete/", {"note": "Done"}, format="json")

    assert [action for action, *_ in _trail()] == ["work_item.claimed", "work_item.completed"] * 2
    assert {target for *_, target in _trail()} == {str(by_page.pk), str(by_api.pk)}


def test_canceling_a_call_is_audited_with_what_it_was(back_office_user):
    call = CallFactory(status=CallStatus.SCHEDULED)

    call_cancel(call=call, actor=back_office_user)

    assert _trail() == [("call.canceled", back_office_user.pk, str(call.pk))]
    assert AuditEvent.objects.get().details == {"was": "scheduled"}


def test_canceling_from_the_admin_is_audited(client, back_office_user):
    call = CallFactory()
    client.force_login(back_office_user)

    client.post("/admin/calls/call/", {"action": "cancel", "_selected_action": [call.pk]})

    assert _trail() == [("call.canceled", back_office_user.pk, str(call.pk))]


def test_the_admin_shows_who_took_a_follow_up_but_does_not_edit_it(client, back_office_user, agent_user):
    item = work_item_create(kind=WorkItemKind.CALLBACK, customer=CustomerFactory())
    work_item_claim(item=item, agent=agent_user)
    client.force_login(back_office_user)

    form = client.get(f"/admin/calls/workitem/{item.pk}/change/").context["adminform"].form

    assert not {"claimed_by", "claimed_at", "done_at"} & set(form.fields)
