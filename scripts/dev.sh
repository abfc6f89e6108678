#!/usr/bin/env bash
# The service bootstrap behind `make run` and `make test`.
#
#   scripts/dev.sh setup prod|dev   virtualenv + pinned requirements
#   scripts/dev.sh services         use DATABASE_URL/REDIS_URL if they answer, else start
#                                   project-local PostgreSQL and Redis under .run/; writes .run/env
#   scripts/dev.sh stop             stop the project-local servers (never the configured ones)
#
# Everything it does, it says.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUN="$ROOT/.run"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"
LOCAL_PG_PORT="${LOCAL_PG_PORT:-15432}"
LOCAL_REDIS_PORT="${LOCAL_REDIS_PORT:-16379}"
# One line per tool: the command to look for and the Debian package that provides it.
TEST_TOOLS="chromium:chromium pg_dump:postgresql-client haproxy:haproxy pgbouncer:pgbouncer sqlite3:sqlite3"
say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
mkdir -p "$RUN"

is_root() { [[ $(id -u) == 0 ]]; }

apt_install() {
  if ! is_root; then
    say "missing: $* (not root, cannot apt-get install; install them and retry)"; return 1
  fi
  say "installing Debian packages: $*"
  if [[ ! -f "$RUN/.apt-updated" ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && touch "$RUN/.apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

setup() {
  local flavour="${1:-dev}" req="$ROOT/requirements/${1:-dev}.txt" stamp
  if [[ ! -x "$VENV/bin/python" ]]; then
    say "creating virtualenv .venv"
    "$PY" -m venv "$VENV"
  fi
  stamp="$VENV/.installed-$flavour-$(cat "$ROOT"/requirements/*.txt | sha256sum | cut -c1-16)"
  if [[ ! -f "$stamp" ]]; then
    say "installing pinned requirements/$flavour.txt"
    # This machine's pip config names optional local indexes; hide its "is ignored" noise only.
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$req" 2>&1 | { grep -v 'is ignored: it is neither' || true; }
    [[ ${PIPESTATUS[0]} == 0 ]] || { say "pip install failed"; return 1; }
    touch "$stamp"
  else
    say "requirements/$flavour.txt already installed"
  fi
  if [[ "$flavour" == dev ]]; then
    # Debian packages the test suite drives (command:package), installed when missing and root.
    local tool missing=()
    for tool in $TEST_TOOLS; do
      command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
    done
    if ((${#missing[@]})); then
      apt_install "${missing[@]}" || say "tests that need ${missing[*]} will be skipped"
    fi
  fi
}

pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [[ -n "$d" ]] && { echo "$d"; return; }
  command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)"
}

# Run a PostgreSQL server binary: it refuses to run as root, so root runs it as 'postgres'.
as_pg() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

probe() { "$VENV/bin/python" "$ROOT/scripts/probe.py" "$@"; }

start_local_pg() {
  local bindir data="$RUN/pg"
  bindir=$(pg_bindir || true)
  if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
    apt_install postgresql
    bindir=$(pg_bindir)
  fi
  if [[ ! -f "$data/PG_VERSION" ]]; then
    say "initialising project-local PostgreSQL in .run/pg"
    mkdir -p "$data"
    is_root && chown -R postgres:postgres "$data"
    as_pg "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  if ! as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    say "starting project-local PostgreSQL on 127.0.0.1:$LOCAL_PG_PORT"
    as_pg "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w -o "-p $LOCAL_PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  else
    say "project-local PostgreSQL already running"
  fi
}

start_local_redis() {
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  mkdir -p "$RUN/redis"
  if [[ -f "$RUN/redis/redis.pid" ]] && kill -0 "$(cat "$RUN/redis/redis.pid")" 2>/dev/null; then
    say "project-local Redis already running"; return
  fi
  say "starting project-local Redis on 127.0.0.1:$LOCAL_REDIS_PORT"
  redis-server --port "$LOCAL_REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
    --dir "$RUN/redis" --pidfile "$RUN/redis/redis.pid" --logfile "$RUN/redis/redis.log"
  for _ in $(seq 50); do probe redis "redis://127.0.0.1:$LOCAL_REDIS_PORT/0" && return; sleep 0.1; done
  say "Redis did not come up; see .run/redis/redis.log"; return 1
}

services() {
  local db_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/prepnexus}"
  local redis_url="${REDIS_URL:-redis://127.0.0.1:6379/0}"
  if probe postgres "$db_url"; then
    say "using PostgreSQL at $(probe redact "$db_url")"
  else
    say "no PostgreSQL answers at $(probe redact "$db_url"); falling back to a project-local one"
    start_local_pg
    db_url="postgres://postgres@127.0.0.1:$LOCAL_PG_PORT/prepnexus"
    probe postgres "$db_url"
  fi
  # Row-level security never binds a superuser or a BYPASSRLS role: the app connects as an ordinary
  # role that owns its database (and so runs the migrations). Given a superuser URL, make that role.
  [[ -s "$RUN/db_password" ]] || "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(18))' > "$RUN/db_password"
  chmod 600 "$RUN/db_password"
  local app_url
  app_url=$(APP_DB_PASSWORD="$(cat "$RUN/db_password")" probe app-role "$db_url")
  if [[ "$app_url" != "$db_url" ]]; then
    say "the app connects as the ordinary role in $(probe redact "$app_url") (never as a superuser)"
    db_url="$app_url"
  fi
  if probe redis "$redis_url"; then
    say "using Redis at $(probe redact "$redis_url")"
  else
    say "no Redis answers at $(probe redact "$redis_url"); falling back to a project-local one"
    start_local_redis
    redis_url="redis://127.0.0.1:$LOCAL_REDIS_PORT/0"
  fi
  if [[ -z "${DJANGO_SECRET_KEY:-}" ]]; then
    [[ -s "$RUN/secret_key" ]] || { say "generating a local secret key in .run/secret_key"; "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))' > "$RUN/secret_key"; chmod 600 "$RUN/secret_key"; }
  fi
  for who in learner staff teacher; do
    [[ -s "$RUN/demo_${who}_password" ]] || "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(12))' > "$RUN/demo_${who}_password"
  done
  {
    echo "export DATABASE_URL='$db_url'"
    echo "export REDIS_URL='$redis_url'"
    [[ -n "${DJANGO_SECRET_KEY:-}" ]] || echo "export DJANGO_SECRET_KEY=\"\$(cat '$RUN/secret_key')\""
    echo "export DEMO_LEARNER_PASSWORD=\"\${DEMO_LEARNER_PASSWORD:-\$(cat '$RUN/demo_learner_password')}\""
    echo "export DEMO_STAFF_PASSWORD=\"\${DEMO_STAFF_PASSWORD:-\$(cat '$RUN/demo_staff_password')}\""
    echo "export DEMO_TEACHER_PASSWORD=\"\${DEMO_TEACHER_PASSWORD:-\$(cat '$RUN/demo_teacher_password')}\""
  } > "$RUN/env"
}

stop() {
  local bindir
  if [[ -f "$RUN/pg/postmaster.pid" ]]; then
    bindir=$(pg_bindir)
    say "stopping project-local PostgreSQL"
    as_pg "$bindir/pg_ctl" -D "$RUN/pg" -m fast stop >/dev/null || true
  fi
  if [[ -f "$RUN/redis/redis.pid" ]] && kill -0 "$(cat "$RUN/redis/redis.pid")" 2>/dev/null; then
    say "stopping project-local Redis"
    kill "$(cat "$RUN/redis/redis.pid")" || true
  fi
  say "project-local services stopped (configured shared servers are never touched)"
}

# The site as production runs it: gunicorn in front, one background worker (manage.py run_worker) beside
# it. Ctrl-C, or either process ending, stops both. Expects .run/env sourced (the Makefile does).
serve() {
  local port="$1" worker web status=0
  "$VENV/bin/python" "$ROOT/manage.py" run_worker &
  worker=$!
  GUNICORN_BIND="127.0.0.1:$port" "$VENV/bin/gunicorn" -c "$ROOT/prepnexus/gunicorn.conf.py" &
  web=$!
  trap 'kill -TERM "$worker" "$web" 2>/dev/null || true' INT TERM
  wait -n "$worker" "$web" || status=$?
  kill -TERM "$worker" "$web" 2>/dev/null || true
  wait "$worker" "$web" 2>/dev/null || true
  return "$status"
}

cmd="${1:-}"; shift || true
case "$cmd" in
  setup) setup "$@" ;;
  services) services ;;
  stop) stop ;;
  serve) serve "$@" ;;
  *) echo "usage: $0 setup prod|dev | services | stop | serve PORT" >&2; exit 2 ;;
esac
