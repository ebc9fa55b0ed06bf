"""Data: every person's FTE so far becomes their first FTE period, from their employment start (issue 16)."""

from django.db import migrations


def seed(apps, schema_editor):
    StaffMember = apps.get_model("staff", "StaffMember")
    EmploymentExtent = apps.get_model("staff", "EmploymentExtent")
    have = set(EmploymentExtent.objects.values_list("staff_id", flat=True))
    EmploymentExtent.objects.bulk_create(
        EmploymentExtent(
            organisation_id=person.organisation_id, staff_id=person.pk, fte=person.fte, valid_from=person.employment_start
        )
        for person in StaffMember.objects.exclude(pk__in=have).only("organisation_id", "fte", "employment_start")
    )


def unseed(apps, schema_editor):
    apps.get_model("staff", "EmploymentExtent").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("staff", "0011_employment_extent")]

    operations = [migrations.RunPython(seed, unseed)]
