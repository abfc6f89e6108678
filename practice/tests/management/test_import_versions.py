import csv
import io
import json

import pytest
from django.core.management import call_command

from practice import seeding
from practice.models import Question, QuestionEvent

from ..factories import SAMPLE_QUESTIONS, sample_records
from ..factories import question_file as _write
from ..factories import run_import_questions as _run

pytestmark = pytest.mark.django_db


def test_imported_questions_are_published_by_the_import_with_an_event():
    _run(str(SAMPLE_QUESTIONS))
    question = Question.objects.get(external_id="test-m-spr-001")
    assert (question.author, question.published_by, question.version) == (None, None, 1)
    event = QuestionEvent.objects.get(question=question)
    assert (event.actor, event.from_status, event.to_status) == (None, "", "published")
    assert "imported" in event.note


def test_a_changed_published_item_becomes_a_new_published_version_and_reimport_is_idempotent(tmp_path):
    _run(str(SAMPLE_QUESTIONS))
    records = sample_records()
    records[4]["stem"] = "A stem reworded by the content team?"
    path = _write(tmp_path, records)
    assert "created 0, updated 1, unchanged 8" in _run(str(path))
    versions = list(Question.objects.filter(external_id=records[4]["external_id"]).order_by("version"))
    assert [(q.version, q.status) for q in versions] == [(1, "retired"), (2, "published")]
    assert versions[1].family_id == versions[0].pk and versions[1].stem == records[4]["stem"]
    assert [(e.from_status, e.to_status) for e in versions[1].events.order_by("pk")] == [
        ("", "draft"),
        ("draft", "published"),
    ]
    assert versions[0].events.filter(from_status="published", to_status="retired").exists()
    assert "created 0, updated 0, unchanged 9" in _run(str(path))
    assert Question.objects.count() == 10


def test_a_changed_draft_is_edited_in_place_and_a_status_change_is_a_logged_step(tmp_path):
    records = sample_records()
    _run(str(_write(tmp_path, records)), "--status", "draft")
    records[0]["stem"] = "Edited while still a draft?"
    _run(str(_write(tmp_path, records)))
    question = Question.objects.get(external_id=records[0]["external_id"])
    assert (question.version, question.status, question.stem) == (1, "draft", "Edited while still a draft?")
    records[0]["status"] = "in_review"
    records[1]["status"] = "published"
    assert "updated 2" in _run(str(_write(tmp_path, records)))
    assert Question.objects.get(external_id=records[0]["external_id"]).status == "in_review"
    published = Question.objects.get(external_id=records[1]["external_id"])
    assert published.status == "published" and published.published_by is None
    assert published.events.filter(from_status="draft", to_status="published").exists()


def test_an_import_cannot_send_a_published_item_back_to_draft(tmp_path):
    _run(str(SAMPLE_QUESTIONS))
    records = sample_records()
    records[0]["status"] = "draft"
    with pytest.raises(Exception, match="nothing was imported"):
        _run(str(_write(tmp_path, records)))
    assert Question.objects.filter(status="published").count() == 9


def test_export_carries_status_and_version_and_reads_back_unchanged(tmp_path):
    _run(str(SAMPLE_QUESTIONS))
    records = sample_records()
    records[4]["stem"] = "Version two of this stem?"
    _run(str(_write(tmp_path, records)))
    out = io.StringIO()
    call_command("export_questions", stdout=out)
    exported = json.loads(out.getvalue())["questions"]
    assert len(exported) == 9  # each family's latest version only
    row = next(r for r in exported if r["external_id"] == records[4]["external_id"])
    assert (row["version"], row["status"], row["stem"]) == (2, "published", "Version two of this stem?")
    csv_path = tmp_path / "bank.csv"
    call_command("export_questions", "--output", str(csv_path), stdout=io.StringIO())
    assert {r["version"] for r in csv.DictReader(csv_path.open())} == {"1", "2"}
    assert "unchanged 9" in _run(str(csv_path))
    json_path = tmp_path / "bank.json"
    json_path.write_text(out.getvalue())
    assert "unchanged 9" in _run(str(json_path))


def test_seed_demo_publishes_with_one_event_per_item_and_reseeding_adds_none(monkeypatch):
    monkeypatch.setattr(seeding, "bank_files", lambda: [SAMPLE_QUESTIONS])
    call_command("seed_demo", "--no-accounts", stdout=io.StringIO())
    call_command("seed_demo", "--no-accounts", stdout=io.StringIO())
    assert QuestionEvent.objects.filter(from_status="", to_status="published").count() == 9
    assert QuestionEvent.objects.count() == 9
