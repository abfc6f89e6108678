"""A per-process circuit breaker in front of PostgreSQL.

Closed: requests use the database as usual. The first error that means "the database cannot be reached"
(refused or lost connection, pool timeout, server shutting down) opens it. Open: requests are answered
with a 503 at once instead of each waiting out a connect or pool timeout. Only in the first
DB_BREAKER_GRACE seconds does a request wait, at most DB_BREAKER_WAIT seconds, for the database to come
back, so a fast restart looks like a short pause rather than a burst of errors.
Half-open: one background thread probes PostgreSQL every DB_BREAKER_PROBE_INTERVAL seconds with a
direct connection (never through the pool). The first successful probe replaces the connection pool,
whose dead connections and reconnect back-off would otherwise delay recovery, and closes the breaker.
Each outage (when it opened, when it closed) is written to Redis for the operators' alert
(monitoring/outages.py), since PostgreSQL cannot take it while it is down.
"""

import logging
import threading
import time

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db import utils as db_utils
from psycopg_pool import PoolClosed

from . import metrics, outages

logger = logging.getLogger("prepnexus.breaker")

CLOSED, OPEN = "closed", "open"
# SQLSTATE classes that mean the server is going away or not accepting connections.
_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")


def is_database_unavailable(exc: BaseException | None) -> bool:
    """True for errors that mean PostgreSQL cannot be reached, not for errors in one query."""
    if not isinstance(exc, (db_utils.OperationalError, db_utils.InterfaceError, psycopg.Error)):
        return False
    cause = exc.__cause__ if isinstance(exc.__cause__, psycopg.Error) else exc
    if not isinstance(cause, psycopg.Error):
        # Django's own InterfaceError ("connection already closed") has no driver error behind it.
        return isinstance(exc, db_utils.InterfaceError)
    if type(cause).__module__.startswith("psycopg_pool"):
        return True  # PoolTimeout, PoolClosed, TooManyRequests
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is None:
        # Raised by the client library: connection refused, reset, or closed under it.
        return isinstance(cause, (psycopg.OperationalError, psycopg.InterfaceError))
    return sqlstate.startswith(_UNAVAILABLE_SQLSTATES)


def _closed_by_us(exc: BaseException | None) -> bool:
    return isinstance(exc, PoolClosed) or isinstance(getattr(exc, "__cause__", None), PoolClosed)


def _close_pool(pool) -> None:
    """Close a dropped pool and fail every client waiting on it now, not when its pool timeout ends.

    timeout=0 fails the waiters at once instead of after the pool's worker threads stop. A client that
    was between retries inside getconn() may still queue on the closed pool afterwards; psycopg-pool
    (3.3) never wakes it, so for one pool timeout we fail such stragglers too. The middleware retries
    safe requests once the database is back.
    """
    pool.close(timeout=0)
    deadline = time.monotonic() + float(getattr(pool, "timeout", 2.0))
    lock, waiting = getattr(pool, "_lock", None), getattr(pool, "_waiting", None)
    if lock is None or waiting is None:
        return
    while time.monotonic() < deadline:
        with lock:
            stragglers = list(waiting)
            waiting.clear()
        for client in stragglers:
            client.fail(PoolClosed(f"the pool {pool.name!r} is closed"))
        time.sleep(0.02)


class CircuitBreaker:
    def __init__(self, alias: str = DEFAULT_DB_ALIAS):
        self.alias = alias
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.state = CLOSED
        self.opened_at = 0.0
        self.opened_wall, self.opened_error = 0.0, ""  # for the outage record: when, and the error
        self.failures = 0  # times the breaker opened, for metrics
        self.last_error = ""
        self._probe_thread: threading.Thread | None = None

    # --- settings, read on use so tests can override them ---
    @property
    def wait_seconds(self) -> float:
        return float(getattr(settings, "DB_BREAKER_WAIT", 0.6))

    @property
    def grace_seconds(self) -> float:
        return float(getattr(settings, "DB_BREAKER_GRACE", 2.0))

    @property
    def probe_interval(self) -> float:
        return float(getattr(settings, "DB_BREAKER_PROBE_INTERVAL", 0.1))

    @property
    def retry_after(self) -> int:
        return int(getattr(settings, "DB_BREAKER_RETRY_AFTER", 5))

    def is_open(self) -> bool:
        return self.state == OPEN

    def allow(self, started: float | None = None) -> bool:
        """May this request use the database?

        While open: during the first grace_seconds after opening (a restart in progress), a request waits
        up to wait_seconds from its own start (`started`, time.monotonic()) for the database to return;
        after that every request is refused at once.
        """
        if self.state == CLOSED:
            return True
        with self.lock:
            now = time.monotonic()
            deadline = min(
                (now if started is None else started) + self.wait_seconds, self.opened_at + self.grace_seconds
            )
            while self.state == OPEN:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.changed.wait(remaining)
            return True

    def record_failure(self, exc: BaseException | None = None) -> None:
        if _closed_by_us(exc):
            return  # the pool was dropped by this breaker, which says nothing new about the database
        with self.lock:
            if exc is not None:
                self.last_error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:200]}"
            if self.state == OPEN:
                # A pool made since the breaker opened (a health probe still running) fails the same way:
                # release its waiters too.
                self._reset_pool()
                return
            self.state = OPEN
            self.opened_at, self.opened_wall, self.opened_error = (
                time.monotonic(),
                time.time(),
                self.last_error,
            )
            self.failures += 1
            metrics.DB_CIRCUIT_OPEN.set(1)
            metrics.DB_CIRCUIT_TRIPS.inc()
            logger.warning(
                "database unreachable; circuit breaker open",
                extra={"alias": self.alias, "error": self.last_error},
            )
            # Clients already waiting on the pool would each wait out DB_POOL_TIMEOUT: release them now.
            self._reset_pool()
            # Off the request's path and the probe's: Redis may be slow or down as well.
            threading.Thread(
                target=outages.outage_opened,
                kwargs={"opened_at": self.opened_wall, "error": self.opened_error},
                name="db-breaker-record",
                daemon=True,
            ).start()
            if self._probe_thread is None or not self._probe_thread.is_alive():
                self._probe_thread = threading.Thread(
                    target=self._probe_until_reachable, name="db-breaker-probe", daemon=True
                )
                self._probe_thread.start()

    def _close(self) -> None:
        with self.lock:
            if self.state == CLOSED:
                return
            self.state = CLOSED
            metrics.DB_CIRCUIT_OPEN.set(0)
            down_for = time.monotonic() - self.opened_at
            self.changed.notify_all()
        logger.warning(
            "database reachable again; circuit breaker closed",
            extra={"alias": self.alias, "down_seconds": round(down_for, 3)},
        )

    def _probe(self) -> bool:
        params = connections[self.alias].get_connection_params()
        for key in ("pool", "cursor_factory", "context", "prepare_threshold"):
            params.pop(key, None)
        params["connect_timeout"] = max(1, min(int(params.get("connect_timeout") or 2), 2))
        try:
            with psycopg.connect(**params, autocommit=True) as conn:
                conn.execute("SELECT 1")
        except psycopg.Error as exc:
            self.last_error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:200]}"
            return False
        return True

    def _reset_pool(self) -> None:
        """Drop the pool; the next query opens a fresh one without dead connections or back-off."""
        pools = getattr(type(connections[self.alias]), "_connection_pools", {})
        old = pools.pop(self.alias, None)
        if old is not None:
            threading.Thread(target=_close_pool, args=(old,), daemon=True).start()

    def _probe_until_reachable(self) -> None:
        try:
            while self.state == OPEN:
                time.sleep(self.probe_interval)
                if self._probe():
                    outage = {"opened_at": self.opened_wall, "error": self.opened_error}
                    self._reset_pool()
                    self._close()
                    # In a thread of its own: this one must end at once, or a new outage would find it
                    # alive and start no probe.
                    outage["closed_at"] = time.time()
                    threading.Thread(
                        target=outages.outage_closed, kwargs=outage, name="db-breaker-record", daemon=True
                    ).start()
                    return
        finally:
            connections.close_all()  # this thread's own Django connections, if any


breaker = CircuitBreaker()
