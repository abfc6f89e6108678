"""Verified PostgreSQL backups: pg_dump custom-format archives with a manifest of what they hold.

The manifest records, for every table, its row count and an MD5 of its rows in primary-key order, taken
in the very snapshot pg_dump dumps (``pg_export_snapshot`` + ``pg_dump --snapshot``), so a restore can be
checked table by table against what was backed up, even while the site kept writing during the backup.
"""

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from django.conf import settings
from psycopg.conninfo import conninfo_to_dict

from .postgres import (
    BackupError,
    Progress,
    applied_migrations,
    compare,
    connect,
    database_create_like,
    database_drop,
    database_swap,
    describe,
    file_sha256,
    find_pg_tool,
    fingerprints,
    maintenance,
    quiet,
    server_major,
    tool_connection,
    url_dbname,
    user_relation_count,
    with_dbname,
)

MANIFEST_FORMAT = 1
DUMP_SUFFIX = ".dump"
MANIFEST_SUFFIX = ".manifest.json"
_NAME_RE = re.compile(r"\Aprepnexus-(?P<db>.+)-(?P<stamp>\d{8}T\d{6}_\d{6}Z)\.dump\Z")


# --- running pg_dump / pg_restore --------------------------------------------------------------------


def _run_streaming(cmd: list[str], env: dict[str, str], on_line: Progress) -> None:
    """Run a PostgreSQL client tool, passing its (verbose) stderr lines on as they come."""
    lines: list[str] = []
    with subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        umask=0o077,  # the archive pg_dump writes is readable by its owner only, whatever our umask
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


def _private_dir(path: Path) -> None:
    """Create PATH (and missing parents) as 0700, whatever the umask; an existing folder is left as it is."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(0o700)


def _write_private(path: Path, text: str) -> None:
    """Write TEXT to PATH as a 0600 file, whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def backup_create(*, url: str, output: Path, progress: Progress = quiet) -> tuple[Path, dict]:
    """Dump the database to OUTPUT with its manifest; nothing is left behind if a step fails."""
    _private_dir(output)
    dbname = conninfo_to_dict(url).get("dbname") or "postgres"
    dump = output / backup_name(dbname, datetime.now(UTC))
    partial = dump.with_name(dump.name + ".partial")
    with _exported_snapshot(url) as (conn, snapshot):
        major = server_major(conn)
        pg_dump = find_pg_tool("pg_dump", major)
        progress(f"[1/3] pg_dump ({pg_dump}) of {describe(url)} to {dump.name}")
        conninfo, env = tool_connection(url)
        try:
            _run_streaming(
                [
                    pg_dump,
                    *("--format=custom", "--verbose", f"--snapshot={snapshot}", f"--file={partial}"),
                    # Row-level security stays on and the operator bypass (in the connection's options)
                    # admits every institution's rows; without it pg_dump refuses FORCEd tables.
                    "--enable-row-security",
                    f"--dbname={conninfo}",
                ],
                env,
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
    partial.chmod(0o600)
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
    _write_private(tmp, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
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


def backup_newest(*, output: Path, dbname: str) -> datetime | None:
    """When the newest complete backup of this database in OUTPUT was taken (a dump with its manifest)."""
    stamps = [
        m["stamp"]
        for path in (output.glob(f"prepnexus-*{DUMP_SUFFIX}") if output.is_dir() else [])
        if (m := _NAME_RE.match(path.name)) and m["db"] == dbname and manifest_path(path).is_file()
    ]
    return datetime.strptime(max(stamps), "%Y%m%dT%H%M%S_%fZ").replace(tzinfo=UTC) if stamps else None


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


def _migration_problems(expected: list, actual: list) -> list[str]:
    want, got = {tuple(pair) for pair in expected}, {tuple(pair) for pair in actual}
    return [f"migration {app}.{name}: in the backup but not restored" for app, name in sorted(want - got)] + [
        f"migration {app}.{name}: restored but not in the backup" for app, name in sorted(got - want)
    ]


def _restore_and_verify(*, dump: Path, manifest: dict, url: str, pg_restore: str, progress: Progress) -> None:
    """pg_restore into the empty database at URL, then check it against the manifest and the code."""
    progress(f"[2/6] pg_restore ({pg_restore}) into the scratch database {describe(url)}")
    # No owners or grants: the archive may come from a server whose roles do not exist here.
    conninfo, env = tool_connection(url)
    cmd = [pg_restore, "--verbose", "--exit-on-error", "--single-transaction", "--no-owner", "--no-acl"]
    _run_streaming([*cmd, f"--dbname={conninfo}", str(dump)], env, _tool_progress(progress, "restored"))

    progress("[3/6] verifying row counts, checksums and applied migrations against the manifest")
    with connect(url, autocommit=False) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        problems = compare(manifest.get("tables", {}), fingerprints(conn, progress))
        problems += _migration_problems(manifest.get("migrations", []), applied_migrations(conn))
    if problems:
        raise BackupError("restored database does not match the backup manifest:\n  " + "\n  ".join(problems))

    progress("[4/6] manage.py migrate --check")
    clean, output = migrations_check(url)
    if not clean:
        raise BackupError(f"migrations are not in sync with the code after the restore:\n{output[-2000:]}")


def restore_run(
    *, dump: Path, manifest: dict, url: str, force: bool, safety_dir: Path, progress: Progress = quiet
) -> Path | None:
    """Restore into a scratch database and verify it; only then save the target and swap the copy in.

    Any failure before the swap drops the scratch database and leaves the target as it was. A non-empty
    target is first dumped into SAFETY_DIR; the path of that safety dump is returned.
    """
    progress(f"[1/6] checking {dump.name} against its manifest")
    if file_sha256(dump) != manifest.get("dump_sha256"):
        raise BackupError(
            f"{dump.name} does not match the SHA-256 in its manifest: the file was changed or damaged "
            "after the backup; nothing was restored"
        )
    with connect(url, autocommit=True) as conn:
        pg_restore = find_pg_tool("pg_restore", server_major(conn))
        existing = user_relation_count(conn)
    if existing and not force:
        raise BackupError(
            f"target database {describe(url)} is not empty ({existing} tables, views or sequences); "
            "pass --force to replace its contents"
        )
    target, suffix = url_dbname(url), datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    stem = target.encode()[:30].decode(errors="ignore")
    scratch, replaced = f"{stem}_restore_{suffix}", f"{stem}_replaced_{suffix}"
    safety = None
    with maintenance(url) as admin:
        database_create_like(admin, name=scratch, like=target)
        try:
            _restore_and_verify(
                dump=dump,
                manifest=manifest,
                url=with_dbname(url, scratch),
                pg_restore=pg_restore,
                progress=progress,
            )
            if existing:
                progress(f"[5/6] safety dump of {describe(url)} ({existing} tables, views or sequences)")
                safety, _ = backup_create(
                    url=url, output=safety_dir, progress=lambda line: progress(f"  {line}")
                )
                progress(f"  safety dump: {safety}")
            else:
                progress(f"[5/6] {describe(url)} is empty: no safety dump needed")
            progress(f"[6/6] swapping the verified copy in as {target}")
            database_swap(admin, new=scratch, target=target, old=replaced)
        except BaseException:
            with suppress(psycopg.Error):  # the first error is the one to report
                database_drop(admin, scratch)
            raise
        database_drop(admin, replaced)
    return safety
