#!/bin/sh
# First start of the primary (postgres image's /docker-entrypoint-initdb.d): the ordinary role the app
# connects as. Row-level security never binds a superuser or a BYPASSRLS role, so the app must not be
# one: "prepnexus" owns the database (and so runs the migrations) and is neither. Existing data volumes
# skip this; see docs/security.md for the same statements to run by hand.
set -eu
psql -v ON_ERROR_STOP=1 -v password="$APP_DB_PASSWORD" --username "$POSTGRES_USER" --dbname postgres <<'SQL'
CREATE ROLE prepnexus LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE PASSWORD :'password';
ALTER DATABASE prepnexus OWNER TO prepnexus;
GRANT pg_monitor TO prepnexus;
SQL
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname prepnexus <<'SQL'
ALTER SCHEMA public OWNER TO prepnexus;
SQL
