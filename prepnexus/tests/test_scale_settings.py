"""Scale-out settings and the connection budget check, each case in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from prepnexus.checks import connection_budget

ROOT = Path(__file__).resolve().parents[2]
BASE_ENV = {
    "PATH": os.environ["PATH"],
    "DJANGO_SETTINGS_MODULE": "prepnexus.settings",
    "HOME": "/tmp",
    "DJANGO_SECRET_KEY": "k" * 50,
}
PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "databases": {alias: {"host": db["HOST"], "port": str(db["PORT"]), "pool": db["OPTIONS"].get("pool"),
                          "max_age": db["CONN_MAX_AGE"], "ssc": db.get("DISABLE_SERVER_SIDE_CURSORS", False),
                          "mirror": db.get("TEST", {}).get("MIRROR")}
                  for alias, db in settings.DATABASES.items()},
    "replicas": settings.DATABASE_REPLICAS,
    "routers": settings.DATABASE_ROUTERS,
    "middleware": settings.MIDDLEWARE,
}))
"""


def run(code: str, *args: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *(("-c", code) if code else ()), *args],
        env=BASE_ENV | env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_replicas_there_is_one_database_and_no_router():
    result = run(PROBE)
    assert result.returncode == 0, result.stderr
    s = json.loads(result.stdout)
    assert list(s["databases"]) == ["default"]
    assert s["replicas"] == [] and s["routers"] == []
    assert "prepnexus.db_router.ReplicaMiddleware" not in s["middleware"]


def test_replica_urls_become_aliases_with_the_primarys_pool():
    result = run(
        PROBE,
        DATABASE_REPLICA_URLS="postgres://app@replica-a:5433/prepnexus,postgres://app@replica-b/prepnexus",
        DB_POOL_SIZE="1",
        DB_MAX_OVERFLOW="3",
    )
    assert result.returncode == 0, result.stderr
    s = json.loads(result.stdout)
    assert s["replicas"] == ["replica1", "replica2"]
    assert s["databases"]["replica1"]["host"] == "replica-a" and s["databases"]["replica1"]["port"] == "5433"
    assert s["databases"]["replica2"]["host"] == "replica-b"
    pool = {"min_size": 1, "max_size": 4, "timeout": 2.0}
    assert all(db["pool"] == pool for db in s["databases"].values())
    assert s["databases"]["replica1"]["mirror"] == "default"
    assert s["routers"] == ["prepnexus.db_router.ReplicaRouter"]
    # Outside every middleware that may write (sessions, auth, axes), so it sees their writes too;
    # only the request observation (timing and logging) wraps it.
    middleware = s["middleware"]
    assert middleware.index("prepnexus.db_router.ReplicaMiddleware") < middleware.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )
    assert middleware[0] in (
        "prepnexus.db_router.ReplicaMiddleware",
        "monitoring.middleware.RequestObservationMiddleware",
    )


def test_pgbouncer_mode_drops_the_app_pool_and_server_side_cursors():
    result = run(PROBE, DATABASE_POOLER="pgbouncer", DATABASE_REPLICA_URLS="postgres://app@replica/prepnexus")
    assert result.returncode == 0, result.stderr
    for db in json.loads(result.stdout)["databases"].values():
        assert db["pool"] is None and db["max_age"] == 0 and db["ssc"] is True


def test_an_unknown_pooler_is_refused():
    result = run(PROBE, DATABASE_POOLER="pgpool")
    assert result.returncode != 0 and "DATABASE_POOLER" in result.stderr


def test_budget_arithmetic_caps_each_worker_at_its_pool_and_its_threads():
    # 3 instances x 2 workers x min(4 threads, pool max 6) = 24
    budget = connection_budget(instances=3, workers=2, threads=4, pool_min=2, pool_max=6, budget=24)
    assert (budget.per_worker, budget.per_server, budget.exceeded) == (4, 24, False)
    # The pool's minimum stays open even when threads are fewer.
    few_threads = connection_budget(instances=1, workers=2, threads=1, pool_min=3, pool_max=6, budget=9)
    assert few_threads.per_worker == 3
    # Threads beyond the pool queue for a connection: the pool max is the cap.
    many_threads = connection_budget(instances=1, workers=1, threads=16, pool_min=2, pool_max=6, budget=9)
    assert many_threads.per_worker == 6
    # PgBouncer mode: one client connection per thread.
    over = connection_budget(instances=4, workers=4, threads=8, pool_min=None, pool_max=None, budget=100)
    assert (over.per_server, over.exceeded) == (128, True)


def test_check_warns_when_the_fleet_exceeds_the_budget():
    result = run(
        "",
        "manage.py",
        "check",
        "--fail-level",
        "WARNING",
        APP_INSTANCES="4",
        GUNICORN_WORKERS="4",
        GUNICORN_THREADS="4",
        DB_POOL_SIZE="2",
        DB_MAX_OVERFLOW="4",
        DB_CONNECTION_BUDGET="60",
    )
    assert result.returncode != 0
    assert "prepnexus.W001" in result.stderr
    assert "64 connections" in result.stderr and "DB_CONNECTION_BUDGET=60" in result.stderr


def test_check_is_quiet_when_the_fleet_fits():
    result = run(
        "",
        "manage.py",
        "check",
        "--fail-level",
        "WARNING",
        APP_INSTANCES="4",
        GUNICORN_WORKERS="4",
        GUNICORN_THREADS="4",
        DB_POOL_SIZE="2",
        DB_MAX_OVERFLOW="4",
        DB_CONNECTION_BUDGET="64",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_warns_when_threads_outnumber_the_pool():
    result = run("", "manage.py", "check", GUNICORN_THREADS="8", DB_POOL_SIZE="1", DB_MAX_OVERFLOW="2")
    assert result.returncode == 0, result.stderr
    assert "prepnexus.W002" in result.stderr


def test_deploy_check_refuses_the_test_only_routes():
    result = run(
        "",
        "manage.py",
        "check",
        "--deploy",
        DJANGO_SETTINGS_MODULE="tests.harness.settings",
        PREPNEXUS_TEST_SETTINGS="on",
    )
    assert result.returncode != 0
    assert "prepnexus.E001" in result.stderr


@pytest.mark.parametrize("module", ["tests.harness.settings", "bench.settings_bare", "bench.settings_pbkdf2"])
def test_test_only_settings_refuse_to_start_without_the_opt_in(module):
    result = run("", "manage.py", "check", DJANGO_SETTINGS_MODULE=module)
    assert result.returncode != 0
    assert "PREPNEXUS_TEST_SETTINGS=on" in result.stderr
    assert "prepnexus.settings" in result.stderr


@pytest.mark.parametrize("module", ["tests.harness.settings", "bench.settings_bare", "bench.settings_pbkdf2"])
def test_test_only_settings_refuse_to_start_over_https_even_with_the_opt_in(module):
    result = run(
        "",
        "manage.py",
        "check",
        DJANGO_SETTINGS_MODULE=module,
        PREPNEXUS_TEST_SETTINGS="on",
        DJANGO_HTTPS="on",
    )
    assert result.returncode != 0
    assert "DJANGO_HTTPS=on" in result.stderr
    opted_in = run("", "manage.py", "check", DJANGO_SETTINGS_MODULE=module, PREPNEXUS_TEST_SETTINGS="on")
    assert opted_in.returncode == 0, opted_in.stderr
