"""The class overview a teacher opens, for a class of 200 in an institution of 10,000, under gunicorn.

    .venv/bin/python bench/class_overview.py [--classes 50] [--learners-per-class 200]
        [--answers 1000000] [--requests 200] [--keep-db DIR] [--show-queries]
    .venv/bin/python bench/class_overview.py --quick      # a small shape, for a smoke run (< 2 minutes)

Starts its own PostgreSQL and Redis, creates an ordinary database role for the app the way
`scripts/probe.py app-role` does (row-level security never binds the initdb superuser), migrates as that
role, and builds one institution with `python -m bench.generate_load_data --institutions 1` (COPY: the
learners' sessions, answers, proficiency, stats, activity and profiles; staff, classes, enrollments and
assignments). `--keep-db DIR` keeps the PostgreSQL cluster in DIR and reuses it on the next run (the
generator does nothing when its data is there; migrate still runs, for pages that bring migrations).

Then gunicorn (2 workers x 4 threads, `--no-control-socket`), logged in as `load-inst0-teacher0`, who
teaches the first class, times GET /teach/classes/<pk>/: cold (every cache entry but the login session
deleted before each request) and warm (as served again), one client. The baseline in the same run is GET
/health/live. Queries per page view are counted in a separate process through Django's test client
(CaptureQueriesContext), cold and warm. Goals: warm p95 < 100 ms, cold p95 < 300 ms, <= 12 queries.
Exits 1 when a goal is missed.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis as redis_client

from bench.dashboard import pct, run
from tests.harness.servers import Gunicorn, ThrowawayPostgres, ThrowawayRedis

TEACHER = "load-inst0-teacher0"
DBNAME = "prepnexus_bench"
FULL = {"classes": 50, "learners_per_class": 200, "answers": 1_000_000, "requests": 200}
QUICK = {"classes": 2, "learners_per_class": 200, "answers": 20_000, "requests": 30}
GOALS = {"warm_p95_ms": 100, "cold_p95_ms": 300, "queries": 12}

SETUP = f"""
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore
from practice.models import Answer, Classroom, Enrollment, Membership, User
from practice.tenancy import operator_access
teacher = User.objects.get(username="{TEACHER}")
s = SessionStore()
s[SESSION_KEY] = str(teacher.pk)
s[BACKEND_SESSION_KEY] = "practice.backends.EmailOrUsernameBackend"
s[HASH_SESSION_KEY] = teacher.get_session_auth_hash()
s.create()
with operator_access(reason="bench/class_overview.py", actor="operator"):
    classroom = Classroom.objects.get(teacher_links__teacher=teacher)
    learners = Enrollment.objects.filter(classroom=classroom).count()
    members = Membership.objects.filter(institution_id=classroom.institution_id, role="learner").count()
print(json.dumps({{"session": s.session_key, "classroom": classroom.pk, "learners": learners,
                  "members": members, "answers": Answer.objects.count()}}))
"""

# Counted in a process of its own: the test client runs the page through the same middleware and view.
QUERIES = f"""
import json
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_redis import get_redis_connection
from practice.models import User

def forget():
    store = get_redis_connection("default")
    for key in store.scan_iter(settings.CACHES["default"]["KEY_PREFIX"] + ":*"):
        if b"django.contrib.sessions" not in key:
            store.delete(key)

url = "__PATH__"
client = Client(SERVER_NAME="127.0.0.1")
client.force_login(User.objects.get(username="{TEACHER}"))
assert client.get(url).status_code == 200
result = {{}}
for label in ("cold", "warm"):
    if label == "cold":
        forget()
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(url).status_code
    assert status == 200, status
    result[label] = [q["sql"] for q in ctx.captured_queries]
print(json.dumps(result))
"""


def forget_cache(store, prefix: str) -> None:
    """Delete every cache entry but the login sessions: the page's cached parts are cold."""
    keys = [key for key in store.scan_iter(f"{prefix}:*") if b"django.contrib.sessions" not in key]
    if keys:
        store.delete(*keys)


def report(label: str, ms: list[float], baseline: list[float] | None = None) -> None:
    ratio = f"  p95 / baseline p95 {pct(ms, 95) / pct(baseline, 95):5.1f}x" if baseline else ""
    print(
        f"  {label:<34} n={len(ms):<4} p50 {pct(ms, 50):6.1f} ms  p95 {pct(ms, 95):6.1f} ms  "
        f"p99 {pct(ms, 99):6.1f} ms  mean {statistics.fmean(ms):6.1f} ms{ratio}"
    )


def postgres(keep: str | None) -> ThrowawayPostgres:
    conf = {"max_connections": 200, "shared_buffers": "256MB"}
    if not keep:
        return ThrowawayPostgres(extra_conf=conf).start()
    pg = ThrowawayPostgres(extra_conf=conf, initdb=False)
    home = Path(keep).resolve()
    pg.data = str(home / "data")
    if not Path(pg.data).exists():
        home.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(home, "postgres", "postgres")
        pg._run([f"{pg.bindir}/initdb", "-D", pg.data, "-U", "postgres", "--auth=trust", "-E", "UTF8"])
    return pg.start()


def app_database(pg: ThrowawayPostgres, env: dict) -> str:
    """The benchmark database (created if missing) and the URL of the app's ordinary role on it."""
    admin = Gunicorn(env)  # only for its python(): the project's interpreter, from the project root
    url = pg.url(DBNAME)
    admin.python("scripts/probe.py", "postgres", url)
    admin.env["APP_DB_PASSWORD"] = "bench-app-password"
    return admin.python("scripts/probe.py", "app-role", url).stdout.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="2 classes of 200, 20,000 answers, 30 requests")
    parser.add_argument("--classes", type=int)
    parser.add_argument("--learners-per-class", type=int)
    parser.add_argument("--answers", type=int)
    parser.add_argument("--requests", type=int)
    parser.add_argument("--keep-db", metavar="DIR", help="keep the PostgreSQL cluster in DIR and reuse it")
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of a page view")
    args = parser.parse_args()
    shape = QUICK if args.quick else FULL
    for name in shape:
        if getattr(args, name) is None:
            setattr(args, name, shape[name])

    began = time.monotonic()
    pg = postgres(args.keep_db)
    redis = ThrowawayRedis().start()
    server = None
    try:
        env = {
            "REDIS_URL": redis.url,
            "CACHE_KEY_PREFIX": "bench",
            "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "DB_POOL_SIZE": "2",
            "DB_MAX_OVERFLOW": "2",
            "LOG_LEVEL": "WARNING",
            "GUNICORN_LOG_LEVEL": "warning",
        }
        env["DATABASE_URL"] = app_database(pg, env)
        server = Gunicorn(env, workers=2, threads=4)
        role = server.python(
            "-c",
            "import psycopg, os; c = psycopg.connect(os.environ['DATABASE_URL']); "
            "print(c.execute('SELECT current_user, rolsuper, rolbypassrls FROM pg_roles "
            "WHERE rolname = current_user').fetchone())",
        ).stdout.strip()
        print(f"app's database role (name, superuser, bypassrls): {role}")
        server.manage("migrate", "--noinput")
        server.manage("collectstatic", "--noinput", "-v", "0")
        print(f"servers, migrate, collectstatic: {time.monotonic() - began:.1f} s")
        started = time.monotonic()
        out = server.python(
            "-m",
            "bench.generate_load_data",
            f"--answers={args.answers}",
            "--learner-answers=1000",
            "--learners=0",
            "--institutions=1",
            f"--classes-per-institution={args.classes}",
            f"--learners-per-class={args.learners_per_class}",
        )
        lines = out.stdout.strip().splitlines()
        print("\n".join(line for line in lines if line.startswith(("institution ", "load-learner exists"))))
        print("\n".join(line for line in lines if "answers in all" in line))
        print(f"generate_load_data: {time.monotonic() - started:.1f} s")
        setup = json.loads(server.manage("shell", "-c", SETUP).stdout.strip().splitlines()[-1])
        cookie = f"sessionid={setup['session']}"
        path = f"/teach/classes/{setup['classroom']}/"
        counted = server.manage("shell", "-c", QUERIES.replace("__PATH__", path))
        queries = json.loads(counted.stdout.strip().splitlines()[-1])
        server.start()
        base = server.base_url
        run(base + path, cookie, 20, 1)  # warm up workers, pools and caches
        run(base + "/health/live", cookie, 20, 1)
        store = redis_client.Redis.from_url(redis.url)
        baseline = run(base + "/health/live", cookie, args.requests, 1)
        cold = run(base + path, cookie, args.requests, 1, before=lambda: forget_cache(store, "bench"))
        warm = run(base + path, cookie, args.requests, 1)
        print(
            f"\nClass overview GET {path}: a class of {setup['learners']} in an institution of "
            f"{setup['members']:,} learners, {setup['answers']:,} answers in all "
            "(gunicorn, 2 workers x 4 threads, 1 client):"
        )
        report("baseline GET /health/live", baseline)
        report("class overview, cold cache", cold, baseline)
        report("class overview, warm", warm, baseline)
        count = max(len(queries["cold"]), len(queries["warm"]))
        print(f"  queries per view: cold {len(queries['cold'])}, warm {len(queries['warm'])}")
        goals = [
            ("warm p95 < 100 ms", pct(warm, 95) < GOALS["warm_p95_ms"], f"{pct(warm, 95):.1f} ms"),
            ("cold p95 < 300 ms", pct(cold, 95) < GOALS["cold_p95_ms"], f"{pct(cold, 95):.1f} ms"),
            ("queries <= 12", count <= GOALS["queries"], f"{count}"),
        ]
        for goal, met, value in goals:
            print(f"  goal {goal}: {value}, {'met' if met else 'MISSED'}")
        if args.show_queries:
            for label in ("cold", "warm"):
                print(f"\n{label}:")
                for sql in queries[label]:
                    print(f"  {sql[:300]}")
        return 0 if all(met for _, met, _ in goals) else 1
    finally:
        if server:
            server.stop()
        redis.stop()
        if args.keep_db:
            pg.stop()
            shutil.rmtree(pg.tmp, ignore_errors=True)
        else:
            pg.destroy()


if __name__ == "__main__":
    sys.exit(main())
