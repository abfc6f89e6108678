"""Activity writes shared by every learning feature: the progress version the dashboard's cache is
keyed on, the learner's local day, activity totals and streaks, and badges."""

import uuid
import zoneinfo
from datetime import date, datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from ..badges import BY_CODE
from ..engine.streaks import streak_after, streak_shown
from ..models import BadgeAward, DailyActivity, LearnerStats, Profile, User
from ..selectors.dashboard import progress_version_key


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
    stats.current_streak, stats.longest_streak, stats.last_active_day = streak_after(
        stats.current_streak, stats.longest_streak, stats.last_active_day, day
    )
    stats.answers += answers
    stats.correct += correct
    stats.reviews += reviews
    stats.save(
        update_fields=["answers", "correct", "reviews", "current_streak", "longest_streak", "last_active_day"]
    )
    return stats


def streak_current(stats: LearnerStats | None, today: date) -> int:
    """The streak as the learner sees it: still alive if they were active today or yesterday."""
    if stats is None:
        return 0
    return streak_shown(stats.current_streak, stats.last_active_day, today)


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
