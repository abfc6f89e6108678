from datetime import timedelta

import pytest
from django.utils import timezone

from practice.models import Flashcard, ReviewItem
from practice.selectors.progress import due_counts, learner_summary

from ..factories import make_questions, make_user
from ..learning_factories import make_flashcard

pytestmark = pytest.mark.django_db


@pytest.mark.django_db
def test_the_dashboard_summary_sql_counts_due_items_as_the_due_queryset_does():
    """learner_summary repeats the "due" rule in SQL for speed; it must agree with DueQuerySet.due_for."""
    learner, other = make_user(), make_user()
    now = timezone.now()
    questions = make_questions(3)
    for offset, question in zip((-3600, -1, 3600), questions, strict=True):
        due = now + timedelta(seconds=offset)
        ReviewItem.objects.create(learner=learner, question=question, reason="missed", fsrs_state={}, due=due)
        Flashcard.objects.filter(pk=make_flashcard(owner=learner).pk).update(due=due)
    yesterday = now - timedelta(days=1)
    ReviewItem.objects.create(
        learner=other, question=questions[0], reason="missed", fsrs_state={}, due=yesterday
    )
    Flashcard.objects.filter(pk=make_flashcard(owner=other).pk).update(due=yesterday)
    summary = learner_summary(learner=learner)
    assert summary.reviews_due == ReviewItem.objects.due_for(learner).count() == 2
    assert summary.cards_due == Flashcard.objects.due_for(learner).count() == 2
    assert due_counts(learner=learner) == {"reviews_due": 2, "cards_due": 2}
