"""DRF's plain-text tokens become knox's hashed ones, and the plain-text table goes.

Until now ``rest_framework.authtoken`` kept every key as it is, readable by back office in the admin. Each
key is hashed here exactly as knox hashes a new one and keeps its first characters to find it, so
integrations go on working with the key they have while the database keeps only the digest. Then the old
table is dropped (with its migration records, contenttypes and permissions), and the admin's history
stops naming keys (DRF's tokens printed as their key, and the key was their id).

On a database that never had ``rest_framework.authtoken`` this does nothing.
"""

from datetime import UTC

from django.db import migrations
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Value
from django.db.models.functions import Concat, Left
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.crypto import hash_token
from knox.settings import CONSTANTS

LEGACY_APP = "authtoken"
LEGACY_TABLE = "authtoken_token"
SHOWN = 8


def hash_legacy_tokens(apps, schema_editor) -> None:
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    AuthToken = apps.get_model("knox", "AuthToken")
    LogEntry = apps.get_model("admin", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")

    with connection.cursor() as cursor:
        cursor.execute('SELECT "key", "user_id", "created" FROM "authtoken_token"')
        legacy = cursor.fetchall()
    AuthToken.objects.bulk_create(
        [
            AuthToken(digest=hash_token(key), token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH], user_id=user_id, expiry=None)
            for key, user_id, _ in legacy
        ],
        ignore_conflicts=True,
    )
    for key, _, created in legacy:
        # ``created`` is set on insert; the listing should show when the key was really made.
        if isinstance(created, str):
            created = parse_datetime(created)
        if created is not None:
            if timezone.is_naive(created):
                created = timezone.make_aware(created, UTC)
            AuthToken.objects.filter(digest=hash_token(key)).update(created=created)

    LogEntry.objects.filter(content_type__app_label=LEGACY_APP).update(
        object_id=Left("object_id", SHOWN), object_repr=Concat(Left("object_repr", SHOWN), Value("…"))
    )
    with connection.cursor() as cursor:
        cursor.execute('DROP TABLE "authtoken_token"')
    MigrationRecorder(connection).migration_qs.filter(app=LEGACY_APP).delete()
    ContentType.objects.filter(app_label=LEGACY_APP).delete()  # and so its permissions, and the groups' grants


class Migration(migrations.Migration):
    dependencies = [
        ("api_tokens", "0001_initial"),
        ("knox", "0009_extend_authtoken_field"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    # Keys cannot be made plain again: going back leaves the hashed tokens, which keep working.
    operations = [migrations.RunPython(hash_legacy_tokens, migrations.RunPython.noop)]
