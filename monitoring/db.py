"""The connection class the PostgreSQL pool uses. It adds two things to psycopg's Connection:

- A failed connection attempt opens the circuit breaker. The pool connects in its own worker threads and
  otherwise only logs the failure, so each request would wait out DB_POOL_TIMEOUT before anyone learned
  that PostgreSQL is gone.
- After a restart every idle connection in the pool is dead. The pool's health check before lending one
  (CONN_HEALTH_CHECKS: `conn.execute("")`) finds them one at a time and sleeps with back-off (1 s, 2 s,
  ...) between them, so a request could spend its whole pool timeout there. When that check fails, the
  pool checks all its idle connections at once instead: its retry then gets a fresh connection or, if the
  server is really gone, the failed reconnect opens the breaker.
"""

import threading

import psycopg

_sweeping = threading.local()


class MonitoredConnection(psycopg.Connection):
    @classmethod
    def connect(cls, *args, **kwargs):
        try:
            return super().connect(*args, **kwargs)
        except psycopg.OperationalError as exc:
            # app-loading: settings.py names this class, so importing the breaker (django.db, the cache,
            # metrics) at the top would run while the settings are still being read.
            from monitoring.breaker import breaker, is_database_unavailable

            if is_database_unavailable(exc):
                breaker.record_failure(exc)
            raise

    def execute(self, query, params=None, *, prepare=None, binary=False):
        if query != "":
            return super().execute(query, params, prepare=prepare, binary=binary)
        try:  # the pool's health check
            return super().execute(query, params, prepare=prepare, binary=binary)
        except psycopg.Error:
            pool = getattr(self, "_pool", None)
            if pool is not None and not getattr(_sweeping, "active", False):
                _sweeping.active = True
                try:
                    pool.check()
                finally:
                    _sweeping.active = False
            raise
