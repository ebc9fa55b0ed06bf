"""The access log becomes one row per request (issue 21): every object a request showed goes into
`objects_shown` ({"case:12": 3}) and their units into `units_shown` ({"3": 1}), instead of a row each.

Existing rows are kept, each as it was, with its one object copied into the new columns (a page that
listed 34 cases keeps its 34 old rows; new requests write one). On PostgreSQL the append-only trigger
(0006) is switched off for that one UPDATE, inside this migration's transaction, and on again.
A GIN index on `objects_shown` (PostgreSQL only) answers "who read case X". The single-column
indexes of organisation, reader and unit go: the composite (organisation, at) and (organisation,
reader, at) cover every query, and (organisation, unit, at) served only the review's unit filter,
which now reads `units_shown`.

Backwards: the columns are dropped again; refused when a row holds more than one object, since the old
shape cannot hold it without losing reads.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.migrations.exceptions import IrreversibleError

TABLE = "staff_accesslogentry"
TRIGGER = "staff_accesslogentry_append_only"
GIN = "accesslog_objects_gin"

BACKFILL = {
    "postgresql": (
        f"UPDATE {TABLE} SET objects_shown = jsonb_build_object(kind || ':' || object_id, unit_id), "
        "units_shown = CASE WHEN unit_id IS NULL THEN '{}'::jsonb ELSE jsonb_build_object(unit_id::text, 1) END "
        "WHERE object_id IS NOT NULL"
    ),
    "sqlite": (
        f"UPDATE {TABLE} SET objects_shown = json_object(kind || ':' || object_id, unit_id), "
        "units_shown = CASE WHEN unit_id IS NULL THEN '{}' ELSE json_object(CAST(unit_id AS TEXT), 1) END "
        "WHERE object_id IS NOT NULL"
    ),
}


def _backfill(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}", params=None)
        schema_editor.execute(BACKFILL[vendor], params=None)
        schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}", params=None)
        schema_editor.execute(f"CREATE INDEX {GIN} ON {TABLE} USING gin (objects_shown)", params=None)
    else:
        schema_editor.execute(BACKFILL["sqlite"], params=None)


def _refuse_if_merged(apps, schema_editor):
    entry = apps.get_model("staff", "AccessLogEntry")
    for objects_shown in entry.objects.exclude(objects_shown={}).values_list("objects_shown", flat=True).iterator():
        if len(objects_shown) > 1:
            raise IrreversibleError(
                "access-log rows hold several objects each: the old shape (one object a row) would lose reads"
            )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIN}", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('staff', '0013_historical_models_from_history_app'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='accesslogentry',
            name='accesslog_org_unit_at',
        ),
        migrations.AddField(
            model_name='accesslogentry',
            name='objects_shown',
            field=models.JSONField(blank=True, default=dict, verbose_name='objects shown'),
        ),
        migrations.AddField(
            model_name='accesslogentry',
            name='units_shown',
            field=models.JSONField(blank=True, default=dict, verbose_name='units of the objects'),
        ),
        migrations.AlterField(
            model_name='accesslogentry',
            name='actor',
            field=models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='staff.staffmember', verbose_name='reader'),
        ),
        migrations.AlterField(
            model_name='accesslogentry',
            name='organisation',
            field=models.ForeignKey(db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='staff.organisation'),
        ),
        migrations.AlterField(
            model_name='accesslogentry',
            name='unit',
            field=models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='staff.unit', verbose_name='unit'),
        ),
        migrations.RunPython(_backfill, _refuse_if_merged, elidable=False),
    ]
