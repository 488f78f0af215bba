"""The standard dispositions. (The voice scripts this once seeded were replaced by ``calls.conversation``.)"""

from django.db import migrations

from calls.reference_data import DISPOSITIONS, reference_data_ensure


def seed(apps, schema_editor):
    reference_data_ensure(disposition_model=apps.get_model("calls", "Disposition"))


def unseed(apps, schema_editor):
    apps.get_model("calls", "Disposition").objects.filter(code__in=[d[0] for d in DISPOSITIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("calls", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
