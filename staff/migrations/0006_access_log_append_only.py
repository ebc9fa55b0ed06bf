"""On PostgreSQL the access log and the security events are append-only in the database itself.

A trigger refuses UPDATE and DELETE, except a DELETE in a transaction that ran
`SELECT set_config('stabil.access_log_purge', 'on', true)`: the retention path,
staff.platform.audit.services.access_log_purge. TRUNCATE (the table owner's, as the test database's flush
uses) is not guarded: the application role should not own the tables (issue 8, row-level security).
SQLite keeps the model-level guard only.
"""

from django.db import migrations

TABLES = ("staff_accesslogentry", "staff_securityevent")

FUNCTION = """
CREATE OR REPLACE FUNCTION stabil_access_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('stabil.access_log_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the access log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def _forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION stabil_access_log_append_only()",
            params=None,
        )


def _backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}", params=None)
    schema_editor.execute("DROP FUNCTION IF EXISTS stabil_access_log_append_only()", params=None)


class Migration(migrations.Migration):
    dependencies = [("staff", "0005_access_log")]

    operations = [migrations.RunPython(_forward, _backward, elidable=False)]
