from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created


def _force_debug_cursor(sender, connection, **kwargs):
    # Django logs queries (with their duration) only through its debug cursor.
    connection.force_debug_cursor = True


class MonitoringConfig(AppConfig):
    name = "monitoring"

    def ready(self):
        if settings.SQL_DEBUG:
            connection_created.connect(_force_debug_cursor, dispatch_uid="monitoring-sql-debug")
