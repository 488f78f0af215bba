"""Password logins lock after too many failures (django-axes): per username and address, for a while, audited."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone

from voiceassist.common.models import AuditEvent
from voiceassist.common.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN_PAGES = ["/accounts/login/", "/admin/login/"]


def _login(client, url: str, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def _fail_until_locked(client, url: str, username: str, address: str = "10.0.0.1"):
    responses = [_login(client, url, username, "wrong-password", address) for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    return responses[-1]


def _lock_expires():
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_after_the_limit_even_the_right_password_is_refused_until_the_lock_ends(client, back_office_user, url):
    locked = _fail_until_locked(client, url, back_office_user.username)

    assert locked.status_code == 429
    refused = _login(client, url, back_office_user.username, PASSWORD)
    assert refused.status_code == 429
    assert not _logged_in(client)

    _lock_expires()
    response = _login(client, url, back_office_user.username, PASSWORD)

    assert response.status_code == 302
    assert _logged_in(client)


def test_the_locked_out_page_says_when_to_try_again(client, agent_user):
    _fail_until_locked(client, "/accounts/login/", agent_user.username)
    before = timezone.now()

    response = _login(client, "/accounts/login/", agent_user.username, PASSWORD)

    page = response.content.decode()
    ends_at = AccessAttempt.objects.get().attempt_time + settings.AXES_COOLOFF_TIME
    assert response.status_code == 429
    assert "Too many attempts" in page
    assert f"Try again after {timezone.localtime(ends_at):%H:%M}" in page
    assert "ask back office or an administrator to reset it" in page
    assert 0 < int(response["Retry-After"]) <= (ends_at - before).total_seconds() + 1
    assert "Traceback" not in page


def test_the_lock_is_for_that_username_from_that_address(client, agent_user, back_office_user):
    _fail_until_locked(client, "/accounts/login/", agent_user.username, address="10.0.0.1")

    from_elsewhere = _login(client, "/accounts/login/", agent_user.username, PASSWORD, address="10.0.0.2")
    assert from_elsewhere.status_code == 302
    client.logout()
    someone_else = _login(client, "/accounts/login/", back_office_user.username, PASSWORD, address="10.0.0.1")
    assert someone_else.status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_lock(client, agent_user):
    _fail_until_locked(client, "/accounts/login/", agent_user.username)

    response = client.post(
        "/accounts/login/",
        {"username": agent_user.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.50",
    )

    assert response.status_code == 429


def test_behind_our_proxy_the_lock_follows_the_forwarded_address(client, agent_user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"username": agent_user.username, "password": "wrong-password"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.50",
        )

    assert AccessAttempt.objects.get().ip_address == "203.0.113.50"
    another_client = client.post(
        "/accounts/login/",
        {"username": agent_user.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.51",
    )
    assert another_client.status_code == 302


def test_a_successful_login_starts_the_count_again(client, agent_user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "/accounts/login/", agent_user.username, "wrong-password")
    assert _login(client, "/accounts/login/", agent_user.username, PASSWORD).status_code == 302
    client.logout()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "/accounts/login/", agent_user.username, "wrong-password").status_code == 200
    assert _login(client, "/accounts/login/", agent_user.username, PASSWORD).status_code == 302


def test_a_lockout_is_audited_once_without_the_password(client, agent_user):
    _fail_until_locked(client, "/accounts/login/", agent_user.username)
    for _ in range(3):
        _login(client, "/accounts/login/", agent_user.username, PASSWORD)

    event = AuditEvent.objects.get(action="login.locked_out")
    assert event.actor is None and event.target_id == str(agent_user.pk)
    assert event.details["username"] == agent_user.username
    assert event.details["ip_address"] == "10.0.0.1"
    assert event.details["path"] == "/accounts/login/"
    assert event.details["locked_until"]
    assert PASSWORD not in str(event.details) and "wrong-password" not in str(event.details)


def test_a_lockout_of_an_unknown_username_does_not_keep_what_was_typed(client, roles):
    _fail_until_locked(client, "/accounts/login/", "my-secret-password-typed-here")

    event = AuditEvent.objects.get(action="login.locked_out")
    assert event.target_id == "" and event.details["username"] is None


def test_back_office_sees_the_lockouts_in_the_admin(client, agent_user, back_office_user):
    _fail_until_locked(client, "/accounts/login/", agent_user.username)
    client.force_login(back_office_user)

    response = client.get("/admin/axes/accessattempt/")

    assert response.status_code == 200
    assert agent_user.username in response.content.decode()
