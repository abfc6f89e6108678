import json
import os
import stat
import uuid

import psycopg
import pytest
from django.core.management import CommandError, call_command
from psycopg import sql

from monitoring import backups, postgres
from practice.tests.factories import make_user

# pg_dump reads through its own connection, so the data a test writes must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


def _admin_url(db_url: str) -> str:
    return db_url.rsplit("/", 1)[0] + "/postgres"


@pytest.fixture
def scratch_db():
    """A uniquely named, empty database on the same server, dropped afterwards."""
    source = postgres.default_database_url()
    name = f"{psycopg.conninfo.conninfo_to_dict(source)['dbname'][:40]}_r{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_admin_url(source), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield source.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(_admin_url(source), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _learners():
    make_user(username="ada", email="ada@example.org", first_name="Ada")
    make_user(username="Zoë6", email="zoë6@example.com", last_name="O'Brien\ttab\nline 日本語 📚")
    make_user(username="nobody", email="nobody@legacy.invalid", is_active=False)


def _backup(tmp_path, *extra) -> tuple:
    call_command("backup", "--output", str(tmp_path), *extra)
    dumps = sorted(tmp_path.glob("*.dump"))
    return dumps[-1], json.loads(backups.manifest_path(dumps[-1]).read_text())


def _state(url: str) -> dict:
    with postgres.connect(url) as conn:  # the operator connection: every institution's rows
        return postgres.fingerprints(conn)


def test_backup_writes_a_custom_format_dump_and_a_manifest_of_every_table(tmp_path):
    _learners()
    dump, manifest = _backup(tmp_path)
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert dump.name.startswith("prepnexus-") and dump.name.endswith("Z.dump")
    assert manifest["dump_sha256"] == postgres.file_sha256(dump)
    assert manifest["tables"]["public.practice_user"]["rows"] == 3
    assert manifest["tables"]["public.practice_profile"]["rows"] == 3
    assert ["practice", "0001_initial"] in manifest["migrations"]
    assert manifest["tables"] == _state(postgres.default_database_url())


def test_backup_then_restore_into_an_empty_database_is_equal_table_by_table(tmp_path, scratch_db, capsys):
    _learners()
    dump, manifest = _backup(tmp_path)
    call_command("restore", str(dump), "--database-url", scratch_db)
    out = capsys.readouterr().out
    assert "migrations are in sync" in out
    assert "[3/6] verifying row counts, checksums and applied migrations" in out
    assert "no safety dump needed" in out
    assert _state(scratch_db) == _state(postgres.default_database_url()) == manifest["tables"]
    with psycopg.connect(scratch_db) as conn:
        rows = conn.execute("SELECT username, email, last_name FROM practice_user ORDER BY id").fetchall()
    assert rows[1] == ("Zoë6", "zoë6@example.com", "O'Brien\ttab\nline 日本語 📚")


def test_backup_and_restore_round_trip_institution_rows_with_row_level_security_on(tmp_path, scratch_db):
    from practice.tests.factories import ensure_taxonomy
    from practice.tests.institution_factories import make_assignment, make_school

    ensure_taxonomy()  # a transactional test's flush removed the sections
    school = make_school(name="Lincoln High")
    make_assignment(school[3], learners=school[4])
    dump, manifest = _backup(tmp_path)
    assert manifest["tables"]["public.practice_enrollment"]["rows"] == 2
    assert manifest["tables"]["public.practice_membership"]["rows"] == 4
    call_command("restore", str(dump), "--database-url", scratch_db)
    assert _state(scratch_db) == manifest["tables"]
    with psycopg.connect(scratch_db) as conn:
        forced = conn.execute(
            "SELECT count(*) FROM pg_class"
            " WHERE relname LIKE 'practice\\_%' AND relrowsecurity AND relforcerowsecurity"
        ).fetchone()[0]
        assert forced == 8
        # The restored copy keeps its policies: without a context, the app's role sees no institution row.
        assert conn.execute("SELECT count(*) FROM practice_enrollment").fetchone()[0] == 0


def _leftovers(url: str) -> list[str]:
    """Scratch or replaced databases a restore into URL left behind."""
    stem = psycopg.conninfo.conninfo_to_dict(url)["dbname"][:30]
    with psycopg.connect(_admin_url(url)) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s OR datname LIKE %s",
            [f"{stem}\\_restore\\_%", f"{stem}\\_replaced\\_%"],
        ).fetchall()
    return [name for (name,) in rows]


def _edit_after_restore(url: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE practice_user SET first_name = 'changed after restore'")
        conn.execute("CREATE TABLE local_notes (id int)")
        conn.execute("INSERT INTO local_notes VALUES (42)")


def test_restore_refuses_a_non_empty_target_without_force_and_replaces_it_with_force(
    tmp_path, scratch_db, capsys
):
    _learners()
    dump, manifest = _backup(tmp_path / "backups")
    call_command("restore", str(dump), "--database-url", scratch_db)
    _edit_after_restore(scratch_db)
    before = _state(scratch_db)

    with pytest.raises(CommandError, match=r"is not empty .* pass --force"):
        call_command("restore", str(dump), "--database-url", scratch_db)
    assert _state(scratch_db) == before

    # --force swaps in exactly what the backup holds, after saving what was there in a safety dump.
    capsys.readouterr()
    call_command(
        "restore", str(dump), "--database-url", scratch_db, "--force", "--safety-dir", str(tmp_path / "safe")
    )
    assert _state(scratch_db) == manifest["tables"]
    assert _leftovers(scratch_db) == []
    [safety] = (tmp_path / "safe").glob("*.dump")
    assert f"safety dump {safety}" in capsys.readouterr().out
    saved = json.loads(backups.manifest_path(safety).read_text())
    assert saved["tables"] == before
    assert saved["tables"]["public.local_notes"]["rows"] == 1


def test_a_backup_that_fails_verification_leaves_a_non_empty_target_untouched(tmp_path, scratch_db):
    _learners()
    dump, manifest = _backup(tmp_path / "backups")
    call_command("restore", str(dump), "--database-url", scratch_db)
    _edit_after_restore(scratch_db)
    before = _state(scratch_db)
    manifest["tables"]["public.practice_user"]["md5"] = "0" * 32
    backups.manifest_path(dump).write_text(json.dumps(manifest))

    safe = tmp_path / "safe"
    with pytest.raises(CommandError, match=r"public\.practice_user: same 3 rows but different contents"):
        call_command("restore", str(dump), "--database-url", scratch_db, "--force", "--safety-dir", str(safe))
    assert _state(scratch_db) == before
    assert _leftovers(scratch_db) == []
    assert not safe.exists()  # nothing was about to be replaced


def test_restore_refuses_a_backup_whose_migrations_differ_from_its_manifest(tmp_path, scratch_db):
    dump, manifest = _backup(tmp_path)
    manifest["migrations"].append(["practice", "9999_not_in_the_dump"])
    backups.manifest_path(dump).write_text(json.dumps(manifest))
    with pytest.raises(
        CommandError, match=r"migration practice\.9999_not_in_the_dump: in the backup but not"
    ):
        call_command("restore", str(dump), "--database-url", scratch_db)
    with psycopg.connect(scratch_db) as conn:
        assert postgres.user_relation_count(conn) == 0
    assert _leftovers(scratch_db) == []


def test_restore_refuses_a_damaged_dump_and_leaves_the_target_untouched(tmp_path, scratch_db):
    _learners()
    dump, _ = _backup(tmp_path)
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="does not match the SHA-256 in its manifest"):
        call_command("restore", str(dump), "--database-url", scratch_db)
    with psycopg.connect(scratch_db) as conn:
        assert postgres.user_relation_count(conn) == 0


def test_restore_fails_when_restored_data_differs_from_the_manifest(tmp_path, scratch_db):
    _learners()
    dump, manifest = _backup(tmp_path)
    manifest["tables"]["public.practice_user"]["rows"] = 4
    manifest["tables"]["public.practice_profile"]["md5"] = "0" * 32
    backups.manifest_path(dump).write_text(json.dumps(manifest))
    with pytest.raises(CommandError) as caught:
        call_command("restore", str(dump), "--database-url", scratch_db)
    message = str(caught.value)
    assert "does not match the backup manifest" in message
    assert "public.practice_user: 3 rows, the backup has 4" in message
    assert "public.practice_profile: same 3 rows but different contents" in message
    with psycopg.connect(scratch_db) as conn:
        assert postgres.user_relation_count(conn) == 0
    assert _leftovers(scratch_db) == []


def test_verification_detects_a_changed_row_in_the_restored_database(tmp_path, scratch_db):
    _learners()
    dump, manifest = _backup(tmp_path)
    call_command("restore", str(dump), "--database-url", scratch_db)
    with psycopg.connect(scratch_db) as conn:
        conn.execute("UPDATE practice_user SET email = 'mallory@example.org' WHERE username = 'ada'")
        conn.execute("DELETE FROM practice_profile WHERE id = (SELECT min(id) FROM practice_profile)")
    problems = postgres.compare(manifest["tables"], _state(scratch_db))
    assert problems == [
        "public.practice_profile: 2 rows, the backup has 3",
        "public.practice_user: same 3 rows but different contents (checksum mismatch)",
    ]


def test_migrate_check_fails_when_the_restored_schema_lags_the_code(tmp_path, scratch_db):
    dump, _ = _backup(tmp_path)
    call_command("restore", str(dump), "--database-url", scratch_db)
    assert backups.migrations_check(scratch_db)[0]
    with psycopg.connect(scratch_db) as conn:
        conn.execute("DELETE FROM django_migrations WHERE app = 'practice' AND name = '0001_initial'")
    clean, output = backups.migrations_check(scratch_db)
    assert not clean
    assert "practice" in output


def test_restore_without_a_manifest_is_refused(tmp_path, scratch_db):
    dump, _ = _backup(tmp_path)
    backups.manifest_path(dump).unlink()
    with pytest.raises(CommandError, match=r"manifest .* is missing"):
        call_command("restore", str(dump), "--database-url", scratch_db)


def test_backup_keep_removes_only_the_oldest_backups_of_this_database(tmp_path):
    unrelated = tmp_path / "prepnexus-otherdb-20200101T000000_000000Z.dump"
    unrelated.write_bytes(b"not ours")
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me")
    made = []
    for _ in range(3):
        call_command("backup", "--output", str(tmp_path), "--keep", "2")
        made.append(max(tmp_path.glob("prepnexus-test_*.dump")))
    remaining = sorted(tmp_path.glob("prepnexus-test_*.dump"))
    assert remaining == made[1:]
    assert all(backups.manifest_path(dump).exists() for dump in remaining)
    assert not backups.manifest_path(made[0]).exists()
    assert unrelated.exists() and notes.exists()


def test_backup_fails_clearly_when_pg_dump_is_missing(tmp_path, settings):
    settings.PG_BINDIR = str(tmp_path / "no-such-bin")
    with pytest.raises(CommandError, match=r"pg_dump for PostgreSQL \d+ not found.*PG_BINDIR"):
        call_command("backup", "--output", str(tmp_path / "out"))
    assert not list((tmp_path / "out").glob("*"))


def test_pg_tools_match_the_server_major_version():
    with psycopg.connect(postgres.default_database_url()) as conn:
        major = postgres.server_major(conn)
    for tool in ("pg_dump", "pg_restore"):
        path = postgres.find_pg_tool(tool, major)
        assert postgres._tool_major(path) >= major


def test_backup_taken_while_the_site_keeps_writing_still_verifies(tmp_path, scratch_db):
    """The checksums come from pg_dump's own snapshot, so rows committed meanwhile never skew them."""
    import threading

    from django.utils import timezone

    stop, started = threading.Event(), threading.Event()
    written = []

    def keep_writing():
        with psycopg.connect(postgres.default_database_url(), autocommit=True) as conn:
            while not stop.is_set():
                key = uuid.uuid4().hex
                conn.execute(
                    "INSERT INTO django_session (session_key, session_data, expire_date) VALUES (%s, '', %s)",
                    (key, timezone.now()),
                )
                written.append(key)
                started.set()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        assert started.wait(10)
        dump, manifest = _backup(tmp_path)
    finally:
        stop.set()
        writer.join()
    assert 0 < manifest["tables"]["public.django_session"]["rows"] < len(written)
    call_command("restore", str(dump), "--database-url", scratch_db)
    assert _state(scratch_db) == manifest["tables"]


def test_backup_files_and_their_folder_are_private_whatever_the_umask(tmp_path):
    output = tmp_path / "nested" / "backups"
    old = os.umask(0)
    try:
        dump, _ = _backup(output)
    finally:
        os.umask(old)
    assert stat.S_IMODE(output.stat().st_mode) == 0o700
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    assert stat.S_IMODE(backups.manifest_path(dump).stat().st_mode) == 0o600


def test_pg_tools_get_the_password_through_the_environment_never_the_command_line():
    conninfo, env = postgres.tool_connection("postgres://u:s3cret@db.internal:5433/site?sslmode=verify-full")
    assert "s3cret" not in conninfo and env["PGPASSWORD"] == "s3cret"
    assert "sslmode=verify-full" in conninfo and "host=db.internal" in conninfo
    with pytest.raises(postgres.BackupError, match="sslpassword"):
        postgres.tool_connection("postgres://u@db.internal/site?sslkey=/k.pem&sslpassword=phrase")
