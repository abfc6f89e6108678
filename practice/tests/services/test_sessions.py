import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from practice.models import PracticeSession, Question, SessionItem, Skill
from practice.services.answers import answer_submit
from practice.services.questions import question_retire_many
from practice.services.sessions import (
    SessionClosed,
    practice_session_expire_if_due,
    practice_session_finish,
    practice_session_from_mistakes,
    practice_session_start,
)

from ..factories import make_questions, make_session, make_user, math, reading_writing

pytestmark = pytest.mark.django_db


def _submit(session, position, given, key=None, **kwargs):
    item = session.items.get(position=position)
    return answer_submit(
        session=session, question=item.question, given=given, key=key or uuid.uuid4(), **kwargs
    )


def test_practice_session_completes_after_the_last_answer():
    session = make_session(make_user(), count=5)
    for position in range(1, 6):
        _submit(session, position, "B")
    session.refresh_from_db()
    assert session.status == "completed" and session.correct_count == 5 and session.completed_at


def test_timed_session_has_sat_pacing_and_refuses_answers_after_the_deadline():
    learner = make_user()
    session = make_session(learner, count=5, mode="timed")
    assert session.time_limit_s == 5 * 95
    later = session.deadline + timedelta(seconds=10)
    with pytest.raises(SessionClosed):
        _submit(session, 1, "B", now=later)
    practice_session_expire_if_due(session=session, now=later)
    session.refresh_from_db()
    assert session.status == "timed_out"
    assert session.omitted_count == 5


def test_session_has_no_repeats_and_prefers_unseen_questions():
    learner = make_user()
    skill = Skill.objects.get(name="Percentages")
    questions = make_questions(10, skill=skill)
    seen = questions[:5]
    earlier = make_session(learner, question_ids=[q.pk for q in seen])
    for position in range(1, 6):
        _submit(earlier, position, "B")
    session = practice_session_start(learner=learner, section=math(), skills=[skill], length=5)
    picked = list(session.items.values_list("question_id", flat=True))
    assert len(set(picked)) == 5
    assert set(picked) == {q.pk for q in questions[5:]}


def test_session_length_must_be_between_5_and_50():
    learner = make_user()
    make_questions(5)
    for length in (4, 51):
        with pytest.raises(ValidationError, match="between 5 and 50"):
            practice_session_start(learner=learner, section=math(), length=length)
    assert not PracticeSession.objects.exists()


def test_session_with_no_matching_questions_is_refused_and_writes_nothing():
    with pytest.raises(ValidationError, match="No published questions"):  # (no item templates there)
        practice_session_start(learner=make_user(), section=reading_writing(), length=5)
    assert not PracticeSession.objects.exists() and not SessionItem.objects.exists()


def test_drafts_and_retired_questions_are_never_served():
    skill = Skill.objects.get(name="Probability and conditional probability")  # no item template tops it up
    make_questions(3, status="draft", skill=skill)
    retired = make_questions(3, skill=skill)
    question_retire_many(questions=Question.objects.filter(pk__in=[q.pk for q in retired]))
    live = make_questions(5, skill=skill)
    session = practice_session_start(learner=make_user(), section=math(), skills=[skill], length=10)
    assert set(session.items.values_list("question_id", flat=True)) == {q.pk for q in live}


def test_practise_these_mistakes_builds_a_session_from_misses_and_omissions():
    learner = make_user()
    session = make_session(learner, count=5, mode="timed")
    _submit(session, 1, "B")
    _submit(session, 2, "A")
    practice_session_finish(session=session)
    retry = practice_session_from_mistakes(session=session)
    expected = list(session.items.filter(position__in=[2, 3, 4, 5]).values_list("question_id", flat=True))
    assert list(retry.items.order_by("position").values_list("question_id", flat=True)) == expected
    assert retry.mode == "practice" and retry.source_session == session and retry.length == 4
