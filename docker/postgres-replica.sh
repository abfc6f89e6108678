#!/bin/sh
# Entrypoint of the streaming replica: on first start, clone the primary with pg_basebackup -R (which
# writes primary_conninfo and standby.signal), then start PostgreSQL as the image normally does.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    until PGPASSWORD="$REPLICATION_PASSWORD" gosu postgres pg_basebackup \
        -h "$PRIMARY_HOST" -U replicator -D "$PGDATA" -R -X stream -c fast; do
        echo "waiting for the primary at $PRIMARY_HOST" >&2
        find "$PGDATA" -mindepth 1 -delete
        sleep 2
    done
fi
exec docker-entrypoint.sh postgres
