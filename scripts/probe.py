"""Tell whether a PostgreSQL or Redis URL answers, creating the PostgreSQL database if needed.

probe.py postgres URL   exit 0 when the server answers (and the database exists or was created)
probe.py redis URL      exit 0 when Redis answers PING
probe.py redact URL     print the URL without its password
probe.py app-role URL   print the URL the app should use: URL itself when its role is an ordinary one;
                        when it is a superuser or BYPASSRLS role (which row-level security never binds),
                        the URL of an ordinary role (APP_DB_ROLE, default <database>_app; password
                        APP_DB_PASSWORD) that it
                        creates and makes the owner of the database and everything in it
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


def app_role(url: str) -> str:
    import os

    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    dbname = parts.path.lstrip("/") or "postgres"
    # One role per database, so two checkouts on one server never reset each other's password.
    role = os.environ.get("APP_DB_ROLE") or f"{dbname}_app"
    password = os.environ["APP_DB_PASSWORD"]
    if dbname in ("postgres", "template0", "template1"):
        sys.exit(
            f"{dbname} is the server's own database: point DATABASE_URL at a database of PrepNexus's own"
        )
    with psycopg.connect(url, connect_timeout=2, autocommit=True) as conn:
        powerful = conn.execute(
            "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
        ).fetchone()[0]
        if not powerful:
            return url
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN CREATEDB NOSUPERUSER NOBYPASSRLS PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
            print(f"==> created the ordinary database role {role} for the app", file=sys.stderr)
        else:
            conn.execute(
                sql.SQL("ALTER ROLE {} LOGIN CREATEDB NOSUPERUSER NOBYPASSRLS PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
        # The monitoring pages read pg_stat_activity and pg_stat_statements of every session.
        conn.execute(sql.SQL("GRANT pg_monitor TO {}").format(sql.Identifier(role)))
        conn.execute(
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(dbname), sql.Identifier(role))
        )
    # A database created before the app had its own role: hand its objects to the app's role.
    with psycopg.connect(url, connect_timeout=2, autocommit=True) as conn:
        conn.execute(
            sql.SQL("""
            DO $$
            DECLARE r record;
            BEGIN
              FOR r IN SELECT c.relname, c.relkind
                         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S', 'v', 'm', 'p')
                          AND pg_get_userbyid(c.relowner) <> {role}
                          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                          WHERE d.objid = c.oid AND d.deptype = 'e') LOOP
                EXECUTE format('ALTER %s public.%I OWNER TO %I',
                  CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                                 WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, r.relname, {role});
              END LOOP;
              FOR r IN SELECT p.oid::regprocedure AS sig
                         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                        WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> {role}
                          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                          WHERE d.objid = p.oid AND d.deptype = 'e') LOOP
                EXECUTE format('ALTER ROUTINE %s OWNER TO %I', r.sig, {role});
              END LOOP;
            END $$""").format(role=sql.Literal(role))
        )
    netloc = f"{role}:{password}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


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
    if kind == "app-role":
        print(app_role(url))
        sys.exit(0)
    sys.exit(0 if {"postgres": postgres, "redis": redis}[kind](url) else 1)
