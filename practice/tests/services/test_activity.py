"""Streaks and badges as activity is recorded."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from practice.engine.mastery import Level
from practice.engine.streaks import streak_after
from practice.models import (
    BadgeAward,
    DailyActivity,
    LearnerStats,
    Skill,
    SkillProficiency,
)
from practice.services.activity import badges_award, streak_current
from practice.services.answers import answer_submit

from ..factories import (
    make_question,
    make_session,
    make_user,
    reading_writing,
)
from ..learning_factories import answer_all, make_answered_session, set_time_zone

pytestmark = pytest.mark.django_db


def _answer_at(learner, when):
    session = make_session(learner, count=1)
    answer_all(session, start=when - timedelta(seconds=30))


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
