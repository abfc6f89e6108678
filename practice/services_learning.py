"""Writes for the learning features: flashcards, study preferences, activity, streaks, badges.

Proficiency, scores and the review of mistakes are in services_progress.py.
"""

import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .badges import BY_CODE
from .engine import spaced
from .models import (
    BadgeAward,
    DailyActivity,
    Flashcard,
    FlashcardReview,
    LearnerStats,
    Profile,
    ReviewRating,
    Scheduler,
    StudyPreference,
    User,
)
from .rendering import render_markdown

if TYPE_CHECKING:
    from .flashcard_csv import CardRow

# --- Progress version: what the dashboard's cache is keyed on ---


def progress_version_key(learner_id: int) -> str:
    return f"learning:progress-version:{learner_id}"


def progress_version(learner_id: int) -> str:
    """A token that changes whenever the learner's progress does (a missing one is made afresh)."""
    key = progress_version_key(learner_id)
    version = cache.get(key)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(key, version, None)
        version = cache.get(key) or version
    return version


def progress_changed(*, learner_id: int) -> None:
    """Give the learner a new progress version once the current transaction commits."""
    transaction.on_commit(lambda: cache.set(progress_version_key(learner_id), uuid.uuid4().hex, None))


# --- Time zones, activity and streaks ---


def local_date(time_zone: str, now: datetime | None = None) -> date:
    """The calendar date in a time zone (UTC when the name is empty or unknown)."""
    now = now or timezone.now()
    try:
        tz = zoneinfo.ZoneInfo(time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("UTC")
    return now.astimezone(tz).date()


def learner_today(learner: User, now: datetime | None = None) -> date:
    """The learner's calendar date, in the time zone of their profile (UTC if none)."""
    try:
        name = learner.profile.time_zone
    except Profile.DoesNotExist:
        name = "UTC"
    return local_date(name, now)


def stats_lock(*, learner: User) -> LearnerStats:
    """The learner's stats row, created if missing, locked until the transaction ends.

    Reviews, flashcard reviews and session completion take this lock before any other learning row, so
    they serialise per learner. (Answers lock their proficiency row first, then this row; nothing locks
    a proficiency row after this one, so the orders cannot form a cycle.)
    """
    LearnerStats.objects.get_or_create(learner=learner)
    return LearnerStats.objects.select_for_update().get(learner=learner)


def activity_record(
    *,
    learner: User,
    stats: LearnerStats,
    when: datetime,
    answers: int = 0,
    correct: int = 0,
    time_spent_ms: int = 0,
    reviews: int = 0,
) -> LearnerStats:
    """Count activity on the learner's local day and move the streak. Caller holds `stats_lock`."""
    progress_changed(learner_id=learner.pk)
    day = learner_today(learner, when)
    updated = DailyActivity.objects.filter(learner=learner, day=day).update(
        answers=F("answers") + answers,
        correct=F("correct") + correct,
        time_spent_ms=F("time_spent_ms") + time_spent_ms,
        reviews=F("reviews") + reviews,
    )
    if not updated:
        DailyActivity.objects.create(
            learner=learner,
            day=day,
            answers=answers,
            correct=correct,
            time_spent_ms=time_spent_ms,
            reviews=reviews,
        )
    last = stats.last_active_day
    if last is None or day > last:
        stats.current_streak = stats.current_streak + 1 if last == day - timedelta(days=1) else 1
        stats.longest_streak = max(stats.longest_streak, stats.current_streak)
        stats.last_active_day = day
    stats.answers += answers
    stats.correct += correct
    stats.reviews += reviews
    stats.save(
        update_fields=["answers", "correct", "reviews", "current_streak", "longest_streak", "last_active_day"]
    )
    return stats


def streak_current(stats: LearnerStats | None, today: date) -> int:
    """The streak as the learner sees it: still alive if they were active today or yesterday."""
    if stats is None or stats.last_active_day is None:
        return 0
    if stats.last_active_day >= today - timedelta(days=1):
        return stats.current_streak
    return 0


# --- Badges ---


def badges_award(
    *, learner: User, codes: list[str], now: datetime | None = None, known_absent: bool = False
) -> list[BadgeAward]:
    """Award each badge at most once; the unique constraint settles any race. Returns the new awards.

    One INSERT ... ON CONFLICT DO NOTHING; `known_absent` skips the read when the caller already
    knows which badges the learner holds.
    """
    unknown = [code for code in codes if code not in BY_CODE]
    if unknown:
        raise ValidationError(f"Unknown badge: {', '.join(unknown)}")
    codes = list(dict.fromkeys(codes))
    if not known_absent:
        have = set(BadgeAward.objects.filter(learner=learner, code__in=codes).values_list("code", flat=True))
        codes = [code for code in codes if code not in have]
    if not codes:
        return []
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO practice_badgeaward (learner_id, code, awarded_at) "
            "SELECT %s, code, %s FROM unnest(%s::varchar[]) AS code "
            "ON CONFLICT (learner_id, code) DO NOTHING RETURNING id, code",
            [learner.pk, now, codes],
        )
        rows = cursor.fetchall()
    if rows:
        progress_changed(learner_id=learner.pk)
    return [BadgeAward(pk=pk, learner=learner, code=code, awarded_at=now) for pk, code in rows]


def badges_for_stats(stats: LearnerStats) -> list[str]:
    """Badges the running totals have earned."""
    codes = []
    rules = [
        (stats.answers >= 1, "first-answer"),
        (stats.answers >= 100, "answers-100"),
        (stats.answers >= 1000, "answers-1000"),
        (stats.sessions_completed >= 1, "first-session"),
        (stats.longest_streak >= 7, "streak-7"),
        (stats.longest_streak >= 30, "streak-30"),
        (stats.reviews >= 50, "reviews-50"),
    ]
    for earned, code in rules:
        if earned:
            codes.append(code)
    return codes


# --- Flashcards ---


def study_preference_get(*, learner: User) -> StudyPreference:
    pref, _ = StudyPreference.objects.get_or_create(learner=learner)
    return pref


def flashcard_text_clean(front: str, back: str) -> tuple[str, str]:
    """Both sides stripped, or a ValidationError naming the blank or too long side."""
    front, back = front.strip(), back.strip()
    errors = {}
    if not front:
        errors["front"] = "Write something on the front."
    elif len(front) > 2000:
        errors["front"] = "The front can be at most 2,000 characters."
    if not back:
        errors["back"] = "Write something on the back."
    elif len(back) > 4000:
        errors["back"] = "The back can be at most 4,000 characters."
    if errors:
        raise ValidationError(errors)
    return front, back


@transaction.atomic
def flashcard_create(*, owner: User, front: str, back: str, now: datetime | None = None) -> Flashcard:
    """Create a card due now, scheduled by the owner's chosen scheduler."""
    now = now or timezone.now()
    front, back = flashcard_text_clean(front, back)
    pref = study_preference_get(learner=owner)
    card = Flashcard(
        owner=owner,
        front=front,
        back=back,
        front_html=render_markdown(front),
        back_html=render_markdown(back),
        scheduler=pref.flashcard_scheduler,
        due=now,
    )
    card.full_clean()
    card.save()
    card.fsrs_state = spaced.fsrs_new(card.pk, now)
    card.save(update_fields=["fsrs_state"])
    if Flashcard.objects.filter(owner=owner).count() >= 10:
        badges_award(learner=owner, codes=["flashcards-10"], now=now)
    return card


@dataclass(frozen=True)
class FlashcardImport:
    imported: int
    skipped: int


IMPORT_BATCH = 500


def _imported_card(row: "CardRow", *, owner: User, scheduler: str, now: datetime) -> Flashcard:
    due = row.due or now
    last = row.last_reviewed_at
    state = spaced.fsrs_new(0, due)  # card_id is set to the pk once the row exists
    if row.fsrs:
        state.update(row.fsrs, last_review=last.isoformat() if last else None)
    box = row.leitner_box
    if box is None:
        # As when a learner switches to Leitner: the box whose interval is closest to the card's.
        box = spaced.leitner_box_for_interval((due - last).total_seconds() / 86400) if last else 1
    card = Flashcard(
        owner=owner,
        front=row.front,
        back=row.back,
        front_html=render_markdown(row.front),
        back_html=render_markdown(row.back),
        scheduler=scheduler,
        fsrs_state=state,
        leitner_box=box,
        due=due,
        last_reviewed_at=last,
        review_count=row.reviews,
    )
    # Field checks only: full_clean's FK and constraint checks would cost queries per card, and the
    # CHECK constraints hold in PostgreSQL anyway.
    try:
        card.clean_fields(exclude=["owner"])
    except ValidationError as exc:
        raise ValidationError(f"Row {row.row}: " + " ".join(exc.messages)) from exc
    return card


@transaction.atomic
def flashcards_import(*, owner: User, rows: list["CardRow"], now: datetime | None = None) -> FlashcardImport:
    """Add checked CSV rows as the owner's cards, all or none; a card the owner already has is skipped.

    Cards follow the owner's scheduler; the file's Leitner box, due date and FSRS memory are kept.
    The owner's preference row is locked first, so two imports of one file cannot both add its cards.
    """
    now = now or timezone.now()
    pref = StudyPreference.objects.select_for_update().get(pk=study_preference_get(learner=owner).pk)
    have = set(Flashcard.objects.filter(owner=owner).values_list("front", "back"))
    cards = []
    for row in rows:
        if (row.front, row.back) in have:
            continue
        have.add((row.front, row.back))
        cards.append(_imported_card(row, owner=owner, scheduler=pref.flashcard_scheduler, now=now))
    Flashcard.objects.bulk_create(cards, batch_size=IMPORT_BATCH)
    if cards:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE practice_flashcard SET fsrs_state = jsonb_set(fsrs_state, '{card_id}', to_jsonb(id)) "
                "WHERE id = ANY(%s)",
                [[card.pk for card in cards]],
            )
        if Flashcard.objects.filter(owner=owner).count() >= 10:
            badges_award(learner=owner, codes=["flashcards-10"], now=now)
    return FlashcardImport(imported=len(cards), skipped=len(rows) - len(cards))


@transaction.atomic
def flashcard_update(*, card: Flashcard, front: str, back: str) -> Flashcard:
    front, back = flashcard_text_clean(front, back)
    card.front, card.back = front, back
    card.front_html, card.back_html = render_markdown(front), render_markdown(back)
    card.full_clean()
    card.save(update_fields=["front", "back", "front_html", "back_html", "updated_at"])
    return card


@transaction.atomic
def flashcard_delete(*, card: Flashcard) -> None:
    card.delete()


@transaction.atomic
def flashcard_review(*, card: Flashcard, rating: int, now: datetime | None = None) -> Flashcard:
    """Rate a card Again/Hard/Good/Easy and reschedule it with its scheduler; log the review."""
    if rating not in ReviewRating.values:
        raise ValidationError({"rating": "Choose Again, Hard, Good or Easy."})
    now = now or timezone.now()
    stats = stats_lock(learner=card.owner)
    card = Flashcard.objects.select_for_update().get(pk=card.pk)
    if card.scheduler == Scheduler.LEITNER:
        card.leitner_box, card.due = spaced.leitner_review(card.leitner_box, rating, now)
    else:
        state = card.fsrs_state or spaced.fsrs_new(card.pk, now)
        card.fsrs_state, card.due = spaced.fsrs_review(state, rating, now)
    card.last_reviewed_at = now
    card.review_count += 1
    card.save(update_fields=["leitner_box", "fsrs_state", "due", "last_reviewed_at", "review_count"])
    FlashcardReview.objects.create(
        card=card,
        learner=card.owner,
        rating=rating,
        scheduler=card.scheduler,
        reviewed_at=now,
        due_after=card.due,
    )
    stats = activity_record(learner=card.owner, stats=stats, when=now, reviews=1)
    badges_award(learner=card.owner, codes=badges_for_stats(stats), now=now)
    return card


@transaction.atomic
def study_preference_set(*, learner: User, scheduler: str, now: datetime | None = None) -> StudyPreference:
    """Choose the flashcard scheduler; existing cards switch too, keeping their due dates.

    FSRS -> Leitner puts a card in the box whose interval is closest to its current FSRS interval;
    Leitner -> FSRS keeps the due date on the card's FSRS state.
    """
    if scheduler not in Scheduler.values:
        raise ValidationError({"flashcard_scheduler": "Choose FSRS or Leitner."})
    now = now or timezone.now()
    pref = StudyPreference.objects.select_for_update().get(pk=study_preference_get(learner=learner).pk)
    if pref.flashcard_scheduler == scheduler:
        return pref
    pref.flashcard_scheduler = scheduler
    pref.save(update_fields=["flashcard_scheduler"])
    cards = list(Flashcard.objects.select_for_update().filter(owner=learner).exclude(scheduler=scheduler))
    for card in cards:
        if scheduler == Scheduler.LEITNER:
            last = card.last_reviewed_at or card.created_at
            card.leitner_box = spaced.leitner_box_for_interval((card.due - last).total_seconds() / 86400)
        else:
            state = card.fsrs_state or spaced.fsrs_new(card.pk, now)
            state["due"] = card.due.astimezone(UTC).isoformat()
            card.fsrs_state = state
        card.scheduler = scheduler
    Flashcard.objects.bulk_update(cards, ["scheduler", "leitner_box", "fsrs_state"])
    return pref
