import pytest
from django.contrib.auth.models import Group

from voiceassist.common.roles import AGENT, BACK_OFFICE
from voiceassist.common.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_the_migrations_create_both_role_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {BACK_OFFICE, AGENT}


def test_back_office_may_manage_customers_and_read_the_audit_trail(roles):
    permissions = set(Group.objects.get(name=BACK_OFFICE).permissions.values_list("codename", flat=True))
    assert {"add_customer", "change_customer", "view_loan", "view_auditevent"} <= permissions
    assert "change_auditevent" not in permissions
    assert not Group.objects.get(name=AGENT).permissions.exists()


def test_login_page_logs_an_agent_in_and_lands_on_their_home(client, agent_user):
    assert client.get("/accounts/login/").status_code == 200

    response = client.post("/accounts/login/", {"username": agent_user.username, "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == "/"
    assert b"agents&#x27; workspace" in response.content or b"agents' workspace" in response.content


def test_a_wrong_password_shows_a_message_not_an_error(client, agent_user):
    response = client.post("/accounts/login/", {"username": agent_user.username, "password": "nope"})

    assert response.status_code == 200
    assert b"didn't match" in response.content or b"didn&#x27;t match" in response.content


def test_back_office_lands_in_the_admin(client, back_office_user):
    client.force_login(back_office_user)
    assert client.get("/").url == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/customers/customer/").status_code == 200


def test_agents_cannot_open_the_admin(client, agent_user):
    client.force_login(agent_user)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    assert client.get("/admin/customers/customer/").status_code == 302


def test_staff_outside_back_office_cannot_open_the_admin(client, roles):
    user = UserFactory(role=AGENT)
    user.is_staff = True
    user.save()
    client.force_login(user)

    assert client.get("/admin/").status_code == 302


def test_anonymous_visitors_are_sent_to_login(client):
    assert client.get("/").url.startswith("/accounts/login/")
    assert client.get("/admin/").url.startswith("/admin/login/")


def test_logout_ends_the_session(client, agent_user):
    client.force_login(agent_user)
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_the_audit_trail_is_readable_but_not_editable_in_the_admin(client, back_office_user):
    from voiceassist.common.models import AuditAction
    from voiceassist.common.services import audit_event_record

    event = audit_event_record(actor=back_office_user, action=AuditAction.SUPPRESSION_SET)
    client.force_login(back_office_user)

    assert client.get("/admin/common/auditevent/").status_code == 200
    assert client.get(f"/admin/common/auditevent/{event.pk}/change/").status_code == 200
    assert client.post(f"/admin/common/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
