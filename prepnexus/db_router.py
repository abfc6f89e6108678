"""Read replicas with read-your-writes.

Inside a request, reads go to a healthy replica and writes to the primary. Everything else reads from the
primary: unsafe methods (POST, ...), reads after a write in the same request, reads inside
`transaction.atomic` (so read-modify-write in services sees the primary), the learner's requests for
REPLICA_PIN_SECONDS after one of theirs wrote (signed cookie), and code outside requests (management
commands, shells). A replica that is unreachable or lags more than REPLICA_MAX_LAG_SECONDS is skipped;
a safe request whose replica fails mid-way is run again on the primary.

Installed by settings only when DATABASE_REPLICA_URLS is set; without replicas nothing here runs.
"""

import contextlib
import dataclasses
import logging
import random
import threading
import time
from contextvars import ContextVar

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse

log = logging.getLogger("prepnexus.db")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
PIN_SALT = "prepnexus.replica-pin"

LAG_SQL = """
SELECT pg_is_in_recovery(),
       CASE WHEN NOT pg_is_in_recovery() THEN 0
            WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9)
       END
"""


@dataclasses.dataclass
class RequestState:
    primary_only: bool = False
    wrote: bool = False
    replica: str | None = None  # chosen on the request's first read, then kept for the whole request
    replica_failed: bool = False


_state: ContextVar[RequestState | None] = ContextVar("prepnexus_db_state", default=None)


@dataclasses.dataclass
class _Status:
    healthy: bool
    checked_at: float
    detail: str


class ReplicaHealth:
    """Per-process cache of each replica's health, refreshed at most every REPLICA_HEALTH_CHECK_SECONDS."""

    def __init__(self):
        self._status: dict[str, _Status] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, alias: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(alias, threading.Lock())

    def is_healthy(self, alias: str) -> bool:
        status = self._status.get(alias)
        if status and time.monotonic() - status.checked_at < settings.REPLICA_HEALTH_CHECK_SECONDS:
            return status.healthy
        lock = self._lock(alias)
        if not lock.acquire(blocking=False):
            # Another thread is probing; use what we knew (unknown counts as unhealthy).
            return bool(status and status.healthy)
        try:
            healthy, detail = self.probe(alias)
            if status is None or healthy != status.healthy:
                log.log(logging.INFO if healthy else logging.WARNING, "replica %s: %s", alias, detail)
            self._status[alias] = _Status(healthy, time.monotonic(), detail)
            return healthy
        finally:
            lock.release()

    def mark_down(self, alias: str, detail: str) -> None:
        log.warning("replica %s: %s", alias, detail)
        self._status[alias] = _Status(False, time.monotonic(), detail)

    def probe(self, alias: str) -> tuple[bool, str]:
        """Connect with short timeouts and read the replay lag; (healthy, why)."""
        db = connections.settings[alias]
        timeout = settings.REPLICA_HEALTH_CHECK_TIMEOUT
        params = {
            "host": db["HOST"] or "127.0.0.1",
            "port": db["PORT"] or 5432,
            "dbname": db["NAME"],
            "user": db["USER"] or None,
            "password": db["PASSWORD"] or None,
            "connect_timeout": max(1, round(timeout)),
            "application_name": "prepnexus-replica-check",
        }
        try:
            with (
                psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn,
                conn.transaction(),
            ):
                # SET LOCAL, not a startup option: PgBouncer refuses startup options.
                conn.execute(f"SET LOCAL statement_timeout = {int(timeout * 1000)}")
                in_recovery, lag = conn.execute(LAG_SQL).fetchone()
        except psycopg.Error as exc:
            return False, f"unreachable ({exc.__class__.__name__})"
        lag = float(lag)
        if lag > settings.REPLICA_MAX_LAG_SECONDS:
            return False, f"lags {lag:.1f}s (> {settings.REPLICA_MAX_LAG_SECONDS}s)"
        return True, f"healthy (in recovery: {in_recovery}, lag {lag:.1f}s)"


health = ReplicaHealth()


def choose_replica() -> str:
    """A healthy replica's alias, or the primary's when none is healthy."""
    healthy = [alias for alias in settings.DATABASE_REPLICAS if health.is_healthy(alias)]
    return random.choice(healthy) if healthy else DEFAULT_DB_ALIAS


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        state = _state.get()
        if (
            state is None
            or state.primary_only
            or state.wrote
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        if state.replica is None:
            state.replica = choose_replica()
        return state.replica

    def db_for_write(self, model, **hints):
        state = _state.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # replicas hold the same data as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def is_pinned(request) -> bool:
    return (
        request.get_signed_cookie(
            settings.REPLICA_PIN_COOKIE, default=None, salt=PIN_SALT, max_age=settings.REPLICA_PIN_SECONDS
        )
        is not None
    )


def _replica_broke(state: RequestState | None, exception: Exception) -> bool:
    return (
        state is not None
        and state.replica not in (None, DEFAULT_DB_ALIAS)
        and isinstance(exception, OperationalError | InterfaceError)
        and connections[state.replica].errors_occurred
    )


class ReplicaMiddleware:
    """Scopes routing to the request, pins the learner to the primary after a write, fails over reads."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        safe = request.method in SAFE_METHODS
        state = RequestState(primary_only=not safe or is_pinned(request))
        token = _state.set(state)
        try:
            response = self.get_response(request)
            if state.replica_failed and safe and not state.wrote:
                # The replica died after its last health check; nothing was written, so run it again.
                health.mark_down(state.replica, "failed during a request; retried on the primary")
                with contextlib.suppress(DatabaseError):
                    connections[state.replica].close()
                state.replica, state.primary_only, state.replica_failed = None, True, False
                response = self.get_response(request)
        finally:
            _state.reset(token)
        if state.wrote:
            response.set_signed_cookie(
                settings.REPLICA_PIN_COOKIE,
                "1",
                salt=PIN_SALT,
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_exception(self, request, exception):
        state = _state.get()
        if not _replica_broke(state, exception):
            return None
        state.replica_failed = True
        # Replaced by the retry in __call__; served only when the retry is not safe.
        response = HttpResponse("The database is briefly unavailable; please retry.\n", status=503)
        response["Retry-After"] = "1"
        return response
