#!/usr/bin/env bash
# Runs once, when the database volume is first created (the postgres image's /docker-entrypoint-initdb.d).
# The owner (POSTGRES_USER, `stabil`) owns the tables and runs the migrations; the application role
# `stabil_app` only reads and writes rows, so PostgreSQL's row-level security applies to it.
# `manage.py migrate` (DATABASE_APP_ROLE=stabil_app) grants it the table rights. See docs/trust-rls.md.
set -euo pipefail
: "${POSTGRES_APP_PASSWORD:?set POSTGRES_APP_PASSWORD}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set app_password="$POSTGRES_APP_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE stabil_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD %L', :'app_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stabil_app') \gexec
SELECT format('ALTER ROLE stabil_app PASSWORD %L', :'app_password') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO stabil_app', current_database()) \gexec
GRANT USAGE ON SCHEMA public TO stabil_app;
SQL
