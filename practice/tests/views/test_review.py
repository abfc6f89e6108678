"""The review queue pages: listing due items, answering one, and whose they are."""

import uuid
from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from practice.models import (
    ReviewAttempt,
    ReviewItem,
)

from ..factories import make_user
from ..learning_factories import make_answered_session

pytestmark = pytest.mark.django_db


def test_nav_shows_reviews_due(client):
    learner = make_user()
    make_answered_session(learner, count=2, correct=False)
    # A miss comes back after FSRS's first learning step (minutes); move past it.
    ReviewItem.objects.filter(learner=learner).update(due=timezone.now() - timedelta(seconds=1))
    client.force_login(learner)
    html = client.get(reverse("practice:flashcard-list")).content.decode()
    assert 'aria-label="2 due"' in html


def test_review_queue_lists_due_items_and_an_answer_reschedules(client):
    learner = make_user()
    make_answered_session(learner, count=1, correct=False)
    item = ReviewItem.objects.get(learner=learner)
    ReviewItem.objects.filter(pk=item.pk).update(due=timezone.now() - timedelta(minutes=1))
    client.force_login(learner)
    listing = client.get(reverse("practice:review-list"))
    assert list(listing.context["items"]) == [item]
    page = client.get(reverse("practice:review-item", args=[item.pk]))
    assert page.status_code == 200
    token = page.context["token"]
    response = client.post(
        reverse("practice:review-item", args=[item.pk]),
        {"given": "B", "key": str(uuid.uuid4()), "token": token},
    )
    assert response.status_code == 302
    attempt = ReviewAttempt.objects.get()
    assert attempt.is_correct
    item.refresh_from_db()
    assert item.due > timezone.now()
    result = client.get(response["Location"])
    assert "Correct." in result.content.decode()
    assert client.get(reverse("practice:review-list")).context["items"] == []


def test_review_answer_with_a_forged_token_is_422_and_changes_nothing(client):
    learner = make_user()
    make_answered_session(learner, count=1, correct=False)
    item = ReviewItem.objects.get(learner=learner)
    client.force_login(learner)
    other = signing.dumps({"item": item.pk + 1, "t": 0}, salt="review-shown")
    for token in ("garbage", other):
        response = client.post(
            reverse("practice:review-item", args=[item.pk]),
            {"given": "B", "key": str(uuid.uuid4()), "token": token},
        )
        assert response.status_code == 422
    assert not ReviewAttempt.objects.exists()


def test_review_answer_with_a_bad_entry_is_422(client):
    learner = make_user()
    make_answered_session(learner, count=1, correct=False)
    item = ReviewItem.objects.get(learner=learner)
    client.force_login(learner)
    token = client.get(reverse("practice:review-item", args=[item.pk])).context["token"]
    response = client.post(
        reverse("practice:review-item", args=[item.pk]),
        {"given": "Q", "key": str(uuid.uuid4()), "token": token},
    )
    assert response.status_code == 422
    assert "Choose one of the options" in response.content.decode()


def test_another_learners_review_item_is_404(client):
    learner = make_user()
    make_answered_session(learner, count=1, correct=False)
    item = ReviewItem.objects.get(learner=learner)
    client.force_login(make_user())
    assert client.get(reverse("practice:review-item", args=[item.pk])).status_code == 404
