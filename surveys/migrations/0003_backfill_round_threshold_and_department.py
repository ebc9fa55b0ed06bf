"""Closed rounds get the threshold in force now (the best record there is) and their snapshots the unit's
current department; from here on both are stored when a round closes."""

from django.db import migrations


def backfill(apps, schema_editor):
    SurveyRound = apps.get_model("surveys", "SurveyRound")
    SurveySettings = apps.get_model("surveys", "SurveySettings")
    UnitSnapshot = apps.get_model("surveys", "UnitSnapshot")
    current = dict(SurveySettings.objects.values_list("organisation_id", "min_respondents"))
    for organisation_id in SurveyRound.objects.filter(status="closed", min_respondents__isnull=True).values_list(
        "organisation_id", flat=True
    ).distinct():
        SurveyRound.objects.filter(
            organisation_id=organisation_id, status="closed", min_respondents__isnull=True
        ).update(min_respondents=max(current.get(organisation_id, 5), 3))
    for snapshot in UnitSnapshot.objects.filter(department__isnull=True).select_related("unit"):
        snapshot.department_id = snapshot.unit.department_id
        snapshot.save(update_fields=["department"])


class Migration(migrations.Migration):
    dependencies = [("surveys", "0002_round_threshold_and_frozen_department")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
