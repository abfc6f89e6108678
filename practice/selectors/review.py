"""Review reads: the learner's due review items, the next one to come, an item or attempt of theirs."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone

from ..models import ReviewAttempt, ReviewItem, User


def review_queue(*, learner: User, limit: int = 50) -> list[ReviewItem]:
    return list(
        ReviewItem.objects.due_for(learner)
        .select_related("question__skill__domain__section")
        .order_by("due", "pk")[:limit]
    )


def review_next_due(*, learner: User) -> datetime | None:
    """When the learner's next review that is not yet due comes due (None when there is none)."""
    upcoming = (
        ReviewItem.objects.filter(learner=learner, due__gt=timezone.now()).order_by("due").values("due")[:1]
    )
    return upcoming[0]["due"] if upcoming else None


def review_item_get(*, learner: User, pk: int) -> ReviewItem:
    """The learner's own review item with its question and options, or 404 (also for anyone else's)."""
    return get_object_or_404(
        ReviewItem.objects.select_related("question__skill__domain__section").prefetch_related(
            "question__options"
        ),
        pk=pk,
        learner=learner,
    )


def review_attempt_get(*, learner: User, pk: int) -> ReviewAttempt:
    """The learner's own review attempt with its question and options, or 404."""
    return get_object_or_404(
        ReviewAttempt.objects.select_related("item__question__skill__domain__section").prefetch_related(
            "item__question__options"
        ),
        pk=pk,
        learner=learner,
    )


def review_item_list(*, learner: User, limit: int = 50) -> list[ReviewItem]:
    """The learner's review items (questions missed or answered slowly), soonest due first."""
    return list(
        ReviewItem.objects.filter(learner=learner)
        .select_related("question__skill__domain__section")
        .order_by("due", "pk")[:limit]
    )
