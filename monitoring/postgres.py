"""PostgreSQL for the backup and restore commands: connections, client tools matched to the server,
and what a database holds (tables, row fingerprints, applied migrations)."""

import glob
import hashlib
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import psycopg
from django.conf import settings
from psycopg import pq, sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from practice.tenancy import operator_connection_options

# Every connection keyword the linked libpq knows (sslmode, sslrootcert, sslcert, sslkey, sslcrl, sslsni,
# channel_binding, require_auth, target_session_attrs, ...): what a database URL or Django's OPTIONS may
# carry through to pg_dump, pg_restore and our own connections.
_LIBPQ_KEYWORDS = frozenset(option.keyword.decode() for option in pq.Conninfo.get_defaults())
# Set by the settings for the site's own connections; the backup commands choose their own.
_SITE_ONLY_OPTIONS = frozenset({"application_name", "connect_timeout"})
# Never on a command line (visible in ps): the password goes through PGPASSWORD; the others have no
# environment variable, so a tool cannot be given them safely.
_SECRET_KEYWORDS = frozenset({"sslpassword", "oauth_client_secret", "scram_client_key", "scram_server_key"})
_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema")

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore step failed; the message says which and why."""


def quiet(message: str) -> None:
    """A Progress that says nothing."""


# --- connections and tools ---------------------------------------------------------------------------


def default_database_url() -> str:
    """The URL of Django's default database, as its settings name it right now (tests switch the name).

    libpq options from DATABASE_URL (sslmode, sslrootcert, sslcert, sslkey, ...) come along in the query
    string, so a backup connects exactly as securely as the site does.
    """
    db = settings.DATABASES["default"]
    auth = quote(db.get("USER") or "postgres", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    options = {
        key: str(value)
        for key, value in (db.get("OPTIONS") or {}).items()
        if key in _LIBPQ_KEYWORDS and key not in _SITE_ONLY_OPTIONS and value is not None
    }
    host = db.get("HOST") or "127.0.0.1"
    if host.startswith("/"):  # a Unix socket directory
        options["host"] = host
        location = f"postgres://{auth}@/{quote(db['NAME'], safe='')}"
    else:
        location = f"postgres://{auth}@{host}:{db.get('PORT') or 5432}/{quote(db['NAME'], safe='')}"
    return location + ("?" + urlencode(options, quote_via=quote) if options else "")


def describe(url: str) -> str:
    """host:port/dbname of a database URL, without its credentials, for messages."""
    params = conninfo_to_dict(url)
    return f"{params.get('host', 'localhost')}:{params.get('port', 5432)}/{params.get('dbname', '')}"


def tool_connection(url: str) -> tuple[str, dict[str, str]]:
    """How pg_dump/pg_restore reach URL: (a --dbname connection string, their environment).

    The connection string carries every option of the URL (TLS included) except the password, which goes
    through PGPASSWORD. The operator's PG* variables (PGSSLMODE, PGSSLROOTCERT, PGSERVICE, ...) stay in
    the environment, as they do for our own psycopg connections, so both connect the same way.
    """
    params = {key: value for key, value in conninfo_to_dict(url).items() if value is not None}
    secrets = sorted(params.keys() & _SECRET_KEYWORDS)
    if secrets:
        raise BackupError(
            f"{', '.join(secrets)} in the database URL cannot be handed to pg_dump/pg_restore without "
            "showing it to every local user; use a client key file without a passphrase, readable only "
            "by this user"
        )
    env = dict(os.environ)
    params["options"] = _operator_options(url)
    password = params.pop("password", None)
    if password is not None:
        env["PGPASSWORD"] = str(password)
    return make_conninfo(**{key: str(value) for key, value in params.items()}), env


def _operator_options(url: str) -> str:
    """libpq options of URL plus the institution policies' operator bypass: backups and restores copy
    every institution's rows (the one explicit path past row-level security; see practice/tenancy.py)."""
    return " ".join(
        filter(
            None,
            [
                conninfo_to_dict(url).get("options"),
                operator_connection_options(reason="backup or restore connection"),
            ],
        )
    )


def connect(url: str, **kwargs) -> psycopg.Connection:
    try:
        return psycopg.connect(
            url,
            connect_timeout=10,
            application_name="prepnexus-backup",
            options=_operator_options(url),
            **kwargs,
        )
    except psycopg.OperationalError as exc:
        raise BackupError(f"cannot connect to {describe(url)}: {str(exc).strip()}") from exc


def url_dbname(url: str) -> str:
    return conninfo_to_dict(url).get("dbname") or "postgres"


def with_dbname(url: str, name: str) -> str:
    """URL naming another database on the same server, with the same credentials and options (TLS)."""
    parts = urlsplit(url)
    if parts.scheme in ("postgres", "postgresql"):
        return urlunsplit(parts._replace(path="/" + quote(name, safe="")))
    return make_conninfo(url, dbname=name)


def server_major(conn: psycopg.Connection) -> int:
    return conn.info.server_version // 10000


def _tool_major(path: str) -> int | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10).stdout
    except OSError:
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match[1]) if match else None


def find_pg_tool(name: str, major: int) -> str:
    """The pg_dump/pg_restore that can handle a server of this major version, preferring the same major.

    PG_BINDIR pins the directory. Otherwise Debian's /usr/lib/postgresql/<major>/bin comes first, then a
    newer installed major, then PATH. An older tool cannot read a newer server, so it is never used.
    """
    pinned = getattr(settings, "PG_BINDIR", "")
    if pinned:
        candidates = [os.path.join(pinned, name)]
    else:
        versioned = [p for p in glob.glob(f"/usr/lib/postgresql/*/bin/{name}") if p.split("/")[-3].isdigit()]
        # The server's own major first, then newer ones from the oldest up.
        candidates = sorted(versioned, key=lambda p: (int(p.split("/")[-3]) != major, int(p.split("/")[-3])))
        on_path = shutil.which(name)
        if on_path:
            candidates.append(on_path)
    looked = []
    for candidate in candidates:
        if not os.access(candidate, os.X_OK):
            looked.append(f"{candidate} (missing)")
            continue
        found = _tool_major(candidate)
        if found is not None and found >= major:
            return candidate
        looked.append(f"{candidate} (version {found})")
    raise BackupError(
        f"{name} for PostgreSQL {major} not found (looked at: {', '.join(looked) or 'nothing'}). "
        f"Install postgresql-client-{major} or set PG_BINDIR to the directory holding {name} {major} "
        "or newer."
    )


# --- whole databases: scratch copies and the swap -----------------------------------------------------


@contextmanager
def maintenance(url: str) -> Iterator[psycopg.Connection]:
    """An autocommit connection to the server's maintenance database, where databases are created,
    renamed and dropped (never to the database being replaced)."""
    target, failure = url_dbname(url), None
    for name in ("postgres", "template1"):
        if name == target:
            continue
        try:
            conn = connect(with_dbname(url, name), autocommit=True)
        except BackupError as exc:
            failure = exc
            continue
        with conn:
            yield conn
        return
    raise failure or BackupError(f"no maintenance database to connect to beside {describe(url)}")


def database_create_like(conn: psycopg.Connection, *, name: str, like: str) -> None:
    """An empty database NAME with the encoding, collation and owner of the database LIKE."""
    encoding, collate, ctype, owner, me = conn.execute(
        "SELECT pg_encoding_to_char(encoding), datcollate, datctype, pg_get_userbyid(datdba), current_user "
        "FROM pg_database WHERE datname = %s",
        [like],
    ).fetchone()
    conn.execute(
        sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING {} LC_COLLATE {} LC_CTYPE {}").format(
            sql.Identifier(name), sql.Literal(encoding), sql.Literal(collate), sql.Literal(ctype)
        )
    )
    if owner != me:
        try:
            conn.execute(
                sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(name), sql.Identifier(owner))
            )
        except psycopg.Error as exc:
            database_drop(conn, name)
            raise BackupError(
                f"cannot give the scratch database to {owner}, the owner of {like}: {exc}"
            ) from exc


def database_drop(conn: psycopg.Connection, name: str) -> None:
    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def database_swap(conn: psycopg.Connection, *, new: str, target: str, old: str) -> None:
    """Rename TARGET to OLD and NEW to TARGET in one transaction, closing TARGET's sessions first."""
    rename = sql.SQL("ALTER DATABASE {} RENAME TO {}")
    for attempt in range(20):
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname IN (%s, %s) "
            "AND pid <> pg_backend_pid()",
            [target, new],
        )
        try:
            with conn.transaction():
                conn.execute(rename.format(sql.Identifier(target), sql.Identifier(old)))
                conn.execute(rename.format(sql.Identifier(new), sql.Identifier(target)))
            return
        except psycopg.errors.ObjectInUse as exc:  # a terminated session not gone yet, or a new one
            if attempt == 19:
                raise BackupError(f"{target} is still in use after closing its sessions: {exc}") from exc
            time.sleep(0.25)


# --- what a database holds ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    order_by: tuple[str, ...]  # primary key columns; empty when the table has none

    @property
    def label(self) -> str:
        return f"{self.schema}.{self.name}"


def list_tables(conn: psycopg.Connection) -> list[Table]:
    rows = conn.execute(
        """
        SELECT n.nspname, c.relname,
               coalesce((SELECT array_agg(a.attname::text ORDER BY k.ord)
                         FROM pg_index i
                         CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                         WHERE i.indrelid = c.oid AND i.indisprimary), '{}')
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
        ORDER BY 1, 2
        """
    ).fetchall()
    return [Table(schema, name, tuple(pk)) for schema, name, pk in rows]


def user_relation_count(conn: psycopg.Connection) -> int:
    """Tables, views, sequences and the like outside the system schemas: 0 means an empty database."""
    return conn.execute(
        """
        SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
        """
    ).fetchone()[0]


def table_fingerprint(conn: psycopg.Connection, table: Table) -> dict:
    """Row count and MD5 of the table's rows in COPY text form, streamed in primary-key order."""
    relation = sql.Identifier(table.schema, table.name)
    if table.order_by:
        order = sql.SQL(", ").join(sql.Identifier(column) for column in table.order_by)
    else:
        order = sql.SQL("t::text")  # no primary key: the whole row is the order
    query = sql.SQL("COPY (SELECT * FROM {} AS t ORDER BY {}) TO STDOUT").format(relation, order)
    digest, rows = hashlib.md5(usedforsecurity=False), 0
    with conn.cursor() as cursor, cursor.copy(query) as copy:
        for block in copy:
            digest.update(block)
            rows += bytes(block).count(b"\n")  # COPY text escapes newlines inside values
    return {"rows": rows, "md5": digest.hexdigest()}


def fingerprints(conn: psycopg.Connection, progress: Progress = quiet) -> dict[str, dict]:
    tables = list_tables(conn)
    result = {}
    for index, table in enumerate(tables, 1):
        result[table.label] = table_fingerprint(conn, table)
        progress(f"  checksummed {index}/{len(tables)} {table.label}: {result[table.label]['rows']} rows")
    return result


def applied_migrations(conn: psycopg.Connection) -> list[list[str]]:
    exists = conn.execute("SELECT to_regclass('django_migrations') IS NOT NULL").fetchone()[0]
    if not exists:
        return []
    rows = conn.execute("SELECT app, name FROM django_migrations ORDER BY app, name").fetchall()
    return [[app, name] for app, name in rows]


def compare(expected: dict[str, dict], actual: dict[str, dict]) -> list[str]:
    """Every difference between two table fingerprint maps, one readable line each."""
    problems = []
    for label in sorted(expected.keys() | actual.keys()):
        want, got = expected.get(label), actual.get(label)
        if got is None:
            problems.append(f"{label}: missing from the restored database")
        elif want is None:
            problems.append(f"{label}: in the restored database but not in the backup")
        elif want["rows"] != got["rows"]:
            problems.append(f"{label}: {got['rows']} rows, the backup has {want['rows']}")
        elif want["md5"] != got["md5"]:
            problems.append(f"{label}: same {got['rows']} rows but different contents (checksum mismatch)")
    return problems


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
