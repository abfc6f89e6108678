import hashlib
import shutil
import sqlite3
from datetime import datetime

import pytest

from practice.legacy.parsing import SkillRef
from practice.legacy.reader import MAX_VALUE_BYTES, SCHEMAS, LegacyFormatError, LegacyReader

from . import samples as legacy_samples

FILES = [("satprep", "sample"), ("leitner", "sample"), ("satprep", "scale5"), ("leitner", "scale5")]


def _path(kind, source):
    return legacy_samples.sample(kind) if source == "sample" else legacy_samples.generated(kind, 5)


@pytest.fixture(params=FILES, ids=[f"{kind}-{source}" for kind, source in FILES])
def legacy_path(request):
    kind, source = request.param
    return kind, _path(kind, source)


def test_reader_detects_the_kind_and_lists_tables_parents_first(legacy_path):
    kind, path = legacy_path
    with LegacyReader(path) as reader:
        assert reader.kind == kind
        assert reader.tables == [spec.name for spec in SCHEMAS[kind]]
        assert reader.tables[0] == "users"


def test_every_row_is_read_once_in_id_order_with_its_raw_values(legacy_path):
    _kind, path = legacy_path
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    raw.row_factory = sqlite3.Row
    with LegacyReader(path) as reader:
        for table in reader.tables:
            rows = list(reader.rows(table, batch_size=97))
            source = [dict(row) for row in raw.execute(f'SELECT * FROM "{table}" ORDER BY id')]
            assert len(rows) == reader.count(table) == len(source)
            assert [row.raw for row in rows] == source
            assert [row.legacy_id for row in rows] == [row["id"] for row in source]
    raw.close()


def test_batches_respect_the_size_and_resume_after_an_id(legacy_path):
    _kind, path = legacy_path
    with LegacyReader(path) as reader:
        table = reader.tables[-1]
        batches = list(reader.batches(table, batch_size=50))
        assert all(len(batch) == 50 for batch in batches[:-1]) and 1 <= len(batches[-1]) <= 50
        ids = [row.legacy_id for batch in batches for row in batch]
        middle = ids[len(ids) // 2]
        resumed = [
            row.legacy_id for batch in reader.batches(table, batch_size=50, after_id=middle) for row in batch
        ]
        assert resumed == [row_id for row_id in ids if row_id > middle]
        with pytest.raises(ValueError, match="batch_size"):
            next(reader.batches(table, batch_size=0))


def test_values_are_typed(legacy_path):
    kind, path = legacy_path
    with LegacyReader(path) as reader:
        for user in reader.rows("users"):
            assert user.ok, user.reason()
            assert user.values["password"].startswith(("legacy_bcrypt$", "legacy_werkzeug$"))
            assert isinstance(user.values["created_at"], datetime) and user.values["created_at"].tzinfo
        if kind == "satprep":
            question = next(row for row in reader.rows("questions") if row.ok)
            assert isinstance(question.values["skill"], SkillRef) and question.values["skill"].known
            assert question.values["difficulty"] in ("easy", "medium", "hard")
            assert {type(row.values.get("is_correct")) for row in reader.rows("responses")} == {bool}
            assert all(row.values["skill"].known for row in reader.rows("proficiency"))
        else:
            card = next(row for row in reader.rows("cards") if row.ok)
            assert 1 <= card.values["box"] <= 5
            assert {type(row.values["correct"]) for row in reader.rows("review_log")} == {bool}


def test_bad_values_come_back_as_per_column_reasons_not_exceptions(legacy_path):
    kind, path = legacy_path
    with LegacyReader(path) as reader:
        if kind == "satprep":
            bad = [row for row in reader.rows("questions") if not row.ok]
            assert bad and all(row.legacy_id % 97 == 0 for row in bad)
            assert all(set(row.errors) == {"choices"} and "not valid JSON" in row.reason() for row in bad)
            # Repairable: the error stays (what --strict rejects) beside the repaired value and its repair.
            assert all(row.raw["choices"].startswith("['") and set(row.repairs) == {"choices"} for row in bad)
            assert all(row.values["choices"] == ["1", "2", "3", "4"] for row in bad)
            grid_in = [row for row in reader.rows("questions") if row.ok and row.values["grid_in"]]
            assert grid_in and all(row.raw["choices"] is None for row in grid_in)
            for table in ("users", "practice_sessions", "responses", "results", "badges", "proficiency"):
                assert all(row.ok for row in reader.rows(table)), table
        else:
            bad = [row for row in reader.rows("cards") if not row.ok]
            assert bad and all(row.legacy_id % 101 == 0 and set(row.errors) == {"box"} for row in bad)
            assert all(row.raw["box"] in (0, 6, None) and set(row.repairs) == {"box"} for row in bad)
            assert all(row.values["box"] == (5 if row.raw["box"] == 6 else 1) for row in bad)
            assert all(row.ok for row in reader.rows("review_log"))


def test_orphans_are_the_dangling_references_the_generator_injects(legacy_path):
    kind, path = legacy_path
    with LegacyReader(path) as reader:
        orphans = reader.orphans()
        if kind == "satprep":
            assert orphans[("responses", "question_id")]
            assert all(row_id % 211 == 0 for row_id in orphans[("responses", "question_id")])
            assert orphans[("practice_sessions", "user_id")] == [reader.count("practice_sessions")]
            assert not any(
                ids
                for key, ids in orphans.items()
                if key[1] != "question_id" and key[0] != "practice_sessions"
            )
        else:
            assert orphans[("cards", "user_id")]
            assert all(row_id % 157 == 0 for row_id in orphans[("cards", "user_id")])
            assert orphans[("review_log", "card_id")] == []


def test_reading_never_changes_the_source_file(legacy_path):
    _kind, path = legacy_path
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with LegacyReader(path) as reader:
        for table in reader.tables:
            for _row in reader.rows(table):
                pass
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_a_file_that_is_not_a_legacy_database_is_refused(tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("this is not SQLite " * 100)
    with pytest.raises(LegacyFormatError, match="not a SQLite database"):
        LegacyReader(text)
    with pytest.raises(LegacyFormatError, match="does not exist"):
        LegacyReader(tmp_path / "missing.db")
    with pytest.raises(LegacyFormatError, match="is not a leitner database"):
        LegacyReader(legacy_samples.sample("satprep"), kind="leitner")
    with pytest.raises(LegacyFormatError, match="unknown legacy kind"):
        LegacyReader(legacy_samples.sample("satprep"), kind="anki")


# --- untrusted files ---------------------------------------------------------------------------------


def test_a_file_name_with_uri_characters_opens_that_file_read_only(tmp_path):
    odd = tmp_path / "school ?mode=rwc#1 100%.db"
    shutil.copy(legacy_samples.sample("leitner"), odd)
    with LegacyReader(odd) as reader:
        assert reader.kind == "leitner" and reader.count("users") == 15
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.connection.execute("DELETE FROM users")
    assert sorted(path.name for path in tmp_path.iterdir()) == [odd.name]


def test_the_connection_follows_sqlites_advice_for_untrusted_files():
    with LegacyReader(legacy_samples.sample("leitner")) as reader:
        connection = reader.connection
        assert connection.execute("PRAGMA trusted_schema").fetchone()[0] == 0
        assert connection.getlimit(sqlite3.SQLITE_LIMIT_LENGTH) == MAX_VALUE_BYTES
        if hasattr(connection, "getconfig"):  # Python 3.12+ only
            assert connection.getconfig(sqlite3.SQLITE_DBCONFIG_DEFENSIVE)


def test_a_value_over_the_length_limit_is_a_read_error_not_a_memory_spike(tmp_path):
    path = tmp_path / "long.db"
    shutil.copy(legacy_samples.sample("leitner"), path)
    db = sqlite3.connect(path)
    db.execute("UPDATE cards SET front = ? WHERE id = 1", ("x" * (MAX_VALUE_BYTES + 1),))
    db.commit()
    db.close()
    with LegacyReader(path) as reader, pytest.raises(sqlite3.DataError, match="too big"):
        list(reader.batches("cards"))


def test_a_corrupt_file_is_refused_before_any_row_is_read(tmp_path):
    path = tmp_path / "corrupt.db"
    shutil.copy(legacy_samples.sample("satprep"), path)
    with open(path, "r+b") as handle:
        handle.seek(4096 * 5)
        handle.write(b"\xff" * 3000)
    with pytest.raises(LegacyFormatError, match=r"corrupt.db is corrupt \(SQLite's quick_check: "):
        LegacyReader(path)
