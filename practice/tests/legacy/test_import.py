"""The legacy importer end to end: the shared samples and generated scale-5 files, against PostgreSQL."""

import dataclasses
import json
import shutil
import sqlite3
from collections import Counter
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.contrib.auth.hashers import identify_hasher
from django.db.models import Count, Q

from practice.legacy import parsing
from practice.legacy.base import LegacyImportError, read_ahead
from practice.legacy.importer import IMPORTERS, legacy_import
from practice.legacy.reader import SCHEMAS, LegacyReader
from practice.legacy.satprep import SatprepImport
from practice.models import (
    Answer,
    BadgeAward,
    Flashcard,
    FlashcardReview,
    LearnerStats,
    LegacyBadge,
    LegacyRecord,
    PracticeSession,
    Question,
    QuestionOption,
    ScoreSnapshot,
    SessionItem,
    Skill,
    SkillProficiency,
    StudyPreference,
    User,
)
from practice.selectors.questions import skills_for_choice
from practice.services.verification import email_verify, verify_token_make

from ..factories import make_user
from . import samples as legacy_samples

pytestmark = pytest.mark.django_db

SATPREP_TABLES = ("users", "questions", "practice_sessions", "responses", "results", "badges", "proficiency")


def _import(path, kind, **options):
    return legacy_import(path=path, kind=kind, **options).report


def _counts(report) -> dict[str, tuple[int, int, int, int, int]]:
    """Per table: (source, imported, repaired, merged, rejected)."""
    return {
        table: (report.source_counts[table], c["imported"], c["repaired"], c["merged"], c["rejected"])
        for table, c in report.counts.items()
    }


def _reasons(report, table) -> Counter:
    return Counter(row["reason"] for row in report.rejected_rows.get(table, []))


def _notes(report, table, starting: str) -> list[dict]:
    return [note for note in report.notes.get(table, []) if note["note"].startswith(starting)]


def _database_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count() for model in apps.get_app_config("practice").get_models()
    }


def _source(path):
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    return connection


def _assert_counters_agree():
    """Derived state: session and card counters equal the rows they count."""
    sessions = PracticeSession.objects.annotate(
        n_items=Count("items", distinct=True),
        n_answers=Count("answers", distinct=True),
        n_correct=Count("answers", filter=Q(answers__is_correct=True), distinct=True),
    )
    for session in sessions:
        assert (session.length, session.answered_count, session.correct_count) == (
            max(1, session.n_items),
            session.n_answers,
            session.n_correct,
        ), session.pk
    for card in Flashcard.objects.annotate(n=Count("reviews")):
        assert card.review_count == card.n
    for stats in LearnerStats.objects.all():
        answers = Answer.objects.filter(learner_id=stats.learner_id)
        assert stats.answers == answers.count()
        assert stats.correct == answers.filter(is_correct=True).count()
        assert stats.reviews == FlashcardReview.objects.filter(learner_id=stats.learner_id).count()


# --- the satprep sample ------------------------------------------------------------------------------


def test_satprep_sample_imports_with_every_row_accounted_for():
    path = legacy_samples.sample("satprep")
    report = _import(path, "satprep")
    assert report.verify() == []
    assert _counts(report) == {
        "users": (40, 40, 0, 0, 0),
        # Question 97's choices are a Python list: read safely, so it and its 12 responses import.
        "questions": (120, 119, 1, 0, 0),
        "practice_sessions": (130, 129, 0, 0, 1),
        # 119 repeat a question already answered in the session; 8 dangle.
        "responses": (1868, 1741, 0, 119, 8),
        "results": (111, 111, 0, 0, 0),
        # 12 "Math Whiz" and "Grammar Guru" awards become legacy badges.
        "badges": (40, 28, 12, 0, 0),
        "proficiency": (94, 94, 0, 0, 0),
    }
    assert User.objects.count() == 40
    assert Question.objects.count() == 120
    assert PracticeSession.objects.count() == 129
    assert Answer.objects.count() == SessionItem.objects.count() == 1741
    assert ScoreSnapshot.objects.count() == 111
    assert BadgeAward.objects.count() == 28 and LegacyBadge.objects.count() == 12
    assert SkillProficiency.objects.count() == 94
    assert LegacyRecord.objects.count() == sum(report.source_counts.values())
    _assert_counters_agree()


def test_satprep_sample_report_names_each_anomaly_class(tmp_path):
    path = legacy_samples.sample("satprep")
    report = _import(path, "satprep")
    source = _source(path)

    # 13: a Python-list choices is read safely (labels dropped) and noted; 18: its responses import.
    assert "questions" not in report.rejected_rows
    [note] = [n["note"] for n in _notes(report, "questions", "repaired choices") if n["legacy_id"] == 97]
    assert "not valid JSON (it looks like a Python list" in note and "labels written into each" in note
    question = Question.objects.get(external_id__endswith=":97")
    assert [o.text for o in question.options.order_by("label")] == ["1", "2", "3", "4"]
    assert LegacyRecord.objects.get(table="questions", legacy_id=97).repairs == [
        "choices as a Python list parsed"
    ]
    n_97 = source.execute("SELECT count(*) FROM responses WHERE question_id = 97").fetchone()[0]
    assert n_97 and SessionItem.objects.filter(question=question).count() == n_97  # no repeats of 97
    # 17 and 16: dangling references are the only rejections.
    reasons = _reasons(report, "responses")
    assert sum(reasons.values()) == 8
    assert all(reason.startswith("dangling foreign key: question_id") for reason in reasons)
    assert _reasons(report, "practice_sessions") == {"dangling foreign key: user_id 90 matches no user": 1}
    merged = report.merged_rows["responses"]
    assert len(merged) == 119 and all(row["into"].startswith("answer ") for row in merged)

    # 2: date-only precision inverts the order; kept and listed (there is no CHECK to satisfy).
    assert len(_notes(report, "practice_sessions", "completed_at is before started_at")) == 9
    # 4, 5, 6, 7: inactive, no email, upper-case and non-ASCII addresses.
    assert User.objects.filter(is_active=False).count() == 1
    assert User.objects.filter(email__endswith="@legacy.invalid").count() == 1
    upper = [email for (email,) in source.execute("SELECT email FROM users WHERE email = upper(email)")]
    assert len(upper) == 2
    for email in upper:
        assert User.objects.filter(email__iexact=email).count() == 1
    assert User.objects.filter(email__regex=r"[^\x00-\x7f]").count() == 4
    # 10: aliased topics are reported; case and trailing space are normalised.
    assert len(_notes(report, "questions", "topic ")) == 24
    assert len([n for n in report.notes["questions"] if "aliased" in n["note"]]) == 20
    assert Question.objects.filter(skill__listed=False).count() == 0  # no unknown topic in the samples
    # 12: grid-in questions become student-produced responses with their answer.
    spr = Question.objects.filter(type="spr")
    assert spr.count() == 14 and all(len(q.spr_answers) == 1 for q in spr)
    assert not QuestionOption.objects.filter(question__type="spr").exists()
    # 15: no explanation -> a draft; the rest are published.
    missing = source.execute("SELECT count(*) FROM questions WHERE explanation IS NULL").fetchone()[0]
    assert Question.objects.filter(status="draft").count() == missing
    assert len(_notes(report, "questions", "no explanation")) == missing
    # 14, 26: choices decoded (with or without \u escapes) and text kept verbatim.
    for row in source.execute("SELECT id, question_text, choices FROM questions WHERE choices LIKE '%\\u%'"):
        question = Question.objects.get(external_id__endswith=f":{row['id']}")
        assert question.stem == row["question_text"]
        assert [o.text for o in question.options.order_by("label")] == json.loads(row["choices"])
    # 19: unknown time spent is recorded as unknown (NULL), not as 0 seconds.
    unknown = Answer.objects.filter(time_spent_ms__isnull=True).count()
    assert unknown and unknown == len(_notes(report, "responses", "time_spent is NULL"))
    assert not Answer.objects.filter(time_spent_ms=0).exists()
    # 20: abandoned sessions are unfinished.
    abandoned = source.execute(
        "SELECT count(*) FROM practice_sessions WHERE completed_at IS NULL"
    ).fetchone()[0]
    orphan_abandoned = source.execute(
        "SELECT count(*) FROM practice_sessions "
        "WHERE completed_at IS NULL AND user_id NOT IN (SELECT id FROM users)"
    ).fetchone()[0]
    assert PracticeSession.objects.filter(status="in_progress").count() == abandoned - orphan_abandoned
    # 1: every timestamp format lands on the same instant as the parser reads it.
    for row in source.execute("SELECT id, created_at FROM users"):
        user = User.objects.get(pk=LegacyRecord.objects.get(table="users", legacy_id=row["id"]).object_id)
        assert user.date_joined == parsing.parse_timestamp(row["created_at"])
    # Badges without a catalogue equivalent are kept as legacy badges, with their description and date.
    assert "badges" not in report.rejected_rows
    assert set(LegacyBadge.objects.values_list("name", flat=True)) == {"Grammar Guru", "Math Whiz"}
    for row in source.execute("SELECT * FROM badges WHERE name IN ('Grammar Guru', 'Math Whiz')"):
        record = LegacyRecord.objects.get(table="badges", legacy_id=row["id"])
        badge = LegacyBadge.objects.get(pk=record.object_id)
        assert (badge.description, badge.awarded_at, badge.source) == (
            row["description"],
            parsing.parse_timestamp(row["awarded_at"]),
            "satprep",
        )
        assert record.repairs == ["badge with no PrepNexus equivalent kept as a legacy badge"]
    # 27: bcrypt hashes are stored for the legacy hasher.
    assert all(u.password.startswith("legacy_bcrypt$") for u in User.objects.all())

    written = report.write(tmp_path / "satprep.json")
    data = json.loads(written[0].read_text(encoding="utf-8"))
    assert data["verified"] and data["sha256"] == report.sha256
    assert data["tables"]["responses"]["merged"] == 119
    assert {p.name for p in written} >= {"satprep.json", "satprep.responses.rejected.csv"}


def test_rerun_adds_nothing_and_reports_the_same():
    path = legacy_samples.sample("satprep")
    first = _import(path, "satprep")
    before = _database_counts()
    answers = list(Answer.objects.order_by("pk").values_list("pk", "session_id", "given", "answered_at"))
    second = _import(path, "satprep")
    assert _database_counts() == before
    assert (
        list(Answer.objects.order_by("pk").values_list("pk", "session_id", "given", "answered_at")) == answers
    )
    assert _counts(second) == _counts(first)
    assert second.rejected_rows == first.rejected_rows
    assert (
        second.as_dict()["tables"]["responses"]["merged_rows"]
        == first.as_dict()["tables"]["responses"]["merged_rows"]
    )


def test_dry_run_commits_nothing_and_reports_what_a_real_run_does():
    path = legacy_samples.sample("satprep")
    before = _database_counts()
    dry = _import(path, "satprep", dry_run=True)
    assert _database_counts() == before
    assert dry.dry_run and dry.verify() == []
    real = _import(path, "satprep")
    assert _counts(dry) == _counts(real)
    assert dry.rejected_rows == real.rejected_rows


def test_a_run_after_a_failure_resumes_where_the_last_batch_committed(monkeypatch):
    path = legacy_samples.sample("satprep")
    original = SatprepImport.tables["responses"]

    def failing(self, batch, writes):
        if batch[0].legacy_id > 1000:
            raise RuntimeError("injected failure in the third batch")
        return original.handle(self, batch, writes)

    monkeypatch.setitem(SatprepImport.tables, "responses", dataclasses.replace(original, handle=failing))
    with pytest.raises(RuntimeError, match="injected"):
        _import(path, "satprep", batch_size=500)
    recorded = LegacyRecord.objects.filter(table="responses")
    assert recorded.count() == 1000  # two whole batches; the failed one left nothing
    assert not LegacyRecord.objects.filter(table="results").exists()

    monkeypatch.setitem(SatprepImport.tables, "responses", original)
    report = _import(path, "satprep", batch_size=500)
    assert report.verify() == []
    assert report.counts["responses"] == {"imported": 1741, "repaired": 0, "merged": 119, "rejected": 8}
    assert Answer.objects.count() == 1741
    assert LegacyRecord.objects.filter(table="responses").count() == 1868
    _assert_counters_agree()


def test_doctored_rows_are_rejected_repaired_merged_or_kept_under_unclassified(tmp_path):
    path = tmp_path / "doctored.db"
    shutil.copy(legacy_samples.sample("satprep"), path)
    db = sqlite3.connect(path)
    db.execute("UPDATE questions SET topic = 'Astrology', section = 'Math' WHERE id = 1")
    db.execute("UPDATE users SET created_at = '2023-02-30 10:00:00' WHERE id = 3")
    db.execute("UPDATE responses SET time_spent = 'slow' WHERE id = 7")
    db.execute("UPDATE users SET hashed_password = 'md5$abc' WHERE id = 6")
    db.execute("UPDATE users SET email = 'not an address' WHERE id = 9")
    db.execute("UPDATE questions SET question_text = 'nul' || char(0) || 'inside' WHERE id = 2")
    db.execute("UPDATE questions SET explanation = x'00ff' WHERE id = 3")
    email = db.execute("SELECT email FROM users WHERE id = 7").fetchone()[0]
    db.execute("UPDATE users SET email = ? WHERE id = 8", (" " + email.upper() + " ",))
    db.commit()
    db.close()

    report = _import(path, "satprep")
    assert report.verify() == []
    question = Question.objects.get(external_id__endswith=":1")
    assert question.skill.name == "Unclassified" and question.status == "draft"
    assert question.skill.domain.section.name == "Math"
    assert _notes(report, "questions", "unknown topic 'Astrology'")
    rejected_questions = {row["legacy_id"]: row for row in report.rejected_rows["questions"]}
    assert "NUL character" in rejected_questions[2]["reason"]
    assert rejected_questions[2]["raw"]["question_text"] == "nul\x00inside"
    assert "found bytes" in rejected_questions[3]["reason"]
    assert rejected_questions[3]["raw"]["explanation"] == b"\x00\xff"
    again = _import(path, "satprep")  # the id map holds those rows verbatim too
    assert again.rejected_rows == report.rejected_rows
    # An impossible date of joining takes the import's time; an unreadable duration becomes unknown.
    assert "users" not in report.rejected_rows
    [note] = [n["note"] for n in report.notes["users"] if n["legacy_id"] == 3]
    assert note.startswith("repaired created_at: impossible date '2023-02-30 10:00:00'")
    three = User.objects.get(pk=LegacyRecord.objects.get(table="users", legacy_id=3).object_id)
    assert three.date_joined == LegacyRecord.objects.get(table="users", legacy_id=3).created_at
    response_7 = LegacyRecord.objects.get(table="responses", legacy_id=7)
    assert response_7.state == "imported" and response_7.repairs == [
        "impossible or unreadable duration made unknown"
    ]
    assert Answer.objects.get(pk=response_7.object_id).time_spent_ms is None
    # A malformed hash costs the password, not the account.
    six = User.objects.get(pk=LegacyRecord.objects.get(table="users", legacy_id=6).object_id)
    assert not six.has_usable_password()
    nine = User.objects.get(pk=LegacyRecord.objects.get(table="users", legacy_id=9).object_id)
    assert nine.email.endswith("@legacy.invalid")
    assert _notes(report, "users", "email not imported (not an email address")
    # The same inbox in another case merges into the first account, and its sessions follow.
    [merged] = report.merged_rows["users"]
    seven = LegacyRecord.objects.get(table="users", legacy_id=7).object_id
    assert merged["legacy_id"] == 8 and merged["into"] == f"user {seven}"
    eight_sessions = LegacyRecord.objects.filter(table="practice_sessions", state="imported")
    source = _source(path)
    eights = [i for (i,) in source.execute("SELECT id FROM practice_sessions WHERE user_id = 8")]
    assert eights
    for record in eight_sessions.filter(legacy_id__in=eights):
        assert PracticeSession.objects.get(pk=record.object_id).learner_id == seven
    # The sessions of the repaired user import with it.
    threes = [i for (i,) in source.execute("SELECT id FROM practice_sessions WHERE user_id = 3")]
    assert threes
    assert LegacyRecord.objects.filter(
        table="practice_sessions", legacy_id__in=threes, state="imported"
    ).count() == len(threes)


def test_unclassified_skills_stay_out_of_pickers_and_counts():
    assert Skill.all_objects.filter(listed=False, name="Unclassified").count() == 2
    assert not Skill.objects.filter(name="Unclassified").exists()
    assert not skills_for_choice().filter(name="Unclassified").exists()


# --- the leitner sample ------------------------------------------------------------------------------


def test_leitner_sample_imports_cards_on_the_leitner_scheduler():
    path = legacy_samples.sample("leitner")
    report = _import(path, "leitner")
    assert report.verify() == []
    # 3 boxes outside 1..5 are clamped (their 6 reviews import); the 2 dangling owners and their 1 review
    # stay rejected.
    assert _counts(report) == {
        "users": (15, 15, 0, 0, 0),
        "cards": (354, 349, 3, 0, 2),
        "review_log": (951, 950, 0, 0, 1),
    }
    reasons = _reasons(report, "cards")
    assert sum(n for r, n in reasons.items() if r.startswith("dangling foreign key: user_id")) == 2
    assert sum(reasons.values()) == 2
    assert all(r.endswith("was rejected") for r in _reasons(report, "review_log"))
    assert Flashcard.objects.count() == 352 and FlashcardReview.objects.count() == 950
    assert set(Flashcard.objects.values_list("scheduler", flat=True)) == {"leitner"}
    assert StudyPreference.objects.filter(flashcard_scheduler="leitner").count() == 15
    source = _source(path)
    for row in source.execute("SELECT id, box, next_review, last_reviewed FROM cards"):
        record = LegacyRecord.objects.get(table="cards", legacy_id=row["id"])
        if record.state != "imported":
            continue
        card = Flashcard.objects.get(pk=record.object_id)
        assert card.leitner_box == {None: 1, 0: 1, 6: 5}.get(row["box"], row["box"])
        assert bool(record.repairs) == (row["box"] not in (1, 2, 3, 4, 5))
        assert card.due == parsing.parse_timestamp(row["next_review"])
        assert card.last_reviewed_at == parsing.parse_timestamp(row["last_reviewed"])
        if len(str(row["next_review"])) == 10:
            assert card.due == datetime(card.due.year, card.due.month, card.due.day, tzinfo=UTC)
    assert all(u.password.startswith("legacy_werkzeug$") for u in User.objects.all())
    _assert_counters_agree()


def _leitner_user_with_email():
    source = _source(legacy_samples.sample("leitner"))
    row = source.execute("SELECT id, email FROM users WHERE email IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    n_cards = source.execute("SELECT count(*) FROM cards WHERE user_id = ?", (row["id"],)).fetchone()[0]
    assert n_cards
    return row["id"], row["email"], n_cards


@pytest.mark.parametrize(
    ("account", "options"),
    [
        ({"email_verified_at": datetime(2026, 3, 1, tzinfo=UTC)}, {}),
        (
            {"date_joined": datetime(2025, 6, 1, tzinfo=UTC)},
            {"merge_accounts_before": datetime(2026, 1, 1, tzinfo=UTC)},
        ),
    ],
    ids=["verified", "self-registered-before-the-cutoff"],
)
def test_leitner_user_merges_into_an_account_whose_email_is_trusted(account, options):
    legacy_id, email, n_cards = _leitner_user_with_email()
    existing = make_user(username="already-here", email=email.upper(), **account)
    report = _import(legacy_samples.sample("leitner"), "leitner", **options)
    [merged] = report.merged_rows["users"]
    assert merged["legacy_id"] == legacy_id and merged["into"] == f"user {existing.pk}"
    assert "leitner password was not imported" in merged["reason"]
    assert Flashcard.objects.filter(owner=existing).count() == n_cards
    existing.refresh_from_db()
    assert not existing.password.startswith("legacy_")


@pytest.mark.parametrize(
    "options",
    [{}, {"merge_accounts_before": datetime(2026, 1, 1, tzinfo=UTC)}],
    ids=["no-cutoff", "joined-after-the-cutoff"],
)
def test_leitner_user_is_not_merged_into_a_self_registered_account_with_its_email(options):
    legacy_id, email, n_cards = _leitner_user_with_email()
    squatter = make_user(username="squatter", email=email, date_joined=datetime(2026, 2, 1, tzinfo=UTC))
    report = _import(legacy_samples.sample("leitner"), "leitner", **options)
    assert report.verify() == []
    assert "users" not in report.merged_rows or not report.merged_rows["users"]
    [conflict] = _notes(report, "users", "email conflict")
    assert conflict["legacy_id"] == legacy_id
    assert f"belongs to user {squatter.pk}, an account not trusted" in conflict["note"]
    assert "its address is not verified" in conflict["note"]
    record = LegacyRecord.objects.get(table="users", legacy_id=legacy_id)
    assert record.state == "imported" and record.object_id != squatter.pk
    separate = User.objects.get(pk=record.object_id)
    assert separate.email.endswith("@legacy.invalid")
    assert Flashcard.objects.filter(owner=separate).count() == n_cards
    assert not Flashcard.objects.filter(owner=squatter).exists()


def test_leitner_user_is_not_merged_into_an_unverified_staff_account():
    legacy_id, email, _ = _leitner_user_with_email()
    staff = make_user(username="staff-unverified", email=email, is_staff=True)
    report = _import(legacy_samples.sample("leitner"), "leitner")
    assert "users" not in report.merged_rows or not report.merged_rows["users"]
    [conflict] = _notes(report, "users", "email conflict")
    assert (
        f"belongs to user {staff.pk}, an account not trusted to own it (its address is not verified"
        in (conflict["note"])
    )
    assert conflict["legacy_id"] == legacy_id
    assert not Flashcard.objects.filter(owner=staff).exists()


def test_a_legacy_user_merges_once_the_account_verifies_its_address():
    """The learner who signed up with the address follows the mailed link; the import then merges."""
    legacy_id, email, n_cards = _leitner_user_with_email()
    learner = make_user(username="signed-up", email=email)
    email_verify(token=verify_token_make(user=learner), user=learner)
    report = _import(legacy_samples.sample("leitner"), "leitner")
    [merged] = report.merged_rows["users"]
    assert merged["legacy_id"] == legacy_id and merged["into"] == f"user {learner.pk}"
    assert Flashcard.objects.filter(owner=learner).count() == n_cards


def test_leitner_user_merges_into_the_account_a_satprep_import_made(tmp_path):
    satprep = _source(legacy_samples.sample("satprep"))
    email = satprep.execute("SELECT email FROM users WHERE email IS NOT NULL ORDER BY id LIMIT 1").fetchone()[
        0
    ]
    legacy_id, _, _ = _leitner_user_with_email()
    _import(legacy_samples.sample("satprep"), "satprep")
    learner = User.objects.get(email__iexact=email)
    path = _doctored_leitner_email(tmp_path / "leitner.db", legacy_id, email)
    report = _import(path, "leitner")
    [merged] = report.merged_rows["users"]
    assert merged["legacy_id"] == legacy_id and merged["into"] == f"user {learner.pk}"


def _doctored_leitner_email(path, legacy_id, email):
    shutil.copy(legacy_samples.sample("leitner"), path)
    db = sqlite3.connect(path)
    db.execute("UPDATE users SET email = ? WHERE id = ?", (email, legacy_id))
    db.commit()
    db.close()
    return path


# --- generated files at scale 5 ----------------------------------------------------------------------


def _expected_satprep(path) -> dict[str, tuple[int, int, int, int]]:
    """The counts worked out with SQL on the source file alone."""
    db = _source(path)
    one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    bad_q = "(SELECT id FROM questions WHERE choices LIKE '[''%')"  # a Python list: repaired
    good_s = "(SELECT id FROM practice_sessions WHERE user_id IN (SELECT id FROM users))"
    good_q = "(SELECT id FROM questions)"
    kept = f"FROM responses WHERE session_id IN {good_s} AND question_id IN {good_q}"
    responses, kept_pairs = (
        one("SELECT count(*) FROM responses"),
        one(f"SELECT count(*) FROM (SELECT DISTINCT session_id, question_id {kept})"),
    )
    kept_rows = one(f"SELECT count(*) {kept}")
    results = one("SELECT count(*) FROM results")
    known_badges = one("SELECT count(*) FROM badges WHERE name IN ('First Steps', 'Streak 7', 'Century')")
    repaired_q = one(f"SELECT count(*) FROM {bad_q}")
    n_questions, n_badges = one("SELECT count(*) FROM questions"), one("SELECT count(*) FROM badges")
    return {
        "users": (one("SELECT count(*) FROM users"),) * 2 + (0, 0, 0),
        "questions": (n_questions, n_questions - repaired_q, repaired_q, 0, 0),
        "practice_sessions": (one("SELECT count(*) FROM practice_sessions"),
                              one(f"SELECT count(*) FROM {good_s}"), 0, 0, 1),
        "responses": (responses, kept_pairs, 0, kept_rows - kept_pairs, responses - kept_rows),
        "results": (results, results, 0, 0, 0),
        # Badges PrepNexus lacks become legacy badges (the generator gives no learner one twice).
        "badges": (n_badges, known_badges, n_badges - known_badges, 0, 0),
        "proficiency": (one("SELECT count(*) FROM proficiency"),) * 2 + (0, 0, 0),
    }  # fmt: skip


def test_generated_satprep_scale_5_imports_with_the_counts_sql_predicts():
    path = legacy_samples.generated("satprep", 5)
    report = _import(path, "satprep")
    assert report.verify() == []
    assert _counts(report) == _expected_satprep(path)
    assert report.counts["questions"]["repaired"] == 6  # seed 7: six Python-list choices (see the docs)
    assert Answer.objects.count() == report.counts["responses"]["imported"]
    # Every rejection is a dangling reference or its cascade, and they are under 1% of the rows.
    for table, rows in report.rejected_rows.items():
        assert all(row["reason"].startswith("dangling foreign key") for row in rows), table
    rejected = sum(counts["rejected"] for counts in report.counts.values())
    assert rejected / sum(report.source_counts.values()) < 0.01
    _assert_counters_agree()


def test_generated_leitner_scale_5_imports_with_the_counts_sql_predicts():
    path = legacy_samples.generated("leitner", 5)
    report = _import(path, "leitner")
    assert report.verify() == []
    db = _source(path)
    one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    good_cards = "(SELECT id FROM cards WHERE user_id IN (SELECT id FROM users))"
    boxed = f"(SELECT id FROM {good_cards} JOIN cards USING (id) WHERE box BETWEEN 1 AND 5)"
    n_cards, n_reviews = one("SELECT count(*) FROM cards"), one("SELECT count(*) FROM review_log")
    kept_cards, in_range = one(f"SELECT count(*) FROM {good_cards}"), one(f"SELECT count(*) FROM {boxed}")
    kept_reviews = one(f"SELECT count(*) FROM review_log WHERE card_id IN {good_cards}")
    assert _counts(report) == {
        "users": (one("SELECT count(*) FROM users"),) * 2 + (0, 0, 0),
        "cards": (n_cards, in_range, kept_cards - in_range, 0, n_cards - kept_cards),
        "review_log": (n_reviews, kept_reviews, 0, 0, n_reviews - kept_reviews),
    }
    assert kept_cards > in_range  # the generator writes boxes 0, 6 and NULL
    assert FlashcardReview.objects.count() == kept_reviews
    _assert_counters_agree()


# --- passwords through the real login view -----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "source"), [("satprep", "sample"), ("leitner", "sample"), ("leitner", "generated")]
)
def test_old_passwords_log_in_after_import_and_are_upgraded(client, kind, source):
    path = legacy_samples.sample(kind) if source == "sample" else legacy_samples.generated(kind, 5)
    _import(path, kind)
    credentials = legacy_samples.credentials(path)
    assert credentials
    for row in credentials:
        login = row["email"] or row["username"]
        response = client.post(
            "/accounts/login/", {"username": login, "password": "wrong-" + row["password"]}
        )
        assert response.status_code == 200
        response = client.post("/accounts/login/", {"username": login, "password": row["password"]})
        assert response.status_code == 302, f"{login} could not log in"
        user = User.objects.get(pk=client.session["_auth_user_id"])
        assert user.username == row["username"]
        assert identify_hasher(user.password).algorithm == "argon2"
        client.logout()


# --- the table registry ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["satprep", "leitner"])
def test_every_source_table_has_a_handler_in_load_order(kind):
    assert list(IMPORTERS[kind].tables) == [spec.name for spec in SCHEMAS[kind]]


def test_a_table_without_a_handler_is_refused_before_anything_is_written(monkeypatch):
    monkeypatch.delitem(SatprepImport.tables, "badges")
    before = _database_counts()
    with pytest.raises(LegacyImportError, match="no handler for satprep table"):
        _import(legacy_samples.sample("satprep"), "satprep")
    assert _database_counts() == before


# --- reading ahead -----------------------------------------------------------------------------------


def test_batches_read_ahead_in_order_and_a_read_error_reaches_the_importer(monkeypatch):
    path = legacy_samples.sample("leitner")
    with LegacyReader(path) as reader:
        ids = [row.legacy_id for batch in read_ahead(reader, "cards", 100, 0) for row in batch]
        assert ids == sorted(ids) and len(ids) == reader.count("cards")
        # Leaving early stops the reading thread instead of leaving it blocked.
        for _batch in read_ahead(reader, "review_log", 10, 0):
            break
        real = LegacyReader.batches

        def broken(self, table, batch_size=1000, after_id=0):
            yield from list(real(self, table, batch_size, after_id))[:1]
            raise sqlite3.DatabaseError("database disk image is malformed")

        monkeypatch.setattr(LegacyReader, "batches", broken)
        got = []
        with pytest.raises(sqlite3.DatabaseError, match="malformed"):
            for batch in read_ahead(reader, "cards", 100, 0):
                got.append(batch)
        assert len(got) == 1


def test_huge_integers_and_deep_json_reject_their_row_and_user_rows_keep_no_hash(tmp_path):
    path = tmp_path / "hostile.db"
    shutil.copy(legacy_samples.sample("satprep"), path)
    db = sqlite3.connect(path)
    db.execute("UPDATE questions SET choices = ? WHERE id = 1", ("[" * 100_000 + "]" * 100_000,))
    db.execute("UPDATE practice_sessions SET user_id = ? WHERE id = 1", ("9" * 5000,))
    db.execute("UPDATE practice_sessions SET user_id = 1e300 WHERE id = 2")
    db.execute("UPDATE users SET username = ' ' WHERE id = 3")  # an empty required text: rejected
    secret = db.execute("SELECT hashed_password FROM users WHERE id = 3").fetchone()[0]
    db.commit()
    db.close()

    report = _import(path, "satprep")
    assert report.verify() == []
    questions = {row["legacy_id"]: row["reason"] for row in report.rejected_rows["questions"]}
    assert questions[1] == "choices: choices is JSON nested too deeply to read"
    sessions = {row["legacy_id"]: row["reason"] for row in report.rejected_rows["practice_sessions"]}
    # SQLite stores the 5,000 digits as REAL infinity (NUMERIC affinity); the id map keeps it all the same.
    assert sessions[1] == "user_id: integer expected, found inf"
    assert "is too large" in sessions[2]
    [user] = [row for row in report.rejected_rows["users"] if row["legacy_id"] == 3]
    assert user["raw"]["hashed_password"] == "[redacted]"
    record = LegacyRecord.objects.get(table="users", legacy_id=3)
    assert record.raw["hashed_password"] == "[redacted]"
    written = report.write(tmp_path / "report.json")
    for file in written:
        assert secret not in file.read_text(encoding="utf-8")
    again = _import(path, "satprep")  # replayed from the id map: still redacted
    assert again.rejected_rows["users"] == report.rejected_rows["users"]
