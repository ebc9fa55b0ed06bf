"""Existing organisations keep their capacities: levels 3 and 4 take the old "other workers" figure (now level 2's).

Before, every level above 1 had that one figure (a specialist who holds no own cases had, and still has, the
co-handling capacity instead). New organisations get the defaults (22 for level 3, 0 own cases for level 4).
"""

from django.db import migrations
from django.db.models import F


def copy_level_2(apps, schema_editor):
    apps.get_model("caseload", "CaseloadSettings").objects.update(
        capacity_level_3=F("capacity_level_2"), capacity_level_4=F("capacity_level_2")
    )


class Migration(migrations.Migration):
    dependencies = [("caseload", "0013_caseload_settings_capacity_per_level")]

    operations = [migrations.RunPython(copy_level_2, migrations.RunPython.noop)]
