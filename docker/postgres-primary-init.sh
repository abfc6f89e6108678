#!/bin/sh
# First start of the primary (postgres image's /docker-entrypoint-initdb.d): a role the streaming replica
# connects as, and a pg_hba rule that lets it replicate. Existing data volumes skip this; see README.
set -eu
psql -v ON_ERROR_STOP=1 -v password="$REPLICATION_PASSWORD" --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
