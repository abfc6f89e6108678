"""Proficiency, review items, streaks, badges and snapshots as answers are recorded."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from practice.engine.irt import ItemParams, information
from practice.engine.mastery import Level
from practice.engine.streaks import streak_after
from practice.models import (
    Answer,
    BadgeAward,
    DailyActivity,
    LearnerStats,
    PracticeSession,
    ReviewAttempt,
    ReviewItem,
    ScoreSnapshot,
    Skill,
    SkillProficiency,
)
from practice.selectors.progress import predicted_scores, section_progress, skill_rows
from practice.services.activity import badges_award, streak_current
from practice.services.answers import answer_submit
from practice.services.review import review_answer_submit
from practice.services.sessions import (
    practice_session_expire_if_due,
    practice_session_finish,
    practice_session_start,
)

from .factories import (
    ensure_taxonomy,
    make_question,
    make_questions,
    make_session,
    make_user,
    math,
    reading_writing,
)
from .learning_factories import answer_all, make_answered_session, set_time_zone

pytestmark = pytest.mark.django_db


def test_answer_updates_the_skill_proficiency_in_the_same_transaction():
    learner = make_user()
    session = make_answered_session(learner, count=3, correct=True)
    row = SkillProficiency.objects.get(learner=learner)
    assert row.skill_id == session.items.first().question.skill_id
    assert (row.answers, row.correct) == (3, 3)
    assert row.mean > 0.5 and row.var < 1
    assert row.level == Level.FAMILIAR


def test_a_replayed_answer_does_not_count_twice():
    learner = make_user()
    session = make_session(learner, count=2)
    item = session.items.get(position=1)
    key = uuid.uuid4()
    answer_submit(session=session, question=item.question, given="B", key=key)
    answer_submit(session=session, question=item.question, given="B", key=key)
    assert SkillProficiency.objects.get(learner=learner).answers == 1
    assert LearnerStats.objects.get(learner=learner).answers == 1


def test_a_failure_after_the_answer_rolls_back_the_proficiency_too(monkeypatch):
    learner = make_user()
    session = make_session(learner, count=2)
    item = session.items.get(position=1)

    def boom(*args, **kwargs):
        raise RuntimeError("engine failure")

    monkeypatch.setattr("practice.services.progress.update_skill", boom)
    with pytest.raises(RuntimeError):
        answer_submit(session=session, question=item.question, given="A", key=uuid.uuid4())
    assert not Answer.objects.exists()
    assert not SkillProficiency.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_answers_by_one_learner_all_count():
    ensure_taxonomy()  # transactional tests run after others, which may have flushed it
    learner = make_user()
    sessions = [make_session(learner, count=4) for _ in range(3)]
    errors = []

    def answer(session):
        try:
            answer_all(session, correct=True)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    row = SkillProficiency.objects.get(learner=learner)
    assert (row.answers, row.correct) == (12, 12)
    stats = LearnerStats.objects.get(learner=learner)
    assert (stats.answers, stats.sessions_completed) == (12, 3)
    assert DailyActivity.objects.get(learner=learner).answers == 12


def test_a_missed_question_becomes_a_review_item_due_soon():
    learner = make_user()
    session = make_answered_session(learner, count=1, correct=False)
    item = ReviewItem.objects.get(learner=learner)
    assert item.reason == ReviewItem.Reason.MISSED
    assert item.question_id == session.items.get().question_id
    assert item.fsrs_state["state"] in (1, 3)  # learning or relearning
    assert item.due <= timezone.now() + timedelta(hours=1)


def test_a_correct_but_slow_answer_becomes_a_review_item_and_a_quick_one_does_not():
    learner = make_user()
    make_answered_session(learner, count=1, correct=True, seconds=95 * 2)  # Math pace is 95 s
    make_answered_session(learner, count=1, correct=True, seconds=40)
    [item] = ReviewItem.objects.filter(learner=learner)
    assert item.reason == ReviewItem.Reason.SLOW


def test_answering_a_review_item_reschedules_it_and_logs_the_attempt():
    learner = make_user()
    make_answered_session(learner, count=1, correct=False)
    item = ReviewItem.objects.get(learner=learner)
    now = item.due + timedelta(minutes=1)
    key = uuid.uuid4()
    attempt = review_answer_submit(item=item, given="B", key=key, time_spent_ms=60_000, now=now)
    item.refresh_from_db()
    assert attempt.is_correct and attempt.rating == 3
    assert item.due > now and item.reviews == 1 and item.due == attempt.due_after
    again = review_answer_submit(item=item, given="A", key=key, time_spent_ms=30_000, now=now)
    assert again.pk == attempt.pk and ReviewAttempt.objects.count() == 1
    assert LearnerStats.objects.get(learner=learner).reviews == 1


def test_a_wrong_review_answer_is_rated_again_and_counts_a_lapse():
    learner = make_user()
    make_answered_session(learner, count=1, correct=False)
    item = ReviewItem.objects.get(learner=learner)
    attempt = review_answer_submit(item=item, given="C", key=uuid.uuid4(), time_spent_ms=5_000)
    item.refresh_from_db()
    assert attempt.rating == 1 and not attempt.is_correct and item.lapses == 1


def test_badge_is_awarded_exactly_once():
    learner = make_user()
    assert len(badges_award(learner=learner, codes=["first-answer"])) == 1
    assert badges_award(learner=learner, codes=["first-answer"]) == []
    with pytest.raises(IntegrityError):
        BadgeAward.objects.create(learner=learner, code="first-answer")


def test_first_answer_first_session_and_perfect_session_badges():
    learner = make_user()
    make_answered_session(learner, count=5, correct=True)
    codes = set(BadgeAward.objects.filter(learner=learner).values_list("code", flat=True))
    assert {"first-answer", "first-session", "perfect-session"} <= codes


def test_an_imperfect_session_earns_no_perfect_badge():
    learner = make_user()
    make_answered_session(learner, count=5, correct=[True, True, True, True, False])
    assert not BadgeAward.objects.filter(learner=learner, code="perfect-session").exists()


def test_100_answers_badge_from_running_totals():
    learner = make_user()
    LearnerStats.objects.create(learner=learner, answers=99, correct=50)
    make_answered_session(learner, count=1)
    assert BadgeAward.objects.filter(learner=learner, code="answers-100").exists()
    assert not BadgeAward.objects.filter(learner=learner, code="answers-1000").exists()


def test_both_sections_badge():
    learner = make_user()
    make_answered_session(learner, count=1)
    rw_skill = Skill.objects.filter(domain__section=reading_writing()).first()
    make_answered_session(
        learner, count=1, section=reading_writing(), question_ids=[make_question(skill=rw_skill).pk]
    )
    assert BadgeAward.objects.filter(learner=learner, code="both-sections").exists()


def test_skill_mastered_badge_needs_a_correct_answer_a_day_after_proficient():
    learner = make_user()
    start = timezone.now() - timedelta(days=3)
    make_answered_session(learner, count=12, correct=True, start=start)
    row = SkillProficiency.objects.get(learner=learner)
    assert row.level == Level.PROFICIENT
    assert not BadgeAward.objects.filter(learner=learner, code="skill-mastered").exists()
    make_answered_session(learner, count=1, correct=True)
    row.refresh_from_db()
    assert row.level == Level.MASTERED
    assert BadgeAward.objects.filter(learner=learner, code="skill-mastered").exists()


def _answer_at(learner, when):
    session = make_session(learner, count=1)
    answer_all(session, start=when - timedelta(seconds=30))


def test_streak_counts_days_in_the_learners_time_zone():
    learner = make_user()
    set_time_zone(learner, "America/Los_Angeles")
    # 03:30 UTC on 2 March is still 1 March in Los Angeles; 20:00 UTC on 2 March is 2 March there.
    _answer_at(learner, datetime(2026, 3, 2, 3, 30, tzinfo=UTC))
    _answer_at(learner, datetime(2026, 3, 2, 20, 0, tzinfo=UTC))
    stats = LearnerStats.objects.get(learner=learner)
    assert stats.current_streak == 2
    assert stats.last_active_day.isoformat() == "2026-03-02"
    days = list(DailyActivity.objects.filter(learner=learner).order_by("day").values_list("day", flat=True))
    assert [d.isoformat() for d in days] == ["2026-03-01", "2026-03-02"]


def test_same_utc_day_can_be_two_local_days_and_vice_versa():
    learner = make_user()
    set_time_zone(learner, "Asia/Tokyo")
    # 14:00 and 16:00 UTC on one day straddle midnight in Tokyo (UTC+9): two local days.
    _answer_at(learner, datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    _answer_at(learner, datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    assert LearnerStats.objects.get(learner=learner).current_streak == 2


def test_a_missed_day_restarts_the_streak_and_keeps_the_longest():
    learner = make_user()
    base = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    for day in (0, 1, 2, 4):
        _answer_at(learner, base + timedelta(days=day))
    stats = LearnerStats.objects.get(learner=learner)
    assert (stats.current_streak, stats.longest_streak) == (1, 3)
    assert streak_current(stats, (base + timedelta(days=5)).date()) == 1
    assert streak_current(stats, (base + timedelta(days=6)).date()) == 0


def test_seven_day_streak_badge():
    learner = make_user()
    base = timezone.now() - timedelta(days=6)
    for day in range(7):
        _answer_at(learner, base + timedelta(days=day))
    assert BadgeAward.objects.filter(learner=learner, code="streak-7").exists()


def test_finishing_a_session_records_one_score_snapshot_whatever_the_path():
    learner = make_user()
    session = make_session(learner, count=3)
    answer_all(session, correct=[True, False])
    practice_session_finish(session=session)
    practice_session_finish(session=session)
    assert ScoreSnapshot.objects.filter(session=session).count() == 1
    assert LearnerStats.objects.get(learner=learner).sessions_completed == 1


def test_an_expired_timed_session_is_recorded_as_finished():
    learner = make_user()
    session = make_session(learner, count=2, mode="timed")
    practice_session_expire_if_due(session=session, now=session.deadline + timedelta(minutes=5))
    assert session.status == PracticeSession.Status.TIMED_OUT
    assert ScoreSnapshot.objects.filter(session=session).count() == 1


def test_predicted_scores_need_ten_answers_in_a_section():
    learner = make_user()
    make_answered_session(learner, count=9, correct=True)
    scores = predicted_scores(learner=learner)
    assert not scores["math"].enough_data and scores["math"].needed == 1
    make_answered_session(learner, count=1, correct=True)
    scores = predicted_scores(learner=learner)
    assert scores["math"].enough_data and scores["math"].score > 500
    assert scores["math"].low <= scores["math"].score <= scores["math"].high
    assert not scores["total"].enough_data


def test_matched_to_me_picks_informative_unseen_questions_from_weak_skills():
    learner = make_user()
    skills = list(Skill.objects.filter(domain__section=math()).order_by("pk")[:2])
    strong, weak = skills
    # The learner is strong on one skill and weak on the other.
    SkillProficiency.objects.create(learner=learner, skill=strong, mean=1.8, var=0.1, answers=20, correct=19)
    SkillProficiency.objects.create(learner=learner, skill=weak, mean=-1.5, var=0.1, answers=20, correct=4)
    for skill in skills:
        for b in (-2.0, -1.5, 0.0, 1.0, 2.0):
            make_question(skill=skill, irt_b=b, irt_c=0.0, irt_a=1.5)
    seen = make_question(skill=weak, irt_b=-1.5, irt_c=0.0, irt_a=1.5)
    old = make_session(learner, question_ids=[seen.pk])
    answer_all(old)
    session = practice_session_start(
        learner=learner, section=math(), difficulty="matched", length=5, skills=skills
    )
    questions = [i.question for i in session.items.select_related("question").order_by("position")]
    assert seen.pk not in {q.pk for q in questions}
    assert questions[0].skill_id == weak.pk
    # The first is the most informative unseen item at the weak skill's current estimate.
    theta = section_progress(skill_rows(learner=learner))["math"].estimate.skills[weak.pk][0]
    best = max((-2.0, -1.5, 0.0, 1.0, 2.0), key=lambda b: information(theta, ItemParams(1.5, b, 0.0)))
    assert questions[0].irt_b == best


def test_matched_sessions_use_every_skill_of_the_section_in_proportion():
    learner = make_user()
    skills = list(Skill.objects.filter(domain__section=math()))
    for skill in skills:
        make_questions(2, skill=skill)
    session = practice_session_start(learner=learner, section=math(), difficulty="matched", length=19)
    used = {item.question.skill_id for item in session.items.select_related("question")}
    assert len(used) >= 15


@pytest.mark.django_db
@pytest.mark.parametrize("last_offset", [None, 0, -1, -2, -10, 1])
@pytest.mark.parametrize(("current", "longest"), [(0, 0), (3, 5), (4, 4)])
def test_streak_sql_agrees_with_streak_after(last_offset, current, longest):
    """The answer write repeats the streak rule in SQL; after one answer, the stored streak is what
    engine.streaks.streak_after says."""
    learner = make_user()
    now = timezone.now()
    today = now.astimezone(UTC).date()
    last_day = None if last_offset is None else today + timedelta(days=last_offset)
    if last_day is not None:
        LearnerStats.objects.create(
            learner=learner, current_streak=current, longest_streak=longest, last_active_day=last_day
        )
    session = make_session(learner, count=1)
    item = session.items.get()
    answer_submit(session=session, question=item.question, given="B", key=uuid.uuid4(), now=now)
    stats = LearnerStats.objects.get(learner=learner)
    expected = streak_after(current if last_day else 0, longest if last_day else 0, last_day, today)
    assert (stats.current_streak, stats.longest_streak, stats.last_active_day) == expected
