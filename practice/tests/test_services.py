import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from practice.models import Answer, PracticeSession, Question, SessionItem, Skill
from practice.services.answers import answer_submit
from practice.services.questions import question_publish_many, question_retire_many
from practice.services.sessions import (
    SessionClosed,
    practice_session_expire_if_due,
    practice_session_finish,
    practice_session_from_mistakes,
    practice_session_start,
    session_item_mark_shown,
)

from .factories import make_question, make_questions, make_session, make_user, math

pytestmark = pytest.mark.django_db


def _submit(session, position, given, key=None, **kwargs):
    item = session.items.get(position=position)
    return answer_submit(
        session=session, question=item.question, given=given, key=key or uuid.uuid4(), **kwargs
    )


def test_answer_submit_is_idempotent_on_retry():
    learner = make_user()
    session = make_session(learner)
    key = uuid.uuid4()
    first = _submit(session, 1, "B", key=key)
    again = _submit(session, 1, "A", key=key)
    assert again.pk == first.pk and again.given == "B" and again.is_correct
    session.refresh_from_db()
    assert (session.answered_count, session.correct_count) == (1, 1)
    assert Answer.objects.count() == 1


def test_a_second_answer_to_an_answered_question_returns_the_first():
    learner = make_user()
    session = make_session(learner)
    first = _submit(session, 1, "C")
    second = _submit(session, 1, "B")
    assert second.pk == first.pk and not second.is_correct
    assert Answer.objects.count() == 1


def test_a_key_used_in_another_session_is_refused():
    learner = make_user()
    session, other = make_session(learner), make_session(learner)
    key = uuid.uuid4()
    _submit(session, 1, "B", key=key)
    with pytest.raises(ValidationError, match="already used"):
        _submit(other, 1, "B", key=key)


def test_numbers_keys_map_to_letters_and_nonsense_is_refused():
    session = make_session(make_user())
    assert _submit(session, 1, "2").given == "B"
    with pytest.raises(ValidationError, match="A, B, C or D"):
        _submit(session, 2, "E")
    assert Answer.objects.count() == 1


def test_spr_mixed_number_is_refused_not_marked_wrong():
    learner = make_user()
    question = make_question(type="spr", spr_answers=["7/2"])
    session = make_session(learner, question_ids=[question.pk])
    with pytest.raises(ValidationError, match="Mixed numbers"):
        _submit(session, 1, "3 1/2")
    assert not Answer.objects.exists()
    answer = _submit(session, 1, "3.5")
    assert answer.is_correct


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


def test_time_spent_is_measured_by_the_server_from_when_the_question_was_shown():
    session = make_session(make_user())
    item = session.items.get(position=1)
    shown = timezone.now() - timedelta(seconds=42)
    session_item_mark_shown(item=item, now=shown)
    answer = _submit(session, 1, "B")
    assert 41_000 <= answer.time_spent_ms <= 44_000


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
    with pytest.raises(ValidationError, match="No published questions"):
        practice_session_start(learner=make_user(), section=math(), length=5)
    assert not PracticeSession.objects.exists() and not SessionItem.objects.exists()


def test_drafts_and_retired_questions_are_never_served():
    make_questions(3, status="draft")
    retired = make_questions(3)
    question_retire_many(questions=Question.objects.filter(pk__in=[q.pk for q in retired]))
    live = make_questions(5)
    session = practice_session_start(learner=make_user(), section=math(), length=10)
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


def test_publish_refuses_question_without_explanation_or_proper_options():
    draft = make_question(status="draft", explanation="")
    published, refusals = question_publish_many(questions=Question.objects.filter(pk=draft.pk))
    assert published == 0 and "explanation" in refusals[0]
    with pytest.raises(ValidationError, match="Exactly one option must be marked correct"):
        make_question(options=[("1", True), ("2", True), ("3", False), ("4", False)])


def test_save_refuses_repeated_options_and_a_second_passage_outside_cross_text():
    with pytest.raises(ValidationError, match="Options B and D are the same"):
        make_question(options=[("1", False), ("2", True), ("3", False), ("2", False)])
    with pytest.raises(ValidationError, match="Only a Cross-Text Connections question has a second"):
        make_question(passage="One text.", passage_b="Another text.")
    cross_text = Skill.objects.get(name="Cross-Text Connections")
    with pytest.raises(ValidationError, match="needs both passages"):
        make_question(skill=cross_text, passage="One text.", passage_b="")
    make_question(skill=cross_text, passage="One text.", passage_b="Another text.")
    assert Question.objects.count() == 1


def test_recording_an_answer_tells_the_router_of_the_write(settings):
    """The replica router pins a learner who just wrote to the primary; the hand-written insert counts."""
    from prepnexus.db_router import RequestState, _state

    learner = make_user()
    session = make_session(learner)
    item = session.items.get(position=1)
    settings.DATABASE_ROUTERS = ["prepnexus.db_router.ReplicaRouter"]
    state = RequestState(primary_only=True)
    token = _state.set(state)
    try:
        answer_submit(session=session, question=item.question, item=item, given="B", key=uuid.uuid4())
    finally:
        _state.reset(token)
    assert state.wrote
    answer = Answer.objects.get(item=item)
    session.refresh_from_db()
    assert (session.answered_count, session.correct_count, answer.is_correct) == (1, 1, True)
