"""Flashcard pages: create, edit, delete, search, review and the scheduler setting."""

import pytest
from django.urls import reverse
from django.utils import timezone

from practice.models import Flashcard, FlashcardReview

from ..factories import make_user
from ..learning_factories import make_flashcard

pytestmark = pytest.mark.django_db


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


def test_creating_and_editing_cards_share_a_rate_limit_per_learner(client, settings):
    settings.RATELIMITS = settings.RATELIMITS | {"flashcard-write": (3, 600)}
    owner = make_user()
    client.force_login(owner)
    create = reverse("practice:flashcard-create")
    assert client.post(create, {"front": "Q1", "back": "A"}).status_code == 302
    assert client.post(create, {"front": "", "back": ""}).status_code == 422  # a refused card counts too
    card = Flashcard.objects.get(owner=owner)
    update = reverse("practice:flashcard-update", args=[card.pk])
    assert client.post(update, {"front": "Q1 changed", "back": "A"}).status_code == 302
    for url in (create, update):
        response = client.post(url, {"front": "[" * 2000, "back": "A"})
        assert response.status_code == 429 and response["Retry-After"]
    assert client.get(create).status_code == 200  # only saves count
    assert list(Flashcard.objects.filter(owner=owner).values_list("front", flat=True)) == ["Q1 changed"]
    client.force_login(make_user())  # another learner has their own allowance
    assert client.post(create, {"front": "Q1", "back": "A"}).status_code == 302
