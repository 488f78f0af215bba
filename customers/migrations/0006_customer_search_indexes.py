"""Indexes for finding a customer among millions, on PostgreSQL (elsewhere this migration does nothing).

- ``customer_full_name_trgm``: trigrams of ``UPPER(full_name)``, the expression Django's ``icontains``
  compares, so a name fragment is found without reading the table (``pg_trgm``).
- ``customer_alternate_phones_gin``: JSON containment on ``alternate_phones`` (``@>``).
- ``customer_name_order``: the customer list's order (name, id), read in order instead of sorted.

Both GIN indexes are written row by row (``fastupdate = off``): with the default pending list, a search
made after a large upload also reads up to 4 MB of not-yet-merged entries, one by one, which doubled the
time of a name search in the bench. Uploads pay for it instead: about a minute more per million new
customers.

Plain ``CREATE INDEX``: writes to customers wait while the indexes build (tens of seconds at a million
customers); reads go on. Run it outside an upload.
"""

from django.db import migrations

INDEXES = {
    "customer_full_name_trgm": "USING gin (UPPER(full_name::text) gin_trgm_ops) WITH (fastupdate = off)",
    "customer_alternate_phones_gin": "USING gin (alternate_phones jsonb_path_ops) WITH (fastupdate = off)",
    "customer_name_order": "(full_name, id)",
}


def indexes_create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("customers", "Customer")._meta.db_table)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {definition}")


def indexes_drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0005_amount_due_and_payment_sources"),
    ]

    operations = [
        migrations.RunPython(indexes_create, indexes_drop, elidable=False),
    ]
