"""Reads from PostgreSQL's statistics views for the database health API and `manage.py db_report`.

Every query runs under a 2 s statement_timeout, so a report never hangs a worker.
"""

import time
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

STATEMENT_TIMEOUT_MS = 2000
LARGEST_TABLES = 10


@contextmanager
def _cursor(alias: str = DEFAULT_DB_ALIAS):
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")
        yield cursor


def _rows(cursor, sql: str, params=None) -> list[dict]:
    cursor.execute(sql, params)
    names = [col.name for col in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _one(cursor, sql: str, params=None):
    cursor.execute(sql, params)
    return cursor.fetchone()[0]


def _ratio(value) -> float | None:
    return None if value is None else round(float(value), 4)


def pool_stats(alias: str = DEFAULT_DB_ALIAS) -> dict | None:
    """This process's psycopg pool: size, idle and waiting clients (None without a pool)."""
    pool = getattr(connections[alias], "pool", None)
    if pool is None:
        return None
    stats = pool.get_stats()
    return {
        "size": stats.get("pool_size", 0),
        "idle": stats.get("pool_available", 0),
        "waiting": stats.get("requests_waiting", 0),
        "min": stats.get("pool_min"),
        "max": stats.get("pool_max"),
    }


def connection_usage(cursor) -> dict:
    row = _rows(
        cursor,
        """
        SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS used,
               current_setting('max_connections')::int AS max,
               current_setting('superuser_reserved_connections')::int AS reserved
        """,
    )[0]
    row["ratio"] = round(row["used"] / row["max"], 3) if row["max"] else None
    return row


def connections_in_use() -> dict:
    """Connections in use on the server against max_connections (the operators' alert check)."""
    with _cursor() as cursor:
        return connection_usage(cursor)


def database_cache_hit_ratio(cursor) -> float | None:
    return _ratio(
        _one(
            cursor,
            """
            SELECT sum(blks_hit)::float / nullif(sum(blks_hit) + sum(blks_read), 0)
            FROM pg_stat_database WHERE datname = current_database()
            """,
        )
    )


def largest_tables(cursor, limit: int = LARGEST_TABLES) -> list[dict]:
    return _rows(
        cursor,
        """
        SELECT n.nspname AS schema, c.relname AS table, pg_total_relation_size(c.oid) AS total_bytes,
               (CASE WHEN c.reltuples < 0 THEN coalesce(s.n_live_tup, 0) ELSE c.reltuples END)::bigint
                   AS row_estimate
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
        WHERE c.relkind IN ('r', 'm', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg_toast%%'
        ORDER BY total_bytes DESC, c.relname LIMIT %s
        """,
        [limit],
    )


def long_running_queries(cursor, min_seconds: float | None = None) -> list[dict]:
    if min_seconds is None:
        min_seconds = settings.MONITORING_LONG_QUERY_SECONDS
    rows = _rows(
        cursor,
        """
        SELECT pid, usename AS user, application_name, state,
               extract(epoch FROM now() - query_start)::float AS seconds, left(query, 300) AS query
        FROM pg_stat_activity
        WHERE datname = current_database() AND state <> 'idle' AND pid <> pg_backend_pid()
          AND backend_type = 'client backend'
          AND query_start < now() - make_interval(secs => %s)
        ORDER BY query_start LIMIT 20
        """,
        [min_seconds],
    )
    for row in rows:
        row["seconds"] = round(row["seconds"], 1)
    return rows


def standbys(cursor) -> list[dict]:
    """Replicas streaming from this server, as the primary sees them."""
    rows = _rows(
        cursor,
        """
        SELECT application_name, client_addr::text AS client_addr, state,
               extract(epoch FROM replay_lag)::float AS replay_lag_seconds,
               pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint AS replay_lag_bytes
        FROM pg_stat_replication ORDER BY application_name
        """,
    )
    return rows


def replica_status() -> list[dict]:
    """Every configured database alias except the primary, with its replication lag."""
    replicas = []
    for alias in settings.DATABASES:
        if alias == DEFAULT_DB_ALIAS:
            continue
        entry = {"alias": alias, "ok": False, "in_recovery": None, "lag_seconds": None, "error": None}
        started = time.perf_counter()
        try:
            with _cursor(alias) as cursor:
                cursor.execute(
                    """
                    SELECT pg_is_in_recovery(),
                           CASE WHEN NOT pg_is_in_recovery() THEN NULL
                                WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                                ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())
                           END
                    """
                )
                in_recovery, lag = cursor.fetchone()
            entry.update(ok=True, in_recovery=in_recovery, lag_seconds=_ratio(lag))
        except Exception as exc:  # a replica being down degrades the report; it is not our outage
            entry["error"] = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:200]}"
        entry["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
        replicas.append(entry)
    return replicas


def database_health() -> dict:
    """The payload of GET /api/monitoring/database/health."""
    started = time.perf_counter()
    with _cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
        latency_ms = round((time.perf_counter() - started) * 1000, 2)
        version = _one(cursor, "SHOW server_version")
        payload = {
            "status": "ok",
            "latency_ms": latency_ms,
            "server_version": version,
            "pool": pool_stats(),
            "connections": connection_usage(cursor),
            "database_size_bytes": _one(cursor, "SELECT pg_database_size(current_database())"),
            "largest_tables": largest_tables(cursor),
            "cache_hit_ratio": database_cache_hit_ratio(cursor),
            "long_running_queries": long_running_queries(cursor),
            "standbys": standbys(cursor),
        }
    payload["replicas"] = replica_status()
    if any(not replica["ok"] for replica in payload["replicas"]):
        payload["status"] = "degraded"
    return payload


def db_report() -> dict:
    """Everything `manage.py db_report` prints."""
    with _cursor() as cursor:
        tables = _rows(
            cursor,
            """
            SELECT s.schemaname AS schema, s.relname AS table,
                   (CASE WHEN c.reltuples < 0 THEN s.n_live_tup ELSE c.reltuples END)::bigint AS row_estimate,
                   pg_total_relation_size(s.relid) AS total_bytes,
                   pg_relation_size(s.relid) AS table_bytes,
                   pg_indexes_size(s.relid) AS index_bytes,
                   s.seq_scan, coalesce(s.idx_scan, 0) AS idx_scan,
                   s.n_live_tup AS live_tuples, s.n_dead_tup AS dead_tuples,
                   s.last_autovacuum, s.last_vacuum
            FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
            ORDER BY total_bytes DESC, s.relname
            """,
        )
        for table in tables:
            live, dead = table["live_tuples"], table["dead_tuples"]
            ratio = dead / (live + dead) if live + dead else 0.0
            table["bloat_ratio_estimate"] = round(ratio, 3)
            table["bloat_bytes_estimate"] = int(table["table_bytes"] * ratio)
            for key in ("last_autovacuum", "last_vacuum"):
                table[key] = table[key].isoformat() if table[key] else None
        indexes = _rows(
            cursor,
            """
            SELECT s.schemaname AS schema, s.relname AS table, s.indexrelname AS index,
                   pg_relation_size(s.indexrelid) AS bytes, s.idx_scan AS scans,
                   i.indisunique AS is_unique, i.indisprimary AS is_primary
            FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
            ORDER BY s.relname, s.indexrelname
            """,
        )
        cache = _rows(
            cursor,
            """
            SELECT (SELECT sum(heap_blks_hit)::float / nullif(sum(heap_blks_hit) + sum(heap_blks_read), 0)
                    FROM pg_statio_user_tables) AS tables,
                   (SELECT sum(idx_blks_hit)::float / nullif(sum(idx_blks_hit) + sum(idx_blks_read), 0)
                    FROM pg_statio_user_indexes) AS indexes
            """,
        )[0]
        report = {
            "database": connections[DEFAULT_DB_ALIAS].settings_dict["NAME"],
            "server_version": _one(cursor, "SHOW server_version"),
            "database_size_bytes": _one(cursor, "SELECT pg_database_size(current_database())"),
            "connections": connection_usage(cursor),
            "cache_hit_ratio": {
                "database": database_cache_hit_ratio(cursor),
                "tables": _ratio(cache["tables"]),
                "indexes": _ratio(cache["indexes"]),
            },
            "tables": tables,
            "indexes": indexes,
            "unused_indexes": [
                index
                for index in indexes
                if index["scans"] == 0 and not index["is_unique"] and not index["is_primary"]
            ],
            "long_running_queries": long_running_queries(cursor),
            "standbys": standbys(cursor),
        }
    report["replicas"] = replica_status()
    return report
