"""Flashcard services: sanitised Markdown, FSRS and Leitner scheduling, the review log, badges."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from practice.models import BadgeAward, FlashcardReview, LearnerStats, Scheduler
from practice.services.flashcards import flashcard_review, flashcard_update, study_preference_set

from ..factories import make_user
from ..learning_factories import make_flashcard

pytestmark = pytest.mark.django_db


def test_markdown_is_rendered_and_sanitised():
    card = make_flashcard(
        front="**bold** <script>alert(1)</script>",
        back='<img src=x onerror="alert(1)"> *ok* [l](javascript:x)',
    )
    assert "<strong>bold</strong>" in card.front_html
    assert "<script" not in card.front_html
    assert "onerror" not in card.back_html and "<img" not in card.back_html
    assert "javascript:" not in card.back_html
    assert "<em>ok</em>" in card.back_html


def test_blank_sides_are_rejected_with_a_message():
    with pytest.raises(ValidationError) as exc:
        make_flashcard(front="  ", back="")
    assert set(exc.value.message_dict) == {"front", "back"}


def test_new_card_uses_fsrs_by_default_and_is_due_now():
    card = make_flashcard()
    assert card.scheduler == Scheduler.FSRS
    assert card.fsrs_state["card_id"] == card.pk
    assert card.due <= timezone.now()


def test_fsrs_review_reschedules_and_logs():
    card = make_flashcard()
    now = timezone.now()
    card = flashcard_review(card=card, rating=3, now=now)
    assert card.due > now and card.review_count == 1
    log = FlashcardReview.objects.get(card=card)
    assert (log.rating, log.scheduler, log.due_after) == (3, "fsrs", card.due)
    assert LearnerStats.objects.get(learner=card.owner).reviews == 1


def test_again_brings_a_card_back_sooner_than_easy():
    now = timezone.now()
    again = flashcard_review(card=make_flashcard(), rating=1, now=now)
    easy = flashcard_review(card=make_flashcard(), rating=4, now=now)
    assert again.due < easy.due


def test_leitner_cards_move_between_boxes_with_documented_intervals():
    owner = make_user()
    study_preference_set(learner=owner, scheduler="leitner")
    card = make_flashcard(owner)
    assert card.scheduler == "leitner" and card.leitner_box == 1
    now = timezone.now()
    card = flashcard_review(card=card, rating=3, now=now)
    assert card.leitner_box == 2 and card.due == now + timedelta(days=2)
    card = flashcard_review(card=card, rating=4, now=now)
    assert card.leitner_box == 4 and card.due == now + timedelta(days=8)
    card = flashcard_review(card=card, rating=1, now=now)
    assert card.leitner_box == 1 and card.due == now + timedelta(days=1)


def test_switching_scheduler_keeps_due_dates():
    owner = make_user()
    card = make_flashcard(owner)
    now = timezone.now()
    card = flashcard_review(card=card, rating=4, now=now)
    due = card.due
    study_preference_set(learner=owner, scheduler="leitner")
    card.refresh_from_db()
    assert card.scheduler == "leitner" and card.due == due and 1 <= card.leitner_box <= 5
    study_preference_set(learner=owner, scheduler="fsrs")
    card.refresh_from_db()
    assert card.scheduler == "fsrs" and card.due == due


def test_invalid_rating_is_rejected():
    with pytest.raises(ValidationError):
        flashcard_review(card=make_flashcard(), rating=7)


def test_update_rerenders_html():
    card = flashcard_update(card=make_flashcard(), front="new *front*", back="back")
    assert card.front_html == "<p>new <em>front</em></p>"


def test_ten_cards_earn_a_badge_and_fifty_reviews_another():
    owner = make_user()
    cards = [make_flashcard(owner, front=f"card {i}") for i in range(10)]
    assert BadgeAward.objects.filter(learner=owner, code="flashcards-10").exists()
    for _ in range(5):
        for card in cards:
            flashcard_review(card=card, rating=3)
    assert BadgeAward.objects.filter(learner=owner, code="reviews-50").exists()
