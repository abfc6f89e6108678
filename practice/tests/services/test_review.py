"""Review items: made from missed or slow answers, answered and rescheduled."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from practice.models import (
    LearnerStats,
    ReviewAttempt,
    ReviewItem,
)
from practice.services.review import review_answer_submit

from ..factories import (
    make_user,
)
from ..learning_factories import make_answered_session

pytestmark = pytest.mark.django_db


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
