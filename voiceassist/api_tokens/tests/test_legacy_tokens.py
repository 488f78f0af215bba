"""The data migration that replaces DRF's plain-text tokens with hashed ones."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from rest_framework.test import APIClient

from voiceassist.api_tokens.models import ApiToken
from voiceassist.common.roles import BACK_OFFICE
from voiceassist.common.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("voiceassist.api_tokens.migrations.0002_hash_legacy_tokens")
LEGACY_KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # 40 hex characters, as DRF made them


@pytest.fixture
def legacy_table(roles):
    """What a database that ran ``rest_framework.authtoken`` holds: its table, a key, and the admin's record of it."""
    user = UserFactory(username="acme-crm")
    created = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TABLE "authtoken_token" ("key" varchar(40) NOT NULL PRIMARY KEY, '  # noqa: S608
            f'"created" {created} NOT NULL, "user_id" integer NOT NULL)'
        )
        cursor.execute(
            'INSERT INTO "authtoken_token" ("key", "created", "user_id") VALUES (%s, %s, %s)',
            [LEGACY_KEY, "2025-03-04 05:06:07", user.pk],
        )
    content_type = ContentType.objects.create(app_label="authtoken", model="tokenproxy")
    permission = Permission.objects.create(content_type=content_type, codename="view_tokenproxy", name="Can view")
    Group.objects.get(name=BACK_OFFICE).permissions.add(permission)
    LogEntry.objects.create(
        user=user, content_type=content_type, object_id=LEGACY_KEY, object_repr=LEGACY_KEY, action_flag=ADDITION
    )
    return user


def test_legacy_keys_keep_working_but_are_kept_only_as_hashes(legacy_table):
    migration.hash_legacy_tokens(apps, SimpleNamespace(connection=connection))

    token = ApiToken.objects.get(user=legacy_table)
    assert token.digest != LEGACY_KEY and token.expiry is None
    assert token.created.year == 2025
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {LEGACY_KEY}")
    assert client.get("/api/v1/customers/").status_code in (200, 403)  # authenticated; what it may read is its perms
    assert "authtoken_token" not in connection.introspection.table_names()
    entry = LogEntry.objects.get(user=legacy_table)
    assert LEGACY_KEY not in entry.object_id + entry.object_repr
    assert not ContentType.objects.filter(app_label="authtoken").exists()
    assert not Group.objects.get(name=BACK_OFFICE).permissions.filter(codename="view_tokenproxy").exists()


def test_without_the_legacy_table_nothing_happens(roles):
    migration.hash_legacy_tokens(apps, SimpleNamespace(connection=connection))

    assert not ApiToken.objects.exists()
