"""Pieces of the DATABASES setting that take more than a line: read replicas and PgBouncer mode."""

import environ
from django.core.exceptions import ImproperlyConfigured


def replica_databases(urls: list[str], *, primary: dict) -> dict[str, dict]:
    """One alias per replica URL (replica1, replica2, ...), pooled and checked like the primary."""
    replicas = {}
    for number, url in enumerate(urls, start=1):
        replica = environ.Env.db_url_config(url)
        if replica["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured("DATABASE_REPLICA_URLS must point at PostgreSQL servers.")
        replica.update(
            {
                "CONN_MAX_AGE": primary["CONN_MAX_AGE"],
                "CONN_HEALTH_CHECKS": primary["CONN_HEALTH_CHECKS"],
                "OPTIONS": {**primary["OPTIONS"], "pool": dict(primary["OPTIONS"]["pool"])},
                # Tests run against one database: a replica alias mirrors the primary's test database.
                "TEST": {"MIRROR": "default"},
            }
        )
        replicas[f"replica{number}"] = replica
    return replicas


def use_pgbouncer(databases: dict[str, dict], *, conn_max_age: int) -> None:
    """PgBouncer in transaction mode owns pooling: no pool of ours, no server-side cursors, no prepared
    statements across pooled transactions."""
    for db in databases.values():
        db["OPTIONS"].pop("pool", None)
        db["CONN_MAX_AGE"] = conn_max_age
        db["DISABLE_SERVER_SIDE_CURSORS"] = True
        db["OPTIONS"]["prepare_threshold"] = None
