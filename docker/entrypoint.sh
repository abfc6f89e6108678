#!/bin/sh
# Container entrypoint: wait for PostgreSQL, optionally migrate, then run the given command.
set -eu

python - <<'PY'
import os, sys, time
import psycopg
url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/prepnexus")
for attempt in range(60):
    try:
        psycopg.connect(url, connect_timeout=2).close()
        break
    except psycopg.Error as exc:
        print(f"waiting for PostgreSQL ({exc.__class__.__name__})", flush=True)
        time.sleep(1)
else:
    sys.exit("PostgreSQL did not become reachable")
PY

if [ "${MIGRATE_ON_START:-off}" = "on" ]; then
    python manage.py migrate --noinput
fi

exec "$@"
