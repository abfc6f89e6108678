"""The connection class the PostgreSQL pool uses: it tells the circuit breaker when connecting fails.

The pool connects in its own worker threads and otherwise only says so in a log line; without this hook
requests would each wait out DB_POOL_TIMEOUT before anyone learned that PostgreSQL is gone.
"""

import psycopg


class MonitoredConnection(psycopg.Connection):
    @classmethod
    def connect(cls, *args, **kwargs):
        try:
            return super().connect(*args, **kwargs)
        except psycopg.OperationalError as exc:
            from monitoring.breaker import breaker, is_database_unavailable

            if is_database_unavailable(exc):
                breaker.record_failure(exc)
            raise
