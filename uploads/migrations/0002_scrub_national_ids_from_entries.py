"""Entries written before national ids were masked everywhere, scrubbed as the pipeline now writes them.

- ``values``: every national-id column masked (a second one, PAN beside Aadhaar, was kept whole), and every
  other cell that holds an id (an Aadhaar under "Remarks") masked, loan ids excepted;
- ``errors``: a national id's own message no longer quotes the cell, and no message quotes an id;
- ``changes``: no ``national_id_fingerprint`` (it never leaves the customer's row), no id in a value.

It reads one upload's entries at a time, in chunks that commit on their own (the table may be large), and
writes only the entries that change; running it again changes nothing. It calls the app's own recognising
and masking functions so that old entries read exactly like new ones. Nothing can be put back.
"""

import re

from django.db import migrations, transaction

from customers.headers import header_column
from customers.national_ids import national_id_mask, national_id_redact, national_ids_masked

CHUNK = 2000
_QUOTED = re.compile(r"“[^”]*”")


def _scrub_values(values, *, id_columns, phone_columns, loan_id_columns):
    if not isinstance(values, dict):
        return values
    scrubbed = dict(values)
    for column in id_columns:
        if column in scrubbed:
            scrubbed[column] = national_id_mask(scrubbed[column])
    masked = national_ids_masked(scrubbed, phone_columns=phone_columns, kept_columns=loan_id_columns)
    if masked:
        scrubbed.update(masked)
    return scrubbed


def _scrub_error(message):
    if not isinstance(message, str):
        return message
    if message.startswith("national_id:"):
        message = _QUOTED.sub("This value", message)
    return national_id_redact(message)


def _scrub_changes(changes):
    if not isinstance(changes, dict):
        return changes
    return {
        column: [national_id_redact(value) if isinstance(value, str) else value for value in pair]
        if isinstance(pair, list)
        else pair
        for column, pair in changes.items()
        if column != "national_id_fingerprint"
    }


def scrub_entries(apps, schema_editor):
    FileUpload = apps.get_model("uploads", "FileUpload")
    UploadRow = apps.get_model("uploads", "UploadRow")
    database = schema_editor.connection.alias
    for upload_id, report in FileUpload.objects.using(database).order_by("pk").values_list("pk", "report"):
        headers = [header for header in (report or {}).get("headers") or [] if isinstance(header, str) and header]
        kinds = {header: header_column(header) for header in headers}
        columns = {
            "id_columns": [header for header, kind in kinds.items() if kind == "national_id"],
            "phone_columns": frozenset(h for h, kind in kinds.items() if kind in ("phone", "alternate_phone")),
            "loan_id_columns": frozenset(h for h, kind in kinds.items() if kind == "loan_id"),
        }
        last_row = -1
        while True:
            with transaction.atomic(using=database):
                chunk = list(
                    UploadRow.objects.using(database)
                    .filter(upload_id=upload_id, row_number__gt=last_row)
                    .order_by("row_number")
                    .values_list("pk", "row_number", "values", "errors", "changes")[:CHUNK]
                )
                if not chunk:
                    break
                last_row = chunk[-1][1]
                changed = []
                for pk, _row_number, values, errors, changes in chunk:
                    new_values = _scrub_values(values, **columns)
                    new_errors = [_scrub_error(message) for message in errors] if isinstance(errors, list) else errors
                    new_changes = _scrub_changes(changes)
                    if (new_values, new_errors, new_changes) != (values, errors, changes):
                        changed.append(UploadRow(pk=pk, values=new_values, errors=new_errors, changes=new_changes))
                if changed:
                    UploadRow.objects.using(database).bulk_update(
                        changed, ["values", "errors", "changes"], batch_size=500
                    )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("uploads", "0001_initial")]

    operations = [migrations.RunPython(scrub_entries, migrations.RunPython.noop, elidable=True)]
