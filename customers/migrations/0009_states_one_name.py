"""Each customer's state becomes its one name (``KA`` and ``karnataka`` are ``Karnataka``), as every write now
stores it (``customers.states``): one state, one filter value, one campaign audience.

One ``UPDATE`` per distinct (state, phone country) that changes, not one per customer: a million customers
have a few hundred distinct states. A code is read in the country of the customer's phone, as on a write.
"""

from django.db import migrations

from customers.states import state_normalize


def states_normalize(apps, schema_editor) -> None:
    Customer = apps.get_model("customers", "Customer")
    written = Customer.objects.exclude(state="").values_list("state", "phone_country").distinct().order_by()
    for state, country in list(written):
        name = state_normalize(state, country=country)
        if name != state:
            Customer.objects.filter(state=state, phone_country=country).update(state=name)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0008_search_indexes_pending_list"),
    ]

    operations = [
        migrations.RunPython(states_normalize, migrations.RunPython.noop, elidable=True),
    ]
