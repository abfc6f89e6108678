import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from practice.models import Answer
from practice.services.answers import answer_submit
from practice.services.sessions import (
    session_item_mark_shown,
)

from ..factories import make_question, make_session, make_user

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


def test_time_spent_is_measured_by_the_server_from_when_the_question_was_shown():
    session = make_session(make_user())
    item = session.items.get(position=1)
    shown = timezone.now() - timedelta(seconds=42)
    session_item_mark_shown(item=item, now=shown)
    answer = _submit(session, 1, "B")
    assert 41_000 <= answer.time_spent_ms <= 44_000


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
