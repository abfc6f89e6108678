"""The teachers' weekly digest of a class (docs/institutions.md, "Weekly digest"): completion of the
week's assignments, the learners who need attention and the biggest movers of predicted score.

It reuses the class page's own reading (`classes.class_overview`), so the digest says what the page says.
A job reads every institution's classes, so these run under `operator_access` (the caller's).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse

from ..models import Classroom, ClassTeacher, ScoreSnapshot
from .classes import class_overview
from .reminders import local_zone

WEEK = timedelta(days=7)
MOVERS = 5  # how many movers a digest lists


def digest_period(*, week: str, classroom_id: int) -> str:
    """A digest's mail period: once per (teacher, ISO week, class), e.g. 2026-W49-c12."""
    return f"{week}-c{classroom_id}"


@dataclass
class ClassDigest:
    classroom_id: int
    institution_id: int
    class_name: str
    institution_name: str
    week: str  # ISO week, 2026-W49
    teachers: list = field(default_factory=list)  # User rows
    learner_ids: list[int] = field(default_factory=list)
    assignments: list[dict] = field(default_factory=list)
    attention: list[dict] = field(default_factory=list)
    movers: list[dict] = field(default_factory=list)

    @property
    def period(self) -> str:
        """Once per (teacher, class, week): the mail's idempotency period."""
        return digest_period(week=self.week, classroom_id=self.classroom_id)

    def context(self, *, teacher) -> dict:
        """What the templates read (JSON-serialisable: it is stored with the queued mail)."""
        return {
            "teacher_name": teacher.get_full_name() or teacher.get_username(),
            "class_name": self.class_name,
            "institution_name": self.institution_name,
            "week": self.week,
            "learners": len(self.learner_ids),
            "assignments": self.assignments,
            "attention": self.attention,
            "movers": self.movers,
            "class_url": settings.SITE_URL + reverse("teach:class-detail", args=[self.classroom_id]),
        }


def digest_class_ids(*, at: datetime) -> list[int]:
    """The active classes that have a teacher and existed by `at`, in id order."""
    return list(
        Classroom.objects.filter(archived=False, created_at__lte=at, teacher_links__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def score_movers(*, learner_ids: list[int], at: datetime, limit: int = MOVERS) -> dict[int, tuple[int, int]]:
    """The learners whose predicted total moved most over the 7 days to `at`: {learner: (from, to)},
    at most `limit`, largest change first, no one who did not move. From: the last prediction before the
    week (else the week's first), to: the last one by `at`. Three queries."""
    if not learner_ids:
        return {}
    start = at - WEEK
    rows = ScoreSnapshot.objects.filter(learner_id__in=learner_ids, total__isnull=False).order_by(
        "learner_id"
    )

    def last(queryset, *order) -> dict[int, int]:
        picked = queryset.order_by("learner_id", *order).distinct("learner_id")
        return dict(picked.values_list("learner_id", "total"))

    before = last(rows.filter(taken_at__lt=start), "-taken_at", "-pk")
    first = last(rows.filter(taken_at__gte=start, taken_at__lte=at), "taken_at", "pk")
    latest = last(rows.filter(taken_at__gte=start, taken_at__lte=at), "-taken_at", "-pk")
    moves = {
        learner: (before.get(learner, first[learner]), to)
        for learner, to in latest.items()
        if before.get(learner, first[learner]) != to
    }
    ranked = sorted(moves.items(), key=lambda item: (-abs(item[1][1] - item[1][0]), item[0]))
    return dict(ranked[:limit])


def class_digest(*, classroom_id: int, at: datetime, week: str) -> ClassDigest:
    """One class's digest as of `at` (run under a scope that admits the class's institution)."""
    classroom = Classroom.objects.select_related("institution").get(pk=classroom_id)
    teachers = [
        link.teacher
        for link in ClassTeacher.objects.filter(classroom=classroom)
        .select_related("teacher")
        .order_by("teacher_id")
    ]
    overview = class_overview(classroom=classroom)
    recent = at - WEEK
    zone = local_zone(classroom.institution.time_zone)
    assignments = [
        {
            "title": a.title,
            "due": a.due_at.astimezone(zone).strftime("%a %d %b %H:%M"),
            "assigned": a.assigned,
            "completed": a.completed,
            "percent": round(100 * a.completed / a.assigned) if a.assigned else 0,
            "url": settings.SITE_URL + reverse("teach:assignment-detail", args=[a.pk]),
        }
        for a in reversed(overview.assignments)  # oldest due first
        if a.due_at >= recent
    ]
    names = {row.learner.pk: row.name for row in overview.rows}
    moves = score_movers(learner_ids=list(names), at=at)
    return ClassDigest(
        classroom_id=classroom.pk,
        institution_id=classroom.institution_id,
        class_name=classroom.name,
        institution_name=classroom.institution.name,
        week=week,
        teachers=teachers,
        learner_ids=list(names),
        assignments=assignments,
        attention=[{"name": row.name, "reasons": row.reasons} for row in overview.attention],
        movers=[
            {"name": names[learner], "from": was, "to": now, "change": f"{now - was:+d}"}
            for learner, (was, now) in moves.items()
        ],
    )
