"""Tenancy in the database: PostgreSQL row-level security keyed on the current organisation.

Every table with an `organisation_id` column gets the policy `stabil_tenant`: a row is visible,
insertable and updatable only when its organisation_id equals the setting `stabil.organisation_id`.
The setting unset or empty means no rows at all, so a forgotten setting fails closed.
`install()` runs at every post_migrate and introspects the tables, so tables added later (by any
app or library) are covered without a migration of their own; it is idempotent and cheap.

The application connects as a role that does not own the tables (DATABASE_APP_ROLE; table owners
bypass row-level security) and `install()` grants that role the rights it needs. Migrations and
management commands run as the owner. SQLite keeps the application-level scoping only: everything
here is a no-op there.

The setting is session-level (`set_config(..., false)`) and reset when the request or task ends:
the middleware's staff lookup runs in autocommit before the view's ATOMIC_REQUESTS transaction, and
a task may run several transactions, so a per-transaction setting would have to be made again in
each. `activate()` remembers the organisation on the connection wrapper, so a reconnect inside the
request (CONN_MAX_AGE, Celery closing an obsolete connection) sets it again; `deactivate()` resets
it or, if that fails, closes the connection, so a pooled connection never carries one request's
organisation into the next. See docs/trust-rls.md.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connections, transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver

logger = logging.getLogger(__name__)

SETTING = "stabil.organisation_id"
POLICY = "stabil_tenant"
NULL_INSERT_POLICY = "stabil_tenant_insert_without_organisation"
ATTRIBUTE = "stabil_organisation_id"
ORGANISATION_TABLE = "staff_organisation"
CURRENT = f"NULLIF(current_setting('{SETTING}', true), '')::bigint"

# Looked up before the organisation is known: they run as their owner (SECURITY DEFINER) and
# answer only an organisation id: of a user id, of the hash of an API (or SCIM) token's key, of a unit id
# (the calendar feed, whose secret token in the address is checked after that), of the hash of an
# invitation link's token (the invited person is not signed in yet).
LOOKUPS = {
    "stabil_user_organisation": ("integer", "staff_staffmember", "user_id"),
    "stabil_token_organisation": ("text", "staff_apitoken", "key_hash"),
    "stabil_scim_token_organisation": ("text", "staff_scimtoken", "key_hash"),
    "stabil_unit_organisation": ("bigint", "staff_unit", "id"),
    "stabil_invitation_organisation": ("text", "staff_invitation", "token_hash"),
    # The login page finds an organisation's sign-in button by a verified e-mail domain (staff/sso/).
    "stabil_email_domain_organisation": ("text", "staff_emaildomain", "verified_domain"),
    # The link that verifies an e-mail domain is opened by whoever reads mail at the domain, signed in or not.
    "stabil_email_domain_token_organisation": ("text", "staff_emaildomain", "verification_hash"),
}
FUNCTION = """
CREATE OR REPLACE FUNCTION {name}(p_key {type}) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, {schema} AS
$$ SELECT organisation_id FROM {table} WHERE {column} = p_key $$;
REVOKE ALL ON FUNCTION {name}({type}) FROM PUBLIC;
"""
ORGANISATION_POLICIES = {
    # Organisations hold names and settings only: every organisation may read the list (the
    # fan-out tasks read it before any organisation is set), but change only its own row.
    "stabil_organisation_read": "FOR SELECT USING (true)",
    "stabil_organisation_insert": "FOR INSERT WITH CHECK (true)",
    "stabil_organisation_update": f"FOR UPDATE USING (id = {CURRENT}) WITH CHECK (id = {CURRENT})",
    "stabil_organisation_delete": f"FOR DELETE USING (id = {CURRENT})",
}


def enabled(using: str = "default") -> bool:
    return connections[using].vendor == "postgresql"


# --- installing the policies -------------------------------------------------------------------


def tenant_tables(cursor) -> list[tuple[str, bool, bool]]:
    """(table, row security enabled, organisation_id nullable) of every table with the column."""
    cursor.execute(
        """
        SELECT c.relname, c.relrowsecurity, NOT a.attnotnull
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'organisation_id' AND NOT a.attisdropped
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
        ORDER BY c.relname
        """
    )
    return list(cursor.fetchall())


def _policies(cursor) -> set[tuple[str, str]]:
    cursor.execute("SELECT tablename, policyname FROM pg_policies WHERE schemaname = current_schema()")
    return set(cursor.fetchall())


def install(*, using: str = "default", app_role: str | None = None) -> list[str]:
    """Enable row-level security and the policies on every tenant table; grant the app role.

    Idempotent: only what is missing is created. Returns the tenant tables.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    app_role = settings.DATABASE_APP_ROLE if app_role is None else app_role
    qn = connection.ops.quote_name
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        tables = tenant_tables(cursor)
        if not any(name == "staff_staffmember" for name, _rls, _null in tables):
            return []  # migrating an empty database app by app: the staff tables come first
        present = {name for name, _rls, _null in tables}
        for name, (type_, table, column) in LOOKUPS.items():
            if table in present:  # a database migrated back to before the table has no function of it
                cursor.execute(FUNCTION.format(name=name, type=type_, table=table, column=column, schema=qn(schema)))
        existing = _policies(cursor)
        for table, rls_on, nullable in tables:
            if not rls_on:
                cursor.execute(f"ALTER TABLE {qn(table)} ENABLE ROW LEVEL SECURITY")
            if (table, POLICY) not in existing:
                rule = f"organisation_id = {CURRENT}"
                cursor.execute(f"CREATE POLICY {POLICY} ON {qn(table)} USING ({rule}) WITH CHECK ({rule})")
            if nullable and (table, NULL_INSERT_POLICY) not in existing:
                # A row that belongs to no organisation (e.g. a failed sign-in) may be written, never read.
                cursor.execute(
                    f"CREATE POLICY {NULL_INSERT_POLICY} ON {qn(table)} FOR INSERT WITH CHECK (organisation_id IS NULL)"
                )
        cursor.execute(
            "SELECT relrowsecurity FROM pg_class WHERE oid = to_regclass(%s)", [f"{schema}.{ORGANISATION_TABLE}"]
        )
        row = cursor.fetchone()
        if row and not row[0]:
            cursor.execute(f"ALTER TABLE {qn(ORGANISATION_TABLE)} ENABLE ROW LEVEL SECURITY")
        if row:
            for name, rule in ORGANISATION_POLICIES.items():
                if (ORGANISATION_TABLE, name) not in existing:
                    cursor.execute(f"CREATE POLICY {name} ON {qn(ORGANISATION_TABLE)} {rule}")
        if app_role:
            _grant(cursor, schema=qn(schema), role=app_role, quote=qn)
    return [name for name, _rls, _null in tables]


def _grant(cursor, *, schema: str, role: str, quote) -> None:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    if cursor.fetchone() is None:
        logger.warning("row-level security: the application role %s does not exist; no grants made", role)
        return
    role = quote(role)
    cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
    cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}")
    cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}")
    for name, (type_, _table, _column) in LOOKUPS.items():
        cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", [f"{name}({type_})"])
        if cursor.fetchone()[0]:
            cursor.execute(f"GRANT EXECUTE ON FUNCTION {name}({type_}) TO {role}")


def install_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """post_migrate receiver (connected in StaffConfig.ready): once per migrate, after the last app."""
    if sender.label == "staff" or sender.name == "staff":
        install(using=using)


# --- setting the organisation ------------------------------------------------------------------


def _execute(connection, sql: str, params: list) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def activate(organisation_id: int | None, *, using: str = "default") -> None:
    """Make `organisation_id` the connection's current organisation (None: no organisation)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    if organisation_id is None:
        deactivate(using=using)
        return
    value = int(organisation_id)
    setattr(connection, ATTRIBUTE, value)
    if connection.connection is None:
        connection.ensure_connection()  # the connection_created receiver sets it
        return
    _execute(connection, "SELECT set_config(%s, %s, false)", [SETTING, str(value)])


def _activate_by(function: str, argument, *, using: str) -> int | None:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    setattr(connection, ATTRIBUTE, None)
    value = _execute(
        connection, f"SELECT set_config(%s, COALESCE({function}(%s)::text, ''), false)", [SETTING, argument]
    )
    organisation_id = int(value) if value else None
    setattr(connection, ATTRIBUTE, organisation_id)
    return organisation_id


def activate_for_user(user_id: int, *, using: str = "default") -> int | None:
    """Set the organisation of the user's staff record (one query); None when they have none."""
    return _activate_by("stabil_user_organisation", user_id, using=using)


def activate_for_token(key_hash: str, *, using: str = "default") -> int | None:
    """Set the organisation of the API token with this key hash (one query); None for no such token."""
    return _activate_by("stabil_token_organisation", key_hash, using=using)


def activate_for_invitation(token_hash: str, *, using: str = "default") -> int | None:
    """Set the organisation of the invitation with this token hash (one query); None for no such invitation."""
    return _activate_by("stabil_invitation_organisation", token_hash, using=using)


def activate_for_scim_token(key_hash: str, *, using: str = "default") -> int | None:
    """Set the organisation of the SCIM token with this key hash (one query); None for no such token."""
    return _activate_by("stabil_scim_token_organisation", key_hash, using=using)


def activate_for_email_domain(domain: str, *, using: str = "default") -> int | None:
    """Set the organisation whose verified e-mail domain this is (one query); None for no such domain."""
    return _activate_by("stabil_email_domain_organisation", domain, using=using)


def activate_for_email_domain_token(token_hash: str, *, using: str = "default") -> int | None:
    """Set the organisation of the e-mail domain whose verification link has this token hash (one query); None
    for no such link."""
    return _activate_by("stabil_email_domain_token_organisation", token_hash, using=using)


def email_domain_owner(domain: str, *, using: str = "default") -> int | None:
    """The organisation that has verified this e-mail domain, whichever organisation is current (nothing is
    set): another organisation's verified domain must be refused without showing its rows. PostgreSQL only."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    value = _execute(connection, "SELECT stabil_email_domain_organisation(%s)", [domain])
    return int(value) if value is not None else None


def activate_for_unit(unit_id: int, *, using: str = "default") -> int | None:
    """Set the organisation of a unit (one query), for a page that authenticates by a secret of the unit."""
    if not 0 < unit_id < 2**63:
        return None  # no such unit; nothing set, nothing visible
    return _activate_by("stabil_unit_organisation", unit_id, using=using)


def deactivate(*, using: str = "default") -> None:
    """Reset the setting to empty; if the connection cannot do that, close it rather than reuse it."""
    connection = connections[using]
    if connection.vendor != "postgresql" or getattr(connection, ATTRIBUTE, None) is None:
        return
    setattr(connection, ATTRIBUTE, None)
    if connection.connection is None:
        return
    try:
        _execute(connection, "SELECT set_config(%s, '', false)", [SETTING])
    except Exception:  # noqa: BLE001 - whatever went wrong, this connection must not be reused
        logger.warning("row-level security: could not reset the organisation; closing the connection")
        connection.close()


def current(*, using: str = "default") -> str | None:
    """The connection's setting as the database sees it ('' or None when unset). For tests and checks."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    return _execute(connection, "SELECT current_setting(%s, true)", [SETTING])


@receiver(connection_created)
def _reapply_on_reconnect(sender, connection, **kwargs) -> None:
    value = getattr(connection, ATTRIBUTE, None)
    if connection.vendor == "postgresql" and value is not None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, false)", [SETTING, str(value)])
