"""Flashcards: sanitised Markdown, FSRS and Leitner scheduling, the review log, learner pages."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from practice.models import BadgeAward, Flashcard, FlashcardReview, LearnerStats, Scheduler
from practice.services.flashcards import flashcard_review, flashcard_update, study_preference_set

from .factories import make_user
from .learning_factories import make_flashcard

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


# --- Pages ---


def test_learner_creates_edits_and_deletes_a_card(client):
    owner = make_user()
    client.force_login(owner)
    response = client.post(reverse("practice:flashcard-create"), {"front": "Front *a*", "back": "Back"})
    assert response.status_code == 302
    card = Flashcard.objects.get(owner=owner)
    response = client.post(
        reverse("practice:flashcard-update", args=[card.pk]), {"front": "Changed", "back": "B"}
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.front == "Changed"
    response = client.post(reverse("practice:flashcard-delete", args=[card.pk]))
    assert response.status_code == 302 and not Flashcard.objects.exists()


def test_blank_card_form_shows_errors_with_422(client):
    client.force_login(make_user())
    response = client.post(reverse("practice:flashcard-create"), {"front": "", "back": ""})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not Flashcard.objects.exists()


def test_another_learners_card_is_404(client):
    card = make_flashcard()
    client.force_login(make_user())
    for name in ("practice:flashcard-update", "practice:flashcard-delete"):
        assert client.get(reverse(name, args=[card.pk])).status_code == 404
    assert client.post(reverse("practice:flashcard-rate", args=[card.pk]), {"rating": 3}).status_code == 404


def test_search_and_pagination(client):
    owner = make_user()
    for i in range(25):
        make_flashcard(owner, front=f"Vocabulary word {i}", back="meaning")
    make_flashcard(owner, front="Pythagoras", back="a² + b² = c²")
    make_flashcard(front="Pythagoras elsewhere", back="not mine")
    client.force_login(owner)
    page1 = client.get(reverse("practice:flashcard-list"))
    assert page1.context["page"].paginator.count == 26 and len(page1.context["page"].object_list) == 20
    page2 = client.get(reverse("practice:flashcard-list"), {"page": 2})
    assert len(page2.context["page"].object_list) == 6
    found = client.get(reverse("practice:flashcard-list"), {"q": "pythag"})
    assert [c.front for c in found.context["page"].object_list] == ["Pythagoras"]
    assert client.get(reverse("practice:flashcard-list"), {"page": "zzz"}).status_code == 200


def test_review_page_shows_the_next_due_card_and_rating_reschedules_it(client):
    card = make_flashcard()
    client.force_login(card.owner)
    page = client.get(reverse("practice:flashcard-review"))
    assert page.context["card"] == card
    response = client.post(reverse("practice:flashcard-rate", args=[card.pk]), {"rating": "3"})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.due > timezone.now()
    assert client.get(reverse("practice:flashcard-review")).context["card"] is None


def test_bad_rating_is_422(client):
    card = make_flashcard()
    client.force_login(card.owner)
    response = client.post(reverse("practice:flashcard-rate", args=[card.pk]), {"rating": "9"})
    assert response.status_code == 422
    assert FlashcardReview.objects.count() == 0


def test_scheduler_setting_page(client):
    owner = make_user()
    client.force_login(owner)
    assert (
        client.post(reverse("practice:flashcard-settings"), {"flashcard_scheduler": "leitner"}).status_code
        == 302
    )
    assert owner.study_preference.flashcard_scheduler == "leitner"
    assert (
        client.post(reverse("practice:flashcard-settings"), {"flashcard_scheduler": "x"}).status_code == 422
    )
