"""Investigation.unit: the case's unit, copied onto the investigation (a case never changes unit), so the
per-unit counts of closed investigations read the (organisation, unit, closed_on) index."""

import django.db.models.deletion
from django.db import migrations, models

COPY_UNIT = """
UPDATE caseload_investigation
SET unit_id = (SELECT unit_id FROM caseload_case WHERE caseload_case.id = caseload_investigation.case_id)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("caseload", "0005_meeting_proposal_proven"),
        ("staff", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="investigation",
            name="unit",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="staff.unit",
                verbose_name="unit",
            ),
        ),
        migrations.RunSQL(COPY_UNIT, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="investigation",
            name="unit",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="staff.unit",
                verbose_name="unit",
            ),
        ),
        migrations.AddIndex(
            model_name="investigation",
            index=models.Index(fields=["organisation", "unit", "closed_on"], name="caseload_in_organis_51bc96_idx"),
        ),
    ]
