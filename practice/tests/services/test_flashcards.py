"""Flashcard services: sanitised Markdown, FSRS and Leitner scheduling, the review log, badges."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from practice.formats.flashcard_csv import CardRow
from practice.models import BadgeAward, Flashcard, FlashcardReview, LearnerStats, Scheduler
from practice.services import flashcards as flashcard_services
from practice.services.flashcards import (
    flashcard_review,
    flashcard_update,
    flashcards_import,
    study_preference_set,
)

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


def test_an_import_renders_every_card_before_it_locks_the_learners_row(monkeypatch):
    owner = make_user()
    rows = [CardRow(row=n, front=f"Q{n} *x*", back="A") for n in range(2, 12)]
    locked_while_rendering = []
    render = flashcard_services.render_markdown

    def spy(text, **kwargs):
        locked_while_rendering.append(any("FOR UPDATE" in q["sql"] for q in queries.captured_queries))
        return render(text, **kwargs)

    monkeypatch.setattr(flashcard_services, "render_markdown", spy)
    with CaptureQueriesContext(connection) as queries:
        result = flashcards_import(owner=owner, rows=rows)
    assert result.imported == 10
    assert any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)
    assert locked_while_rendering == [False] * 20  # front and back of every card, all before the lock
    assert Flashcard.objects.get(owner=owner, front="Q2 *x*").front_html == "<p>Q2 <em>x</em></p>"


@pytest.mark.parametrize(
    ("front", "back", "message"),
    [
        ("[" * 2001, "A", "Row 7: The front can be at most 2,000 characters."),
        ("Q", "[" * 4001, "Row 7: The back can be at most 4,000 characters."),
        ("Q", "   ", "Row 7: Write something on the back."),
    ],
    ids=["long-front", "long-back", "blank-back"],
)
def test_an_import_refuses_an_over_long_side_whoever_built_the_rows(front, back, message):
    owner = make_user()
    rows = [CardRow(row=6, front="Fine", back="A"), CardRow(row=7, front=front, back=back)]
    with pytest.raises(ValidationError) as refused:
        flashcards_import(owner=owner, rows=rows)
    assert refused.value.messages == [message]
    assert not Flashcard.objects.filter(owner=owner).exists()
