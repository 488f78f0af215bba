"""API tokens: stored as a hash, shown once, made and revoked in the admin within the staff rule, audited."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from voiceassist.api_tokens.models import ApiToken
from voiceassist.api_tokens.services import ApiTokenNotAllowed, api_token_create, api_token_revoke
from voiceassist.common.models import AuditEvent
from voiceassist.common.roles import BACK_OFFICE
from voiceassist.common.tests.factories import UserFactory, api_token_for

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/api_tokens/apitoken/add/"
LIST_URL = "/admin/api_tokens/apitoken/"
KEY_ON_PAGE = re.compile(r'id="api-token-key"[^>]*value="([0-9a-f]{64})"')


@pytest.fixture
def integration(roles):
    """An integration's own user: not staff, allowed to read customers."""
    from django.contrib.auth.models import Permission

    user = UserFactory(username="acme-crm")
    user.user_permissions.add(Permission.objects.get(codename="view_customer"))
    return user


@pytest.fixture
def superuser(roles):
    return get_user_model().objects.create_superuser("root", "root@example.com", "root-password-1")


def _api_status(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/customers/").status_code


def _every_stored_value(token: ApiToken) -> list[str]:
    return [str(getattr(token, field.attname)) for field in ApiToken._meta.concrete_fields]


def test_a_token_is_stored_only_as_a_hash_and_works_with_the_token_header(integration):
    key = api_token_for(integration)

    token = ApiToken.objects.get(user=integration)
    assert len(key) == 64
    assert all(key not in value for value in _every_stored_value(token))
    assert token.digest != key and key.startswith(token.token_key)
    assert _api_status(key) == 200
    assert _api_status(key[:-1] + ("0" if key[-1] != "0" else "1")) == 401


def test_back_office_creates_a_token_and_sees_the_key_once(client, back_office_user, integration):
    client.force_login(back_office_user)
    assert client.get(ADD_URL).status_code == 200

    response = client.post(ADD_URL, {"user": integration.pk, "valid_days": "30"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = KEY_ON_PAGE.search(response.content.decode()).group(1)
    assert "shown only this once" in response.content.decode()
    assert _api_status(key) == 200
    token = ApiToken.objects.get(user=integration)
    assert timezone.now() + timedelta(days=29) < token.expiry < timezone.now() + timedelta(days=31)
    # Never again: not in the list, not on the token's page, not in the admin's history or the audit trail.
    listing = client.get(LIST_URL).content.decode()
    assert token.prefix in listing and "acme-crm" in listing
    assert key not in listing and token.token_key not in listing
    detail = client.get(f"/admin/api_tokens/apitoken/{token.pk}/change/").content.decode()
    assert key not in detail and token.token_key not in detail
    assert key not in client.get("/admin/").content.decode()
    event = AuditEvent.objects.get(action="api_token.created")
    assert event.actor == back_office_user and event.target_id == str(integration.pk)
    assert event.details["user"] == "acme-crm" and event.details["token"] == token.prefix
    assert key[: len(token.token_key)] not in str(event.details) + event.target_repr


def test_back_office_may_not_create_a_token_for_staff_or_a_superuser(client, back_office_user, superuser):
    colleague = UserFactory(role=BACK_OFFICE)
    client.force_login(back_office_user)

    for user in (colleague, superuser, back_office_user):
        response = client.post(ADD_URL, {"user": user.pk, "valid_days": "30"})

        assert response.status_code == 200
        assert "only a superuser may create or revoke their API tokens" in response.content.decode()
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action="api_token.created").exists()


def test_a_superuser_may_create_a_token_for_staff(client, superuser, back_office_user):
    client.force_login(superuser)

    response = client.post(ADD_URL, {"user": back_office_user.pk, "valid_days": ""})

    key = KEY_ON_PAGE.search(response.content.decode()).group(1)
    assert _api_status(key) == 200
    assert ApiToken.objects.get(user=back_office_user).expiry is None


def test_revoking_in_the_admin_is_audited_and_the_key_stops_working(client, back_office_user, integration):
    key = api_token_for(integration)
    token = ApiToken.objects.get(user=integration)
    client.force_login(back_office_user)

    response = client.post(LIST_URL, {"action": "revoke_selected", ACTION_CHECKBOX_NAME: [token.pk]}, follow=True)

    assert "1 tokens revoked" in response.content.decode()
    assert _api_status(key) == 401
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert event.actor == back_office_user and event.details["user"] == "acme-crm"


def test_deleting_from_the_tokens_page_is_a_revocation(client, back_office_user, integration):
    key = api_token_for(integration)
    token = ApiToken.objects.get(user=integration)
    client.force_login(back_office_user)

    client.post(f"/admin/api_tokens/apitoken/{token.pk}/delete/", {"post": "yes"})

    assert _api_status(key) == 401
    assert AuditEvent.objects.filter(action="api_token.revoked", actor=back_office_user).count() == 1


def test_back_office_may_not_revoke_a_staff_users_token(client, back_office_user):
    colleague = UserFactory(role=BACK_OFFICE)
    key = api_token_for(colleague)
    token = ApiToken.objects.get(user=colleague)
    client.force_login(back_office_user)

    by_action = client.post(LIST_URL, {"action": "revoke_selected", ACTION_CHECKBOX_NAME: [token.pk]}, follow=True)
    by_page = client.post(f"/admin/api_tokens/apitoken/{token.pk}/delete/", {"post": "yes"}, follow=True)

    for response in (by_action, by_page):
        assert "only a superuser may create or revoke their API tokens" in response.content.decode()
    assert _api_status(key) == 200
    assert not AuditEvent.objects.filter(action="api_token.revoked").exists()


def test_the_services_hold_the_staff_rule_too(back_office_user, superuser, integration):
    colleague = UserFactory(role=BACK_OFFICE)

    with pytest.raises(ApiTokenNotAllowed):
        api_token_create(actor=back_office_user, user=colleague, valid_days=30)
    token, _ = api_token_create(actor=superuser, user=colleague, valid_days=30)
    with pytest.raises(ApiTokenNotAllowed):
        api_token_revoke(actor=back_office_user, token=token)
    api_token_revoke(actor=superuser, token=token)
    api_token_create(actor=back_office_user, user=integration, valid_days=30)


def test_an_expired_token_is_refused(integration):
    key = api_token_for(integration)
    ApiToken.objects.filter(user=integration).update(expiry=timezone.now() - timedelta(seconds=1))

    assert _api_status(key) == 401


def test_only_the_new_token_admin_exists(client, back_office_user):
    client.force_login(back_office_user)

    assert client.get(LIST_URL).status_code == 200
    assert client.get("/admin/knox/authtoken/").status_code == 404
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404
