"""Tell whether a PostgreSQL or Redis URL answers, creating the PostgreSQL database if needed.

probe.py postgres URL   exit 0 when the server answers (and the database exists or was created)
probe.py redis URL      exit 0 when Redis answers PING
probe.py redact URL     print the URL without its password
"""

import sys
from urllib.parse import urlsplit, urlunsplit


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def postgres(url: str) -> bool:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    dbname = parts.path.lstrip("/") or "postgres"
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, connect_timeout=2, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
                print(f"==> created database {dbname}")
        return True
    except psycopg.Error:
        return False


def redis(url: str) -> bool:
    import redis as redis_lib

    try:
        return bool(redis_lib.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis_lib.RedisError:
        return False


if __name__ == "__main__":
    kind, url = sys.argv[1], sys.argv[2]
    if kind == "redact":
        print(redact(url))
        sys.exit(0)
    sys.exit(0 if {"postgres": postgres, "redis": redis}[kind](url) else 1)
