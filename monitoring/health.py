"""Health checks for load balancers: which dependency is critical, and how long each may take."""

import dataclasses
import datetime

from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable

from .breaker import breaker, is_database_unavailable

CHECK_TIMEOUT = datetime.timedelta(seconds=1)  # + 1 s grace inside django-health-check = 2 s box


@dataclasses.dataclass
class TimedDatabase(Database):
    timeout = CHECK_TIMEOUT

    def run(self):
        try:
            super().run()
        except ServiceUnavailable as exc:
            if is_database_unavailable(exc.__cause__):
                breaker.record_failure(exc.__cause__)
            raise


@dataclasses.dataclass
class TimedCache(Cache):
    timeout = CHECK_TIMEOUT


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Fail when the code expects migrations the database has not applied."""

    alias: str = "default"
    timeout = CHECK_TIMEOUT

    def run(self):
        try:
            executor = MigrationExecutor(connections[self.alias])
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception as exc:  # any database error means we cannot tell
            raise ServiceUnavailable("Could not read migration state") from exc
        finally:
            connections[self.alias].close()
        if plan:
            raise ServiceUnavailable(f"{len(plan)} migration(s) not applied")


CRITICAL = (TimedDatabase, Migrations)
DEGRADED = (TimedCache,)
