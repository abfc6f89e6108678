"""Who gets a learner reminder this hour, and what it says (docs/learning-engine.md, "Reminders").

A reminder goes out at REMINDER_LOCAL_HOUR in the learner's own time zone, to learners who opted in and
whose address is verified, when something applies: reviews or flashcards due, an assignment due tomorrow,
or a streak that breaks tonight unless they practise. The whole selection is a fixed number of queries
however many learners: the zones at the reminder hour, the learners with their counts, their assignments.
"""

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db.models import Exists, F, Q, QuerySet
from django.urls import reverse

from ..models import AssignmentProgress, Profile, User
from ..tenancy import operator_access
from .progress import due_count_annotations

# How far ahead an assignment's due time is read: "tomorrow" in any institution's zone lies within it.
_AHEAD = timedelta(hours=60)


@dataclass
class Reminder:
    """One learner's reminder for their local date `day`."""

    user_id: int
    email: str
    name: str
    time_zone: str
    day: date
    reviews_due: int = 0
    cards_due: int = 0
    streak: int = 0  # the streak that ends tonight without practice (0: none at stake)
    assignments: list[dict] = field(default_factory=list)  # title, due (local text), url

    @property
    def has_news(self) -> bool:
        return bool(self.reviews_due or self.cards_due or self.streak or self.assignments)

    @property
    def period(self) -> str:
        """At most one reminder per learner per local day: the mail's idempotency period."""
        return self.day.isoformat()

    def context(self) -> dict:
        """What the templates read (JSON-serialisable: it is stored with the queued mail)."""
        site = settings.SITE_URL
        return {
            "name": self.name,
            "day": self.day.isoformat(),
            "reviews_due": self.reviews_due,
            "cards_due": self.cards_due,
            "streak": self.streak,
            "assignments": self.assignments,
            "review_url": site + reverse("practice:review-list"),
            "flashcards_url": site + reverse("practice:flashcard-review"),
            "dashboard_url": site + reverse("practice:dashboard"),
            "profile_url": site + reverse("profile"),
        }


@lru_cache(maxsize=512)
def local_zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone of that name (UTC for an unknown or empty name)."""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def reminder_zones(*, at: datetime, hour: int) -> list[str]:
    """The time zones (among the learners') where `at` falls in the local hour `hour`: one query."""
    zones = set(Profile.objects.order_by().values_list("time_zone", flat=True).distinct()) | {"UTC"}
    return sorted(z for z in zones if at.astimezone(local_zone(z)).hour == hour)


def reminder_recipients(*, zones: list[str], opted_in: QuerySet | None = None) -> QuerySet[User]:
    """Active users with a verified address living in one of `zones` (no profile counts as UTC), who
    opted in: `opted_in` is a queryset of the opt-in rows with `user` = OuterRef("pk")."""
    where = Q(profile__time_zone__in=zones)
    if "UTC" in zones:
        where |= Q(profile__isnull=True)
    users = User.objects.filter(where, is_active=True, email_verified_at__isnull=False).exclude(email="")
    if opted_in is not None:
        users = users.filter(Exists(opted_in))
    return users


def _assignments_due_tomorrow(*, learner_ids: list[int], at: datetime) -> dict[int, list[dict]]:
    """Each learner's unfinished assignments due tomorrow in their institution's zone, in one query.
    Assignments belong to institutions, so this reads past the per-institution policies (a job reads
    every institution's rows); it reads only the learners' own progress."""
    if not learner_ids:
        return {}
    with operator_access(reason="learner reminders", actor="reminders job"):
        rows = list(
            AssignmentProgress.objects.filter(
                learner_id__in=learner_ids,
                assignment__due_at__gt=at,
                assignment__due_at__lte=at + _AHEAD,
                assignment__opens_at__lte=at,
            )
            .exclude(status=AssignmentProgress.Status.COMPLETED)
            .order_by("assignment__due_at", "assignment_id")
            .values_list(
                "learner_id",
                "assignment_id",
                "assignment__title",
                "assignment__due_at",
                "institution__time_zone",
            )
        )
    found: dict[int, list[dict]] = {}
    start_url = settings.SITE_URL + reverse("practice:dashboard")
    for learner_id, _assignment_id, title, due_at, zone_name in rows:
        zone = local_zone(zone_name)
        if due_at.astimezone(zone).date() != at.astimezone(zone).date() + timedelta(days=1):
            continue
        local = due_at.astimezone(zone)
        found.setdefault(learner_id, []).append(
            {"title": title, "due": f"{local:%A %H:%M} ({zone.key})", "url": start_url}
        )
    return found


def reminders_for_hour(
    *, at: datetime, hour: int | None = None, opted_in: QuerySet | None = None
) -> list[Reminder]:
    """The reminders to send for the UTC hour starting at `at`: one per learner for whom it is now
    `hour` (REMINDER_LOCAL_HOUR) locally and who has something to be reminded of. Three queries."""
    hour = settings.REMINDER_LOCAL_HOUR if hour is None else hour
    zones = reminder_zones(at=at, hour=hour)
    rows = (
        reminder_recipients(zones=zones, opted_in=opted_in)
        .annotate(
            **due_count_annotations(at),
            zone=F("profile__time_zone"),
            display=F("profile__display_name"),
            streak=F("learning_stats__current_streak"),
            last_day=F("learning_stats__last_active_day"),
        )
        .order_by("pk")
        .values_list(
            "pk", "email", "username", "display", "zone", "reviews_due", "cards_due", "streak", "last_day"
        )
    )
    reminders = []
    for pk, email, username, display, zone, reviews, cards, streak, last_day in rows:
        today = at.astimezone(local_zone(zone or "UTC")).date()
        at_stake = (streak or 0) if last_day == today - timedelta(days=1) else 0
        reminders.append(
            Reminder(
                user_id=pk,
                email=email,
                name=display or username,
                time_zone=zone or "UTC",
                day=today,
                reviews_due=reviews,
                cards_due=cards,
                streak=at_stake,
            )
        )
    due = _assignments_due_tomorrow(learner_ids=[r.user_id for r in reminders], at=at)
    for reminder in reminders:
        reminder.assignments = due.get(reminder.user_id, [])
    return [r for r in reminders if r.has_news]
