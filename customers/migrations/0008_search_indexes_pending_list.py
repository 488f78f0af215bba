"""The customer search's GIN indexes take new entries into a pending list again, merged in bulk.

Written row by row (``fastupdate = off``, migration 0006), the trigram index made inserting a customer
cost about 120 µs, more than half an upload's database time. With the pending list each insert only
appends; the upload pipeline merges the list after every batch (``gin_clean_pending_list``, about 7 ms
per 1,000 customers), so a search made during or after an upload reads at most one batch's entries
unmerged. Autovacuum merges whatever other writes leave there.
"""

from django.db import migrations

GIN_INDEXES = ("customer_full_name_trgm", "customer_alternate_phones_gin")


def pending_list_on(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for name in GIN_INDEXES:
            schema_editor.execute(f"ALTER INDEX IF EXISTS {name} SET (fastupdate = on, gin_pending_list_limit = 16384)")


def pending_list_off(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for name in GIN_INDEXES:
            schema_editor.execute(f"ALTER INDEX IF EXISTS {name} SET (fastupdate = off)")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0007_phone_type"),
    ]

    operations = [
        migrations.RunPython(pending_list_on, pending_list_off, elidable=False),
    ]
