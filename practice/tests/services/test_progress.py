"""Proficiency and score snapshots as answers are recorded and sessions end."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from practice.engine.mastery import Level
from practice.models import (
    Answer,
    DailyActivity,
    LearnerStats,
    PracticeSession,
    ScoreSnapshot,
    SkillProficiency,
)
from practice.selectors.progress import predicted_scores
from practice.services.answers import answer_submit
from practice.services.sessions import (
    practice_session_expire_if_due,
    practice_session_finish,
)

from ..factories import (
    ensure_taxonomy,
    make_session,
    make_user,
)
from ..learning_factories import answer_all, make_answered_session, set_time_zone

pytestmark = pytest.mark.django_db


def _answer_at(learner, when):
    session = make_session(learner, count=1)
    answer_all(session, start=when - timedelta(seconds=30))


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


def test_same_utc_day_can_be_two_local_days_and_vice_versa():
    learner = make_user()
    set_time_zone(learner, "Asia/Tokyo")
    # 14:00 and 16:00 UTC on one day straddle midnight in Tokyo (UTC+9): two local days.
    _answer_at(learner, datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    _answer_at(learner, datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    assert LearnerStats.objects.get(learner=learner).current_streak == 2


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
