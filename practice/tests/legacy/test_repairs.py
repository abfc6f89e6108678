"""Repair instead of reject: every repair kind on doctored copies of the samples, --strict, and the re-run
of a file an earlier (rejecting) import left rows of."""

import shutil
import sqlite3
from datetime import UTC, datetime

import pytest
from django.apps import apps

from practice.legacy import parsing
from practice.legacy.importer import legacy_import
from practice.models import (
    Answer,
    BadgeAward,
    Flashcard,
    FlashcardReview,
    LegacyBadge,
    LegacyRecord,
    PracticeSession,
    Question,
    ScoreSnapshot,
    SkillProficiency,
    User,
)
from practice.services.accounts import account_delete

from . import samples as legacy_samples

pytestmark = pytest.mark.django_db

TIME = "unreadable or impossible time replaced"


def _import(path, kind, **options):
    return legacy_import(path=path, kind=kind, **options).report


def _record(table, legacy_id, source=None):
    records = LegacyRecord.objects.filter(table=table, legacy_id=legacy_id)
    return records.get(source=source) if source else records.get()


def _notes(report, table, legacy_id) -> list[str]:
    return [n["note"] for n in report.notes.get(table, []) if n["legacy_id"] == legacy_id]


def _first_responses(db, n):
    """N responses that import as answers: the first to their question in a session of a real learner."""
    return [
        row[0]
        for row in db.execute(
            "SELECT min(r.id) FROM responses r JOIN questions q ON q.id = r.question_id "
            "JOIN practice_sessions s ON s.id = r.session_id JOIN users u ON u.id = s.user_id "
            "WHERE r.selected_answer IS NOT NULL GROUP BY r.session_id ORDER BY 1 LIMIT ?",
            (n,),
        )
    ]


@pytest.fixture
def doctored_satprep(tmp_path):
    """The satprep sample with one broken value of every repairable kind; returns (path, ids)."""
    path = tmp_path / "satprep.db"
    shutil.copy(legacy_samples.sample("satprep"), path)
    db = sqlite3.connect(path)
    r = _first_responses(db, 5)
    sessions = [s for (s,) in db.execute("SELECT session_id FROM results ORDER BY id DESC LIMIT 3")]
    ids = {"responses": r, "sessions": sessions}
    db.execute("UPDATE responses SET answered_at = '2023-02-30 10:00:00' WHERE id = ?", (r[0],))
    db.execute("UPDATE responses SET time_spent = -12.5 WHERE id = ?", (r[1],))
    db.execute("UPDATE responses SET time_spent = 250000 WHERE id = ?", (r[2],))
    db.execute("UPDATE responses SET is_correct = 'maybe' WHERE id = ?", (r[3],))
    db.execute("UPDATE responses SET answered_at = '2099-01-01 00:00:00' WHERE id = ?", (r[4],))
    db.execute("UPDATE practice_sessions SET started_at = NULL WHERE id = ?", (sessions[0],))
    db.execute("UPDATE practice_sessions SET completed_at = 'yesterday' WHERE id = ?", (sessions[1],))
    db.execute("UPDATE results SET created_at = '2024-13-01' WHERE session_id = ?", (sessions[2],))
    db.execute("UPDATE questions SET created_at = 'long ago' WHERE id = 5")
    db.execute("UPDATE badges SET awarded_at = '2024-04-31' WHERE id = 1")
    db.execute("UPDATE proficiency SET level = 1.25 WHERE id = 1")
    db.commit()
    db.close()
    return path, ids


def test_every_satprep_repair_keeps_the_row_notes_it_and_counts_it(doctored_satprep):
    path, ids = doctored_satprep
    r, sessions = ids["responses"], ids["sessions"]
    report = _import(path, "satprep")
    assert report.verify() == []
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    one = lambda sql, *args: db.execute(sql, args).fetchone()[0]  # noqa: E731

    # An impossible answer time takes the session's start.
    session_start = parsing.parse_timestamp(
        one(
            "SELECT started_at FROM practice_sessions "
            "WHERE id = (SELECT session_id FROM responses WHERE id = ?)",
            r[0],
        )
    )
    answer = Answer.objects.get(pk=_record("responses", r[0]).object_id)
    assert answer.answered_at == session_start
    [note] = _notes(report, "responses", r[0])
    assert note.startswith("repaired answered_at: impossible date '2023-02-30 10:00:00'")
    assert "the session's start" in note
    assert _record("responses", r[0]).repairs == [TIME]
    # A future answer time is as untrustworthy as an impossible one.
    assert Answer.objects.get(pk=_record("responses", r[4]).object_id).answered_at < datetime(
        2099, 1, 1, tzinfo=UTC
    )
    assert any("is in the future" in n for n in _notes(report, "responses", r[4]))
    # A negative or absurd duration becomes unknown; the answer itself is kept.
    for legacy_id, found in ((r[1], "is negative"), (r[2], "is over 86,400 seconds")):
        record = _record("responses", legacy_id)
        assert record.state == "imported" and Answer.objects.get(pk=record.object_id).time_spent_ms is None
        assert any(found in n and "recorded as unknown" in n for n in _notes(report, "responses", legacy_id))
    # An unreadable is_correct is marked against the answer key.
    record = _record("responses", r[3])
    answer = Answer.objects.select_related("question").get(pk=record.object_id)
    key = answer.question.options.get(is_correct=True).label
    assert answer.is_correct == (answer.given == key)
    assert record.repairs == ["unreadable is_correct marked against the key"]

    # A session without a start starts when it was completed; an unreadable completion is its start.
    first = PracticeSession.objects.get(pk=_record("practice_sessions", sessions[0]).object_id)
    completed = parsing.parse_timestamp(
        one("SELECT completed_at FROM practice_sessions WHERE id = ?", sessions[0])
    )
    assert first.started_at == completed and first.status == "completed"
    second = PracticeSession.objects.get(pk=_record("practice_sessions", sessions[1]).object_id)
    assert second.completed_at == second.started_at and second.status == "completed"
    assert any(
        "unrecognised timestamp format 'yesterday'" in n
        for n in _notes(report, "practice_sessions", sessions[1])
    )
    # A result's unreadable time is its session's start.
    result_id = one("SELECT id FROM results WHERE session_id = ?", sessions[2])
    snapshot = ScoreSnapshot.objects.get(pk=_record("results", result_id).object_id)
    assert snapshot.taken_at == snapshot.session.started_at
    # A question's unreadable creation, a badge's impossible date and a proficiency level above 1.
    question = Question.objects.get(pk=_record("questions", 5).object_id)
    assert question.created_at == _record("questions", 5).created_at  # the import's time
    assert _record("badges", 1).repairs[0] == TIME
    assert SkillProficiency.objects.get(pk=_record("proficiency", 1).object_id).mean == pytest.approx(
        SkillProficiency.objects.order_by("-mean").first().mean
    )
    assert any("clamped to 1" in n for n in _notes(report, "proficiency", 1))

    counts = report.as_dict()["tables"]
    assert counts["responses"]["repairs"] == {
        "impossible or unreadable duration made unknown": 2,
        "unreadable is_correct marked against the key": 1,
        TIME: 2,
    }
    assert counts["practice_sessions"]["repairs"] == {TIME: 2}
    assert counts["proficiency"]["repairs"] == {"level clamped to 0..1": 1}
    # Only dangling references remain rejected.
    for table, rows in report.rejected_rows.items():
        assert all(row["reason"].startswith("dangling foreign key") for row in rows), table


def test_strict_rejects_what_a_normal_run_repairs(doctored_satprep):
    path, ids = doctored_satprep
    report = _import(path, "satprep", strict=True)
    assert report.verify() == []
    assert all(counts["repaired"] == 0 for counts in report.counts.values())
    assert not LegacyBadge.objects.exists()
    rejected = {
        table: {row["legacy_id"]: row["reason"] for row in rows}
        for table, rows in report.rejected_rows.items()
    }
    assert "not valid JSON (it looks like a Python list" in rejected["questions"][97]
    assert rejected["questions"][5].startswith("created_at: unrecognised timestamp format")
    assert rejected["practice_sessions"][ids["sessions"][0]] == "started_at: required value is NULL"
    assert rejected["responses"][ids["responses"][0]].startswith("answered_at: impossible date")
    assert rejected["responses"][ids["responses"][1]].startswith("time_spent: duration -12.5 is negative")
    assert rejected["responses"][ids["responses"][3]].startswith("is_correct: boolean expected")
    assert rejected["badges"][1].startswith("awarded_at: impossible date")
    assert {reason for reason in rejected["badges"].values() if "no such badge" in reason} == {
        "no such badge in PrepNexus: 'Grammar Guru'",
        "no such badge in PrepNexus: 'Math Whiz'",
    }
    assert rejected["proficiency"][1] == "level: 1.25 is out of range 0.0..1.0"
    # A future time is not an error: strict keeps it as recorded, as the importer always did.
    future = Answer.objects.get(pk=_record("responses", ids["responses"][4]).object_id)
    assert future.answered_at == datetime(2099, 1, 1, tzinfo=UTC)


@pytest.fixture
def doctored_leitner(tmp_path):
    path = tmp_path / "leitner.db"
    shutil.copy(legacy_samples.sample("leitner"), path)
    db = sqlite3.connect(path)
    cards = [
        c
        for (c,) in db.execute(
            "SELECT DISTINCT card_id FROM review_log "
            "WHERE card_id % 101 <> 0 AND card_id % 157 <> 0 ORDER BY 1 LIMIT 3"
        )
    ]
    review = db.execute("SELECT min(id) FROM review_log WHERE card_id = ?", (cards[0],)).fetchone()[0]
    db.execute(
        "UPDATE cards SET next_review = 'soon', last_reviewed = '2024-02-30' WHERE id = ?", (cards[0],)
    )
    db.execute("UPDATE cards SET created_at = 'unknown', last_reviewed = NULL WHERE id = ?", (cards[1],))
    db.execute("UPDATE review_log SET reviewed_at = NULL, box_after = 9 WHERE id = ?", (review,))
    db.commit()
    db.close()
    return path, cards, review


def test_every_leitner_repair_keeps_the_card_and_its_reviews(doctored_leitner):
    path, cards, review = doctored_leitner
    report = _import(path, "leitner")
    assert report.verify() == []
    card = Flashcard.objects.get(pk=_record("cards", cards[0]).object_id)
    now = _record("cards", cards[0]).created_at
    assert card.due == now  # "due now"
    assert card.last_reviewed_at == card.created_at  # the card's creation stands in
    notes = _notes(report, "cards", cards[0])
    assert any(n.startswith("repaired next_review: unrecognised timestamp format 'soon'") for n in notes)
    assert any(n.startswith("repaired last_reviewed: impossible date '2024-02-30'") for n in notes)
    assert Flashcard.objects.get(pk=_record("cards", cards[1]).object_id).created_at == now
    log = FlashcardReview.objects.get(pk=_record("review_log", review).object_id)
    assert log.reviewed_at == card.created_at  # a review without a time: the card's creation
    assert sorted(_record("review_log", review).repairs) == ["box outside 1..5 clamped", TIME]
    assert card.review_count == FlashcardReview.objects.filter(card=card).count()
    # The sample's own boxes 0, 6 and NULL: clamped, their reviews imported.
    clamped = LegacyRecord.objects.filter(table="cards", repairs__contains=["box outside 1..5 clamped"])
    nulls = LegacyRecord.objects.filter(table="cards", repairs__contains=["NULL box set to 1"])
    assert clamped.count() + nulls.count() == 3
    for record in nulls:
        assert Flashcard.objects.get(pk=record.object_id).leitner_box == 1

    strict = _import(path, "leitner", strict=True)  # the same file again: replayed, nothing changes
    assert strict.counts == report.counts


def test_a_rerun_after_the_upgrade_imports_what_an_earlier_run_rejected_exactly_once(tmp_path):
    satprep, leitner = legacy_samples.sample("satprep"), legacy_samples.sample("leitner")
    old = {
        kind: _import(path, kind, strict=True) for kind, path in (("satprep", satprep), ("leitner", leitner))
    }
    assert (
        old["satprep"].counts["questions"]["rejected"] == 1
        and old["satprep"].counts["badges"]["rejected"] == 12
    )
    assert old["leitner"].counts["cards"]["rejected"] == 5

    new = {kind: _import(path, kind) for kind, path in (("satprep", satprep), ("leitner", leitner))}
    assert new["satprep"].counts["questions"] == {"imported": 119, "repaired": 1, "merged": 0, "rejected": 0}
    assert new["satprep"].counts["responses"] == {
        "imported": 1741,
        "repaired": 0,
        "merged": 119,
        "rejected": 8,
    }
    assert new["satprep"].counts["badges"] == {"imported": 28, "repaired": 12, "merged": 0, "rejected": 0}
    assert new["leitner"].counts["cards"] == {"imported": 349, "repaired": 3, "merged": 0, "rejected": 2}
    assert new["leitner"].counts["review_log"] == {"imported": 950, "repaired": 0, "merged": 0, "rejected": 1}
    assert all(report.verify() == [] for report in new.values())
    # Nothing twice: one record per source row, and the objects a fresh import makes.
    assert LegacyRecord.objects.count() == sum(sum(report.source_counts.values()) for report in new.values())
    assert Question.objects.count() == 120 and Answer.objects.count() == 1741
    assert LegacyBadge.objects.count() == 12 and BadgeAward.objects.count() == 28
    assert Flashcard.objects.count() == 352 and FlashcardReview.objects.count() == 950
    for session in PracticeSession.objects.all():
        assert session.answered_count == session.answers.count()

    # And a third run writes nothing.
    snapshot = {m._meta.label: m.objects.count() for m in apps.get_app_config("practice").get_models()}
    records = list(LegacyRecord.objects.order_by("pk").values_list("pk", "state", "reason", "created_at"))
    again = {kind: _import(path, kind) for kind, path in (("satprep", satprep), ("leitner", leitner))}
    assert {
        m._meta.label: m.objects.count() for m in apps.get_app_config("practice").get_models()
    } == snapshot
    assert (
        list(LegacyRecord.objects.order_by("pk").values_list("pk", "state", "reason", "created_at"))
        == records
    )
    assert {k: r.counts for k, r in again.items()} == {k: r.counts for k, r in new.items()}


def test_rows_redacted_when_their_learner_left_are_never_read_again():
    path = legacy_samples.sample("satprep")
    _import(path, "satprep", strict=True)
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    legacy_user = db.execute(
        "SELECT user_id FROM badges WHERE name = 'Math Whiz' ORDER BY id LIMIT 1"
    ).fetchone()[0]
    learner = User.objects.get(pk=_record("users", legacy_user).object_id)
    account_delete(user=learner)
    redacted = LegacyRecord.objects.filter(reason__startswith="redacted:")
    assert redacted.filter(table="badges").exists()
    before = set(redacted.values_list("table", "legacy_id"))

    report = _import(path, "satprep")
    assert report.verify() == []
    assert (
        set(LegacyRecord.objects.filter(reason__startswith="redacted:").values_list("table", "legacy_id"))
        == before
    )
    assert not User.objects.filter(email__iexact=learner.email).exists()
    assert (
        LegacyBadge.objects.filter(name="Math Whiz").count()
        == (
            db.execute(
                "SELECT count(*) FROM badges WHERE name = 'Math Whiz' AND user_id <> ?", (legacy_user,)
            ).fetchone()[0]
        )
    )
