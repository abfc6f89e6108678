"""System checks for deployments that scale out: does the fleet fit the database's connection budget?"""

import dataclasses
import os

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

TEST_SETTINGS_OPT_IN = "PREPNEXUS_TEST_SETTINGS"


@dataclasses.dataclass(frozen=True)
class ConnectionBudget:
    per_worker: int
    per_server: int
    budget: int

    @property
    def exceeded(self) -> bool:
        return self.per_server > self.budget


def connection_budget(
    *, instances: int, workers: int, threads: int, pool_min: int | None, pool_max: int | None, budget: int
) -> ConnectionBudget:
    """Peak connections the app can hold on ONE database server (the primary, or each replica).

    A gunicorn thread holds at most one connection per database at a time. With the app-side pool
    (pool_max set) a worker process never holds more than pool_max, and always keeps pool_min open:
    per_worker = max(pool_min, min(threads, pool_max)). Without it (PgBouncer mode) every thread may hold
    one connection to PgBouncer: per_worker = threads. per_server = instances x workers x per_worker.
    """
    per_worker = threads if pool_max is None else max(pool_min or 0, min(threads, pool_max))
    return ConnectionBudget(per_worker, instances * workers * per_worker, budget)


def _from_settings() -> tuple[ConnectionBudget, int, int | None]:
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    pool_min = pool_max = None
    if pool:
        pool_min = pool.get("min_size", 4) if isinstance(pool, dict) else 4
        pool_max = pool.get("max_size", pool_min) if isinstance(pool, dict) else 4
    result = connection_budget(
        instances=settings.APP_INSTANCES,
        workers=settings.GUNICORN_WORKERS,
        threads=settings.GUNICORN_THREADS,
        pool_min=pool_min,
        pool_max=pool_max,
        budget=settings.DB_CONNECTION_BUDGET,
    )
    return result, settings.GUNICORN_THREADS, pool_max


@checks.register("connections")  # static arithmetic on settings; never touches a database
def check_connection_budget(app_configs=None, **kwargs):
    result, threads, pool_max = _from_settings()
    messages = []
    if result.exceeded:
        target = "PgBouncer (its max_client_conn)" if pool_max is None else "each database server"
        messages.append(
            checks.Warning(
                f"At peak the app can open {result.per_server} connections to {target}, more than "
                f"DB_CONNECTION_BUDGET={result.budget}: APP_INSTANCES={settings.APP_INSTANCES} x "
                f"GUNICORN_WORKERS={settings.GUNICORN_WORKERS} x {result.per_worker} per worker.",
                hint="Lower workers, threads or DB_POOL_SIZE + DB_MAX_OVERFLOW, put PgBouncer in front "
                "(DATABASE_POOLER=pgbouncer), or raise max_connections and DB_CONNECTION_BUDGET together. "
                "See README 'Scaling'.",
                id="prepnexus.W001",
            )
        )
    if pool_max is not None and threads > pool_max:
        messages.append(
            checks.Warning(
                f"GUNICORN_THREADS={threads} is more than the pool's maximum ({pool_max}): busy threads "
                f"queue for a connection and fail after DB_POOL_TIMEOUT.",
                hint="Make DB_POOL_SIZE + DB_MAX_OVERFLOW at least GUNICORN_THREADS.",
                id="prepnexus.W002",
            )
        )
    return messages


@checks.register(checks.Tags.security, deploy=True)
def check_test_views_are_off(app_configs=None, **kwargs):
    # The test and bench trees mount extra routes (test-only views that show learners' display names,
    # a view serving files from disk) through their own settings modules; a deployment never runs those.
    if settings.ROOT_URLCONF.partition(".")[0] in ("tests", "bench"):
        return [
            checks.Error(
                f"ROOT_URLCONF is {settings.ROOT_URLCONF}: test- or bench-only routes are mounted.",
                hint="Run with DJANGO_SETTINGS_MODULE=prepnexus.settings; only the test suite and the "
                "benchmarks use the settings modules in tests/ and bench/.",
                id="prepnexus.E001",
            )
        ]
    return []


def refuse_outside_tests(module: str, *, https: bool) -> None:
    """Stop a test- or bench-only settings module from starting anywhere but a test run or a benchmark.

    Those modules mount routes a deployment must never serve. The throwaway servers run with DEBUG off
    (as production does), so DEBUG cannot tell them apart: they must opt in by name, and never over HTTPS.
    """
    if os.environ.get(TEST_SETTINGS_OPT_IN) != "on":
        raise ImproperlyConfigured(
            f"{module} mounts test-only routes and runs only under the test suite or a benchmark, which set "
            f"{TEST_SETTINGS_OPT_IN}=on. A deployment uses DJANGO_SETTINGS_MODULE=prepnexus.settings."
        )
    if https:
        raise ImproperlyConfigured(
            f"{module} mounts test-only routes and refuses to run with DJANGO_HTTPS=on (a deployment)."
        )
