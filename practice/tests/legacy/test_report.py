import csv
import json
import sqlite3

import pytest

from practice.legacy.reader import LegacyReader
from practice.legacy.report import ImportReport, ProgressMeter

from . import samples as legacy_samples


def test_every_row_ends_in_exactly_one_state():
    report = ImportReport(kind="satprep", source="x.db")
    report.table("users", 3)
    report.imported("users", 1)
    report.merged("users", 2, into="user 1", reason="same email ignoring case")
    with pytest.raises(ValueError, match="exactly one"):
        report.rejected("users", 2, reason="again", raw={})
    assert report.verify() == [
        "users: 3 source rows but 2 accounted for (1 imported + 0 repaired + 1 merged + 0 rejected)"
    ]
    report.rejected("users", 3, reason="bad", raw={"id": 3})
    assert report.verify() == []
    with pytest.raises(KeyError, match="call table"):
        report.imported("cards", 1)


def test_a_row_imported_after_a_repair_counts_as_repaired_and_its_repairs_by_kind():
    report = ImportReport(kind="leitner", source="x.db")
    report.table("cards", 4)
    report.imported("cards", 1)
    report.imported("cards", 2, repairs=["box outside 1..5 clamped"])
    report.imported(
        "cards", 3, repairs=["box outside 1..5 clamped", "unreadable or impossible time replaced"]
    )
    report.merged("cards", 4, into="flashcard 9", repairs=["NULL box set to 1"])
    assert report.counts["cards"] == {"imported": 1, "repaired": 2, "merged": 1, "rejected": 0}
    assert report.verify() == []
    table = report.as_dict()["tables"]["cards"]
    assert table["repaired"] == 2
    assert table["repairs"] == {
        "NULL box set to 1": 1,
        "box outside 1..5 clamped": 2,
        "unreadable or impossible time replaced": 1,
    }
    lines = report.summary_lines()
    assert lines[0].split() == ["table", "source", "imported", "repaired", "merged", "rejected"]
    assert lines[1].split() == ["cards", "4", "1", "2", "1", "0"]
    assert "repairs (each noted on its row):" in lines
    assert any(line.split()[-1] == "2" and "box outside 1..5 clamped" in line for line in lines)


def _account_for(path, kind):
    """What import_legacy does with the states, minus the models: reject bad rows and their dependants."""
    report = ImportReport(kind=kind, source=path.name)
    accepted: dict[str, set[int]] = {}
    with LegacyReader(path) as reader:
        for table in reader.tables:
            report.table(table, reader.count(table))
            spec = reader.specs[table]
            accepted[table] = set()
            for batch in reader.batches(table, batch_size=100):
                for row in batch:
                    reason = row.reason() if row.errors else None
                    for column, parent in spec.references:
                        if reason is None and row.values[column] not in accepted[parent]:
                            reason = f"dangling {column} {row.values[column]}: no such {parent} row imported"
                    if reason:
                        report.rejected(table, row.legacy_id, reason=reason, raw=row.raw)
                    else:
                        accepted[table].add(row.legacy_id)
                        report.imported(table, row.legacy_id)
    return report


def test_accounting_for_the_satprep_sample_adds_up_and_names_every_rejection(tmp_path):
    path = legacy_samples.sample("satprep")
    report = _account_for(path, "satprep")
    assert report.verify() == []
    rejected = {table: counts["rejected"] for table, counts in report.counts.items()}
    # 1 invalid-JSON question; 1 session of a deleted user; 8 responses to deleted questions plus 12 to the
    # rejected one.
    assert rejected == {
        "users": 0,
        "questions": 1,
        "practice_sessions": 1,
        "responses": 20,
        "results": 0,
        "badges": 0,
        "proficiency": 0,
    }
    written = report.write(tmp_path / "report.json")
    data = json.loads(written[0].read_text(encoding="utf-8"))
    assert data["verified"] and data["tables"]["responses"]["source"] == 1868
    question = data["tables"]["questions"]["rejected_rows"][0]
    assert question["legacy_id"] == 97 and question["raw"]["choices"] == "['A) 1', 'B) 2', 'C) 3', 'D) 4']"
    assert "not valid JSON" in question["reason"]
    with open(tmp_path / "report.questions.rejected.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["legacy_id"] == "97" and rows[0]["choices"] == "['A) 1', 'B) 2', 'C) 3', 'D) 4']"
    # Text with tabs, newlines and any Unicode survives the CSV round trip.
    assert rows[0]["question_text"] == question["raw"]["question_text"]
    assert {p.name for p in written} == {
        "report.json",
        "report.questions.rejected.csv",
        "report.practice_sessions.rejected.csv",
        "report.responses.rejected.csv",
    }


def test_accounting_for_the_leitner_sample_rejects_bad_boxes_orphans_and_their_reviews():
    report = _account_for(legacy_samples.sample("leitner"), "leitner")
    assert report.verify() == []
    # 3 cards with box 0/6, 2 with a deleted owner; their 6 + 1 reviews follow them.
    assert report.counts["cards"]["rejected"] == 5
    assert report.counts["review_log"]["rejected"] == 7
    reasons = [row["reason"] for row in report.rejected_rows["cards"]]
    assert sum("out of range" in reason for reason in reasons) == 3
    assert sum("dangling user_id" in reason for reason in reasons) == 2


def test_progress_meter_reports_rows_per_second():
    now = [0.0]
    lines = []
    meter = ProgressMeter(lines.append, "responses", 1000, interval=0.5, clock=lambda: now[0])
    now[0] = 0.2
    meter.advance(100)  # too soon to print
    assert lines == []
    now[0] = 1.0
    meter.advance(400)
    now[0] = 2.0
    meter.advance(500)
    assert meter.finish() == 500.0
    assert lines[0].split() == ["responses", "500/1,000", "50%", "500", "rows/s"]
    assert lines[-1].split() == ["responses", "1,000/1,000", "100%", "500", "rows/s"]


EXPECTED_REJECTIONS = {
    # Counted straight from the source with SQL, independently of the reader.
    "satprep": {
        "questions": "SELECT count(*) FROM questions WHERE choices LIKE '[''%'",
        "practice_sessions": "SELECT count(*) FROM practice_sessions "
        "WHERE user_id NOT IN (SELECT id FROM users)",
        "responses": "SELECT count(*) FROM responses WHERE question_id NOT IN "
        "(SELECT id FROM questions WHERE choices IS NULL OR choices NOT LIKE '[''%')",
    },
    "leitner": {
        "cards": "SELECT count(*) FROM cards WHERE box IS NULL OR box NOT BETWEEN 1 AND 5 "
        "OR user_id NOT IN (SELECT id FROM users)",
        "review_log": "SELECT count(*) FROM review_log WHERE card_id IN (SELECT id FROM cards "
        "WHERE box IS NULL OR box NOT BETWEEN 1 AND 5 OR user_id NOT IN (SELECT id FROM users))",
    },
}


@pytest.mark.parametrize("kind", ["satprep", "leitner"])
def test_accounting_for_a_generated_scale_5_file_adds_up(kind):
    path = legacy_samples.generated(kind, 5)
    report = _account_for(path, kind)
    assert report.verify() == []
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    expected = {
        table: connection.execute(query).fetchone()[0] for table, query in EXPECTED_REJECTIONS[kind].items()
    }
    connection.close()
    assert all(expected.values())
    rejected = {table: counts["rejected"] for table, counts in report.counts.items() if counts["rejected"]}
    assert rejected == expected


def test_rejected_rows_csv_defuses_formulas_and_keeps_numbers_and_blobs(tmp_path):
    report = ImportReport(kind="satprep", source="x.db")
    report.table("users", 1)
    raw = {"id": -7, "username": '=HYPERLINK("http://evil.example")', "email": "@x", "blob": b"\x01"}
    report.rejected("users", 1, reason="-bad row", raw=raw)
    report.write(tmp_path / "report.json")
    with open(tmp_path / "report.users.rejected.csv", newline="", encoding="utf-8") as handle:
        header, row = list(csv.reader(handle))
    assert header == ["legacy_id", "reason", "id", "username", "email", "blob"]
    assert row == ["1", "'-bad row", "-7", '\'=HYPERLINK("http://evil.example")', "'@x", "01"]
