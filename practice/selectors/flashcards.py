"""Flashcard reads: the learner's cards (searched), the next due card, a card of theirs."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from ..models import Flashcard, Profile, User


def flashcard_list(*, learner: User, query: str = "") -> QuerySet[Flashcard]:
    """The learner's cards, newest first, those whose front or back contains `query` (paginate it)."""
    cards = Flashcard.objects.owned_by(learner).order_by("-created_at", "-pk")
    if query:
        cards = cards.filter(Q(front__icontains=query) | Q(back__icontains=query))
    return cards


def flashcard_get(*, learner: User, pk: int) -> Flashcard:
    """The learner's own card, or 404 (also for anyone else's)."""
    return get_object_or_404(Flashcard, pk=pk, owner=learner)


def flashcard_due_count(*, learner: User) -> int:
    return Flashcard.objects.due_for(learner).count()


def flashcard_next_due(*, learner: User) -> Flashcard | None:
    """The card that has been due longest, or None."""
    return Flashcard.objects.due_for(learner).order_by("due", "pk").first()


def learner_time_zone(*, learner: User) -> str:
    """The learner's time zone from their profile (UTC when they have none)."""
    try:
        return learner.profile.time_zone or "UTC"
    except Profile.DoesNotExist:
        return "UTC"
