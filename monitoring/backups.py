"""Verified PostgreSQL backups: pg_dump custom-format archives with a manifest of what they hold.

The manifest records, for every table, its row count and an MD5 of its rows in primary-key order, taken
in the very snapshot pg_dump dumps (``pg_export_snapshot`` + ``pg_dump --snapshot``), so a restore can be
checked table by table against what was backed up, even while the site kept writing during the backup.
"""

import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.conf import settings
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

MANIFEST_FORMAT = 1
DUMP_SUFFIX = ".dump"
MANIFEST_SUFFIX = ".manifest.json"
_NAME_RE = re.compile(r"\Aprepnexus-(?P<db>.+)-(?P<stamp>\d{8}T\d{6}_\d{6}Z)\.dump\Z")
# libpq connection keywords -> the environment variables pg_dump/pg_restore read, so that a password
# never appears on a command line (visible in ps).
_LIBPQ_ENV = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
}

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore step failed; the message says which and why."""


def _quiet(message: str) -> None:
    pass


# --- connections and tools ---------------------------------------------------------------------------


def default_database_url() -> str:
    """The URL of Django's default database, as its settings name it right now (tests switch the name)."""
    db = settings.DATABASES["default"]
    auth = quote(db.get("USER") or "postgres", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    if host.startswith("/"):  # a Unix socket directory
        return f"postgres://{auth}@/{quote(db['NAME'], safe='')}?host={quote(host, safe='')}"
    return f"postgres://{auth}@{host}:{db.get('PORT') or 5432}/{quote(db['NAME'], safe='')}"


def describe(url: str) -> str:
    """host:port/dbname of a database URL, without its credentials, for messages."""
    params = conninfo_to_dict(url)
    return f"{params.get('host', 'localhost')}:{params.get('port', 5432)}/{params.get('dbname', '')}"


def libpq_env(url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    for key, value in conninfo_to_dict(url).items():
        if key in _LIBPQ_ENV and value is not None:
            env[_LIBPQ_ENV[key]] = str(value)
    return env


def connect(url: str, **kwargs) -> psycopg.Connection:
    try:
        return psycopg.connect(url, connect_timeout=10, application_name="prepnexus-backup", **kwargs)
    except psycopg.OperationalError as exc:
        raise BackupError(f"cannot connect to {describe(url)}: {str(exc).strip()}") from exc


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


def fingerprints(conn: psycopg.Connection, progress: Progress = _quiet) -> dict[str, dict]:
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


# --- running pg_dump / pg_restore --------------------------------------------------------------------


def _run_streaming(cmd: list[str], env: dict[str, str], on_line: Progress) -> None:
    """Run a PostgreSQL client tool, passing its (verbose) stderr lines on as they come."""
    lines: list[str] = []
    with subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace"
    ) as proc:
        assert proc.stderr is not None
        for line in proc.stderr:
            line = line.rstrip()
            lines.append(line)
            on_line(line)
    if proc.returncode != 0:
        tail = "\n".join(line for line in lines if "error" in line.lower())[-2000:] or "\n".join(lines[-15:])
        raise BackupError(f"{Path(cmd[0]).name} failed with exit code {proc.returncode}:\n{tail}")


def _tool_progress(progress: Progress, verb: str) -> Progress:
    pattern = re.compile(r"(?:dumping contents of|processing data for) table \"?([^\"]+)\"?")

    def on_line(line: str) -> None:
        match = pattern.search(line)
        if match:
            progress(f"  {verb} {match[1]}")

    return on_line


@contextmanager
def _exported_snapshot(url: str) -> Iterator[tuple[psycopg.Connection, str]]:
    conn = connect(url, autocommit=False)
    try:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        yield conn, snapshot
    finally:
        conn.rollback()
        conn.close()


def backup_name(dbname: str, now: datetime) -> str:
    return f"prepnexus-{dbname}-{now.strftime('%Y%m%dT%H%M%S_%fZ')}{DUMP_SUFFIX}"


def manifest_path(dump: Path) -> Path:
    return dump.with_name(dump.name.removesuffix(DUMP_SUFFIX) + MANIFEST_SUFFIX)


def backup_create(*, url: str, output: Path, progress: Progress = _quiet) -> tuple[Path, dict]:
    """Dump the database to OUTPUT with its manifest; nothing is left behind if a step fails."""
    output.mkdir(parents=True, exist_ok=True)
    dbname = conninfo_to_dict(url).get("dbname") or "postgres"
    dump = output / backup_name(dbname, datetime.now(UTC))
    partial = dump.with_name(dump.name + ".partial")
    with _exported_snapshot(url) as (conn, snapshot):
        major = server_major(conn)
        pg_dump = find_pg_tool("pg_dump", major)
        progress(f"[1/3] pg_dump ({pg_dump}) of {describe(url)} to {dump.name}")
        try:
            _run_streaming(
                [pg_dump, "--format=custom", "--verbose", f"--snapshot={snapshot}", f"--file={partial}"],
                libpq_env(url),
                _tool_progress(progress, "dumped"),
            )
            progress("[2/3] row counts and checksums, in the same snapshot")
            tables = fingerprints(conn, progress)
            migrations = applied_migrations(conn)
            tool_version = subprocess.run(
                [pg_dump, "--version"], capture_output=True, text=True, check=False
            ).stdout.strip()
            server_version = conn.execute("SHOW server_version").fetchone()[0]
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    progress("[3/3] manifest")
    os.replace(partial, dump)
    manifest = {
        "format": MANIFEST_FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "database": dbname,
        "server_version": server_version,
        "pg_dump": tool_version,
        "dump_file": dump.name,
        "dump_bytes": dump.stat().st_size,
        "dump_sha256": file_sha256(dump),
        "tables": tables,
        "migrations": migrations,
    }
    tmp = manifest_path(dump).with_suffix(".partial")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, manifest_path(dump))
    return dump, manifest


def backup_prune(*, output: Path, dbname: str, keep: int) -> list[Path]:
    """Delete all but the KEEP newest backups of this database (dump + manifest); return what went."""
    matches = [(m, p) for p in output.glob(f"prepnexus-*{DUMP_SUFFIX}") if (m := _NAME_RE.match(p.name))]
    ours = [path for m, path in sorted(matches, key=lambda pair: pair[0]["stamp"]) if m["db"] == dbname]
    removed = []
    for dump in ours[: max(len(ours) - keep, 0)]:
        for path in (dump, manifest_path(dump)):
            if path.exists():
                path.unlink()
                removed.append(path)
    return removed


def load_manifest(file: Path) -> tuple[Path, dict]:
    """The dump and its manifest, given either of the two files."""
    if file.name.endswith(MANIFEST_SUFFIX):
        dump = file.with_name(file.name.removesuffix(MANIFEST_SUFFIX) + DUMP_SUFFIX)
    else:
        dump = file
    if not dump.is_file():
        raise BackupError(f"backup file {dump} does not exist")
    manifest_file = manifest_path(dump)
    if not manifest_file.is_file():
        raise BackupError(
            f"manifest {manifest_file.name} is missing; a restore cannot be verified without it"
        )
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"manifest {manifest_file.name} is unreadable: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise BackupError(
            f"manifest {manifest_file.name} is not a format-{MANIFEST_FORMAT} PrepNexus manifest"
        )
    return dump, manifest


def migrations_check(url: str) -> tuple[bool, str]:
    """Run `manage.py migrate --check` against URL; (clean?, its output)."""
    env = {**os.environ, "DATABASE_URL": url, "DB_POOL_SIZE": "1", "DB_MAX_OVERFLOW": "0"}
    result = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "migrate", "--check", "--no-input"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return result.returncode == 0, (result.stdout + result.stderr).strip()


def restore_run(*, dump: Path, manifest: dict, url: str, force: bool, progress: Progress = _quiet) -> None:
    """Check the archive, restore it into URL in one transaction, and verify it against the manifest."""
    progress(f"[1/4] checking {dump.name} against its manifest")
    if file_sha256(dump) != manifest.get("dump_sha256"):
        raise BackupError(
            f"{dump.name} does not match the SHA-256 in its manifest: the file was changed or damaged "
            "after the backup; nothing was restored"
        )
    with connect(url, autocommit=True) as conn:
        major = server_major(conn)
        existing = user_relation_count(conn)
    if existing and not force:
        raise BackupError(
            f"target database {describe(url)} is not empty ({existing} tables, views or sequences); "
            "pass --force to replace its contents"
        )
    pg_restore = find_pg_tool("pg_restore", major)
    dbname = conninfo_to_dict(url).get("dbname") or "postgres"
    # One transaction: a failed restore leaves the target as it was. No owners or grants: the archive may
    # come from a server whose roles do not exist here.
    cmd = [pg_restore, "--verbose", "--exit-on-error", "--single-transaction", "--no-owner", "--no-acl"]
    if existing:
        cmd += ["--clean", "--if-exists"]
    replacing = " (replacing its contents)" if existing else ""
    progress(f"[2/4] pg_restore ({pg_restore}) into {describe(url)}{replacing}")
    cmd += [f"--dbname={dbname}", str(dump)]
    _run_streaming(cmd, libpq_env(url), _tool_progress(progress, "restored"))

    progress("[3/4] verifying row counts and checksums table by table")
    with connect(url, autocommit=False) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        problems = compare(manifest.get("tables", {}), fingerprints(conn, progress))
    if problems:
        raise BackupError("restored database does not match the backup manifest:\n  " + "\n  ".join(problems))

    progress("[4/4] manage.py migrate --check")
    clean, output = migrations_check(url)
    if not clean:
        raise BackupError(f"migrations are not in sync with the code after the restore:\n{output[-2000:]}")
