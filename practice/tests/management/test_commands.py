import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from practice import seeding
from practice.models import Question

from ..factories import SAMPLE_QUESTIONS, sample_records
from ..factories import question_file as _write
from ..factories import run_import_questions as _run

pytestmark = pytest.mark.django_db


def test_import_json_creates_published_questions_and_is_idempotent():
    assert "created 9, updated 0, unchanged 0" in _run(str(SAMPLE_QUESTIONS))
    assert Question.objects.published().count() == 9
    spr = Question.objects.get(external_id="test-m-spr-001")
    assert spr.spr_answers == ["3/4", ".75", "0.75"] and spr.irt_c == 0
    assert Question.objects.get(external_id="test-rw-wic-001").options.get(is_correct=True).label == "B"
    assert "created 0, updated 0, unchanged 9" in _run(str(SAMPLE_QUESTIONS))
    assert Question.objects.count() == 9


def test_import_updates_changed_questions_by_external_id(tmp_path):
    _run(str(SAMPLE_QUESTIONS))
    records = sample_records()
    records[0]["stem"] = "A reworded stem?"
    records[0]["correct"] = "C"
    assert "created 0, updated 1, unchanged 8" in _run(str(_write(tmp_path, records)))
    question = Question.objects.published().get(external_id=records[0]["external_id"])
    assert question.stem == "A reworded stem?" and question.options.get(is_correct=True).label == "C"
    assert question.version == 2  # the published version learners answered is kept, retired


def test_dry_run_writes_nothing():
    assert "Dry run" in _run(str(SAMPLE_QUESTIONS), "--dry-run")
    assert not Question.objects.exists()


def test_errors_name_their_rows_and_nothing_is_imported(tmp_path):
    records = sample_records()
    records[1]["skill"] = "Telepathy"
    records[3]["correct"] = "E"
    records[7]["answers"] = ["3 1/2"]
    records[8]["external_id"] = records[0]["external_id"]
    with pytest.raises(CommandError, match="4 error"):
        _run(str(_write(tmp_path, records)))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_questions", str(_write(tmp_path, records)), stdout=out, stderr=out)
    text = out.getvalue()
    assert "row 2: skill “Telepathy” is not a skill of Expression of Ideas" in text
    assert "row 4: correct must be one of A, B, C, D" in text
    assert "row 8: spr_answers: “3 1/2” is not a valid answer: Mixed numbers" in text
    assert "row 9: external_id test-rw-wic-001 repeats row 1" in text
    assert not Question.objects.exists()


def test_csv_round_trip_and_csv_rows_are_numbered_by_line(tmp_path):
    _run(str(SAMPLE_QUESTIONS))
    exported = tmp_path / "bank.csv"
    call_command("export_questions", "--output", str(exported), stdout=io.StringIO())
    rows = list(csv.DictReader(exported.open()))
    assert len(rows) == 9 and rows[0]["option_a"]
    assert "unchanged 9" in _run(str(exported))
    rows[2]["difficulty"] = "impossible"
    broken = tmp_path / "broken.csv"
    with broken.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_questions", str(broken), stdout=out, stderr=out)
    assert "row 4: difficulty must be one of easy, medium, hard" in out.getvalue()


def test_export_json_to_stdout_reads_back():
    _run(str(SAMPLE_QUESTIONS))
    out = io.StringIO()
    call_command("export_questions", stdout=out)
    data = json.loads(out.getvalue())
    assert data["format"] == "prepnexus-questions/1" and len(data["questions"]) == 9


def test_unreadable_files_are_refused_clearly(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        _run(str(bad))
    with pytest.raises(CommandError, match="does not exist"):
        _run(str(tmp_path / "missing.json"))
    wrong = _write(tmp_path, [])
    wrong.write_text('{"questions": []}')
    with pytest.raises(CommandError, match="prepnexus-questions/1"):
        _run(str(wrong))


def test_seed_demo_loads_the_bank_idempotently(monkeypatch):
    monkeypatch.setattr(seeding, "bank_files", lambda: [SAMPLE_QUESTIONS])
    out = io.StringIO()
    call_command("seed_demo", "--no-accounts", stdout=out)
    call_command("seed_demo", "--no-accounts", stdout=out)
    assert "created 9" in out.getvalue() and "unchanged 9" in out.getvalue()
    assert Question.objects.published().count() == 9
