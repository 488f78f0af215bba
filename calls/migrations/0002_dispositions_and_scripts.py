"""The standard dispositions and the English and Hindi voice scripts (editable in the admin)."""

from django.db import migrations

from calls.reference_data import DISPOSITIONS, SCRIPTS, reference_data_ensure


def seed(apps, schema_editor):
    reference_data_ensure(
        disposition_model=apps.get_model("calls", "Disposition"), script_model=apps.get_model("calls", "VoiceScript")
    )


def unseed(apps, schema_editor):
    apps.get_model("calls", "Disposition").objects.filter(code__in=[d[0] for d in DISPOSITIONS]).delete()
    apps.get_model("calls", "VoiceScript").objects.filter(language__in=list(SCRIPTS)).delete()


class Migration(migrations.Migration):
    dependencies = [("calls", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
