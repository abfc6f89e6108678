"""Review writes: answer a due review item and reschedule it."""

import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..engine import spaced
from ..grading import grade_answer
from ..models import ReviewAttempt, ReviewItem
from .activity import activity_record, badges_award, badges_for_stats, stats_lock


@transaction.atomic
def review_answer_submit(
    *, item: ReviewItem, given: str, key: uuid.UUID, time_spent_ms: int, now: datetime | None = None
) -> ReviewAttempt:
    """Answer a due review item like a practice question; reschedule it with FSRS. Idempotent on `key`."""
    replay = ReviewAttempt.objects.filter(key=key).first()
    if replay is not None:
        if replay.item_id != item.pk:
            raise ValidationError("This answer form was already used for another question. Reload the page.")
        return replay
    now = now or timezone.now()
    learner = item.learner
    stats = stats_lock(learner=learner)
    item = (
        ReviewItem.objects.select_for_update()
        .select_related("question__skill__domain__section")
        .get(pk=item.pk)
    )
    given, correct = grade_answer(item.question, given)
    pace = item.question.skill.domain.section.seconds_per_question
    rating = spaced.rating_for_answer(correct=correct, time_spent_ms=time_spent_ms, pace_seconds=pace)
    item.fsrs_state, item.due = spaced.fsrs_review(item.fsrs_state, rating, now)
    item.reviews += 1
    item.lapses += int(not correct)
    item.last_reviewed_at = now
    item.save(update_fields=["fsrs_state", "due", "reviews", "lapses", "last_reviewed_at"])
    try:
        with transaction.atomic():
            attempt = ReviewAttempt.objects.create(
                item=item,
                learner=learner,
                given=given,
                is_correct=correct,
                time_spent_ms=time_spent_ms,
                rating=rating,
                key=key,
                reviewed_at=now,
                due_after=item.due,
            )
    except IntegrityError as exc:
        raise ValidationError("This answer form was already used. Reload the page.") from exc
    stats = activity_record(learner=learner, stats=stats, when=now, reviews=1)
    badges_award(learner=learner, codes=badges_for_stats(stats), now=now)
    return attempt
