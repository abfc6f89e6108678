"""Django's PostgreSQL backend, with the pool connecting through monitoring.db.MonitoredConnection.

Settings select it (ENGINE = "monitoring.backend") in the monitoring block; everything else is Django's.
"""

from django.db.backends.postgresql import base

from monitoring.db import MonitoredConnection


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self):
        pool = super().pool
        # Django creates the pool unopened; swap the class before its first connection attempt.
        if pool is not None and pool.connection_class is not MonitoredConnection:
            pool.connection_class = MonitoredConnection
        return pool
