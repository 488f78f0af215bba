"""Each campaign's audience states by their one name, as customers' states now are (``customers.states``):
a campaign for ``["KA"]`` keeps finding the borrowers it found before their state became ``Karnataka``.

A code that names a state in two of the countries the campaign calls (``GA``: Goa, Georgia) matched both
kinds of borrower before; it becomes both names.
"""

from django.conf import settings
from django.db import migrations

from customers.states import state_meanings


def audience_states_normalize(apps, schema_editor) -> None:
    Campaign = apps.get_model("calls", "Campaign")
    for campaign in Campaign.objects.exclude(audience_states=[]).only("pk", "audience_states", "phone_countries"):
        countries = campaign.phone_countries or settings.CALL_COUNTRIES
        names = sorted(
            {name for text in campaign.audience_states for name in state_meanings(text, countries=countries)}
        )
        if names != campaign.audience_states:
            Campaign.objects.filter(pk=campaign.pk).update(audience_states=names)


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0009_callevent_kind_choices"),
        ("customers", "0009_states_one_name"),
    ]

    operations = [
        migrations.RunPython(audience_states_normalize, migrations.RunPython.noop, elidable=True),
    ]
