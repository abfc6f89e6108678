"""manage.py import_legacy: arguments, clean errors, the summary, the progress lines and the exit status."""

import io
import json
import shutil

import pytest
from django.core.management import CommandError, call_command

from practice.legacy.reader import LegacyReader
from practice.models import LegacyRecord, User

from . import samples as legacy_samples

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_legacy", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_prints_the_summary_and_progress_and_writes_the_report(tmp_path):
    report = tmp_path / "out" / "leitner.json"
    out, err = _run(
        "leitner", str(legacy_samples.sample("leitner")), "--report", str(report), "--batch-size", "100"
    )
    assert "table" in out and "review_log" in out
    assert "verified: every source row is imported, repaired, merged or rejected" in out
    assert "rows/s" in err and "review_log" in err  # progress goes to stderr, one line at a time
    assert "\r" not in err  # not a terminal: plain lines
    assert "box outside 1..5 clamped" in out  # the repairs, by kind
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["tables"]["cards"]["rejected"] == 2  # the dangling owners; their 3 bad boxes are repaired
    assert data["tables"]["cards"]["repaired"] == 3 and data["strict"] is False
    assert (tmp_path / "out" / "leitner.cards.rejected.csv").exists()


def test_strict_rejects_what_would_be_repaired(tmp_path):
    report = tmp_path / "strict.json"
    out, _ = _run("leitner", str(legacy_samples.sample("leitner")), "--strict", "--report", str(report))
    assert "strict: rows that could have been repaired were rejected" in out
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["strict"] is True
    assert (data["tables"]["cards"]["rejected"], data["tables"]["cards"]["repaired"]) == (5, 0)


def test_dry_run_says_so_and_leaves_nothing(tmp_path):
    out, _ = _run("leitner", str(legacy_samples.sample("leitner")), "--dry-run")
    assert "dry run: nothing was committed" in out
    assert not User.objects.exists() and not LegacyRecord.objects.exists()


def test_missing_file_is_a_clean_error(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        _run("satprep", str(tmp_path / "nope.db"))


def test_a_file_that_is_not_sqlite_is_a_clean_error(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("just some text, not a database\n" * 100)
    with pytest.raises(CommandError, match="not a SQLite database"):
        _run("satprep", str(path))


def test_the_wrong_kind_is_a_clean_error():
    with pytest.raises(CommandError, match="is a leitner database, not satprep"):
        _run("satprep", str(legacy_samples.sample("leitner")))
    assert not User.objects.exists()


def test_a_sqlite_file_of_neither_kind_names_what_is_missing(tmp_path):
    import sqlite3

    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
    db.close()
    with pytest.raises(CommandError, match="is not a leitner database: no cards, review_log"):
        _run("leitner", str(path))


def test_unknown_kind_and_bad_batch_size_are_refused(tmp_path):
    with pytest.raises(CommandError):
        _run("moodle", str(tmp_path / "x.db"))
    with pytest.raises(CommandError, match="at least 1"):
        _run("leitner", str(legacy_samples.sample("leitner")), "--batch-size", "0")


def test_verification_failure_exits_non_zero(monkeypatch, tmp_path):
    path = tmp_path / "leitner.db"
    shutil.copy(legacy_samples.sample("leitner"), path)
    real_count = LegacyReader.count
    # A source that claims one more card than the batches yield: the sum cannot add up.
    monkeypatch.setattr(LegacyReader, "count", lambda self, t: real_count(self, t) + (t == "cards"))
    with pytest.raises(CommandError, match="verification failed:\ncards: 355 source rows but 354 accounted"):
        _run("leitner", str(path))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("next tuesday", "is not a date and time"),
        ("2026-01-01T00:00", "has no time zone"),
        ("2026-13-01T00:00Z", "is not a date"),
    ],
)
def test_a_bad_merge_cutoff_is_refused_with_a_clear_message(value, message):
    with pytest.raises(CommandError, match=message):
        _run("leitner", str(legacy_samples.sample("leitner")), "--merge-accounts-before", value)
    assert not LegacyRecord.objects.exists()


def test_the_merge_cutoff_reaches_the_import():
    source = LegacyReader(legacy_samples.sample("leitner"))
    [row] = [r for batch in source.batches("users") for r in batch if r.values.get("email")][:1]
    source.close()
    User.objects.create_user("early", email=row.values["email"], password="x" * 20)
    _run("leitner", str(legacy_samples.sample("leitner")), "--merge-accounts-before", "2999-01-01T00:00Z")
    assert LegacyRecord.objects.get(table="users", legacy_id=row.legacy_id).state == "merged"


def test_a_corrupt_file_is_refused_with_a_clear_error(tmp_path):
    path = tmp_path / "corrupt.db"
    shutil.copy(legacy_samples.sample("satprep"), path)
    with open(path, "r+b") as handle:
        handle.seek(4096 * 5)
        handle.write(b"\xff" * 3000)
    with pytest.raises(CommandError, match=r"corrupt\.db is corrupt"):
        _run("satprep", str(path))
    assert not LegacyRecord.objects.exists()
