"""The caseload settings' history reads as the settings were: levels 3 and 4 had the old "other workers" figure."""

from django.db import migrations
from django.db.models import F


def copy_level_2(apps, schema_editor):
    apps.get_model("history", "HistoricalCaseloadSettings").objects.update(
        capacity_level_3=F("capacity_level_2"), capacity_level_4=F("capacity_level_2")
    )


class Migration(migrations.Migration):
    dependencies = [("history", "0014_historicalcaseloadsettings_capacity_per_level")]

    operations = [migrations.RunPython(copy_level_2, migrations.RunPython.noop)]
