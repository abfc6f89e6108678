"""Writes for progress: proficiency after each answer, score snapshots, review of mistakes, badges.

`learning_answer_recorded` is called by `answer_submit` inside the answer's transaction; it is the one
place the learning engine hears about an answer.
"""

import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .engine import spaced
from .engine.ability import SkillState, update_skill
from .engine.irt import ItemParams
from .engine.mastery import Level, next_mastery
from .models import (
    Answer,
    BadgeAward,
    PracticeSession,
    Question,
    ReviewAttempt,
    ReviewItem,
    ScoreSnapshot,
    SkillProficiency,
    User,
)
from .services_learning import activity_record, badges_award, badges_for_stats, progress_changed, stats_lock

PERFECT_SESSION_MIN = 5


def item_params(question: Question) -> ItemParams:
    question.fill_defaults()
    return ItemParams(a=question.irt_a, b=question.irt_b, c=question.irt_c)


def proficiency_record(
    *, learner: User, question: Question, correct: bool, now: datetime
) -> SkillProficiency:
    """Fold one answer into the learner's (learner, skill) estimate under a row lock."""
    SkillProficiency.objects.get_or_create(learner=learner, skill_id=question.skill_id)
    row = SkillProficiency.objects.select_for_update().get(learner=learner, skill_id=question.skill_id)
    state = update_skill(
        SkillState(row.mean, row.var, row.answers, row.correct), item_params(question), correct
    )
    level, since, mastered = next_mastery(
        state=state,
        correct=correct,
        now=now,
        proficient_since=row.proficient_since,
        mastered_at=row.mastered_at,
    )
    row.mean, row.var, row.answers, row.correct = state.mean, state.var, state.n, state.n_correct
    row.level, row.proficient_since, row.mastered_at, row.updated_at = level, since, mastered, now
    row.save(
        update_fields=[
            "mean",
            "var",
            "answers",
            "correct",
            "level",
            "proficient_since",
            "mastered_at",
            "updated_at",
        ]
    )
    return row


def review_item_from_answer(
    *, learner: User, question: Question, correct: bool, time_spent_ms: int, now: datetime
) -> ReviewItem | None:
    """Missed and correct-but-slow answers become review items; a later answer to the same question
    reviews the existing item with the rating its correctness and time earn."""
    pace = question.skill.domain.section.seconds_per_question
    rating = spaced.rating_for_answer(correct=correct, time_spent_ms=time_spent_ms, pace_seconds=pace)
    item = ReviewItem.objects.select_for_update().filter(learner=learner, question=question).first()
    if item is None:
        slow = spaced.is_slow(time_spent_ms=time_spent_ms, pace_seconds=pace)
        if correct and not slow:
            return None
        item = ReviewItem(
            learner=learner,
            question=question,
            reason=ReviewItem.Reason.MISSED if not correct else ReviewItem.Reason.SLOW,
            fsrs_state=spaced.fsrs_new(question.pk, now),
            due=now,
            created_at=now,
        )
        item.fsrs_state, item.due = spaced.fsrs_review(item.fsrs_state, rating, now)
        item.last_reviewed_at = now
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError:  # created meanwhile by a concurrent answer; the stats lock makes this rare
            return ReviewItem.objects.get(learner=learner, question=question)
        return item
    item.fsrs_state, item.due = spaced.fsrs_review(item.fsrs_state, rating, now)
    item.lapses += int(not correct)
    item.last_reviewed_at = now
    item.save(update_fields=["fsrs_state", "due", "lapses", "last_reviewed_at"])
    return item


def learning_answer_recorded(*, answer: Answer, session: PracticeSession | None = None) -> list[BadgeAward]:
    """Everything the learning engine does when an answer is recorded, in the answer's transaction:
    totals, streak, the skill's proficiency, the review item, and any badges earned."""
    learner = answer.learner
    now = answer.answered_at
    question = Question.objects.select_related("skill__domain__section").get(pk=answer.question_id)
    stats = stats_lock(learner=learner)
    stats = activity_record(
        learner=learner,
        stats=stats,
        when=now,
        answers=1,
        correct=int(answer.is_correct),
        time_spent_ms=answer.time_spent_ms,
    )
    row = proficiency_record(learner=learner, question=question, correct=answer.is_correct, now=now)
    review_item_from_answer(
        learner=learner,
        question=question,
        correct=answer.is_correct,
        time_spent_ms=answer.time_spent_ms,
        now=now,
    )
    codes = badges_for_stats(stats)
    if row.level == Level.MASTERED:
        codes.append("skill-mastered")
    if row.level >= Level.PROFICIENT and (
        SkillProficiency.objects.filter(learner=learner, level__gte=Level.PROFICIENT).count() >= 5
    ):
        codes.append("skills-proficient-5")
    if (
        SkillProficiency.objects.filter(learner=learner, answers__gt=0)
        .values("skill__domain__section")
        .distinct()
        .count()
        >= 2
    ):
        codes.append("both-sections")
    awarded = badges_award(learner=learner, codes=codes, now=now)
    session = session or answer.session
    if session.status != PracticeSession.Status.IN_PROGRESS:
        awarded += learning_session_completed(session=session, now=now)
    return awarded


def learning_session_completed(*, session: PracticeSession, now: datetime | None = None) -> list[BadgeAward]:
    """Record a finished session once: the predicted-score snapshot, the session count, badges.

    Safe to call from every path that ends a session: the snapshot's unique session is the guard.
    """
    from .selectors_progress import predicted_scores

    now = now or timezone.now()
    learner = session.learner
    stats = stats_lock(learner=learner)
    if ScoreSnapshot.objects.filter(session=session).exists():
        return []
    scores = predicted_scores(learner=learner)
    rw, ma, total = scores["reading_writing"], scores["math"], scores["total"]
    try:
        with transaction.atomic():
            ScoreSnapshot.objects.create(
                learner=learner,
                session=session,
                taken_at=now,
                reading_writing=rw.score,
                reading_writing_low=rw.low,
                reading_writing_high=rw.high,
                math=ma.score,
                math_low=ma.low,
                math_high=ma.high,
                total=total.score,
                total_low=total.low,
                total_high=total.high,
            )
    except IntegrityError:
        return []
    stats.sessions_completed += 1
    stats.save(update_fields=["sessions_completed"])
    progress_changed(learner_id=learner.pk)
    codes = badges_for_stats(stats)
    if session.length >= PERFECT_SESSION_MIN and session.correct_count == session.length:
        codes.append("perfect-session")
    return badges_award(learner=learner, codes=codes, now=now)


@transaction.atomic
def review_answer_submit(
    *, item: ReviewItem, given: str, key: uuid.UUID, time_spent_ms: int, now: datetime | None = None
) -> ReviewAttempt:
    """Answer a due review item like a practice question; reschedule it with FSRS. Idempotent on `key`."""
    from .services import _check_given

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
    given, correct = _check_given(item.question, given)
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
