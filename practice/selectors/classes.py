"""The teacher's class overview: every learner's predicted scores, skills, activity, assignments and the
chance of reaching their target, read in a fixed number of queries whatever the class size.

Predictions and skill levels come from `cohort` (the dashboard's engine on all learners' proficiencies
at once, cached per learner and progress version).
"""

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import JSONObject
from django.http import Http404
from django.utils import timezone

from ..engine.scores import Prediction
from ..engine.success import sd_from_band, success_probability
from ..models import (
    Assignment,
    AssignmentProgress,
    Classroom,
    ClassTeacher,
    Enrollment,
    Membership,
)
from .cohort import LearnerFigures, learner_figures_many, skill_columns
from .institutions import classroom_list

INACTIVE_DAYS = 7
LOW_PROBABILITY = 0.5
RATE_DAYS = 28  # questions_per_week = answers in the last 28 days / 4


@dataclass
class RosterRow:
    learner: "RosterLearner"
    name: str
    email: str
    external_id: str
    figures: LearnerFigures
    levels: list[int]  # one per skill column, in the columns' order
    today: date  # in the learner's time zone
    last_active: date | None
    days_inactive: int | None  # None: never active
    week_answers: int
    rate_answers: int  # answers in the last RATE_DAYS days
    answers_total: int
    correct_total: int
    assigned: int
    completed: int
    late: int
    target: int | None
    test_date: date | None
    days_left: int | None
    probability: float | None
    reasons: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> int | None:
        return round(100 * self.correct_total / self.answers_total) if self.answers_total else None

    @property
    def has_target(self) -> bool:
        return self.target is not None and self.test_date is not None

    @property
    def needs_attention(self) -> bool:
        return bool(self.reasons)


@dataclass(frozen=True)
class AssignmentSummary:
    pk: int
    title: str
    due_at: datetime
    assigned: int
    completed: int


@dataclass
class ClassOverview:
    classroom: Classroom
    skills: list[dict]  # the heatmap's columns: pk, name, domain, section
    groups: list[tuple[str, int, list[tuple[str, int]]]]  # see _column_groups
    rows: list[RosterRow]
    assignments: list[AssignmentSummary]

    @property
    def learner_ids(self) -> list[int]:
        return [row.learner.pk for row in self.rows]

    @property
    def attention(self) -> list[RosterRow]:
        return [row for row in self.rows if row.reasons]


def _column_groups(skills: list[dict]) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """The heatmap's column groups: [(section, number of skills, [(domain, number of skills)])]."""
    groups: list[tuple[str, list[list]]] = []
    for skill in skills:
        if not groups or groups[-1][0] != skill["domain__section__name"]:
            groups.append((skill["domain__section__name"], []))
        domains = groups[-1][1]
        if not domains or domains[-1][0] != skill["domain__name"]:
            domains.append([skill["domain__name"], 0])
        domains[-1][1] += 1
    return [
        (section, sum(n for _, n in domains), [(name, n) for name, n in domains])
        for section, domains in groups
    ]


EPOCH = date(2000, 1, 1)


def _activity(days: str, today: date) -> tuple[int, int]:
    """(answers in the last 7 days, answers in the last RATE_DAYS days), counted in days of the
    learner's own calendar (DailyActivity is kept in their time zone), today included. `days` is
    "<days since 2000-01-01>:<answers>" pairs separated by spaces (cheaper to read than JSON)."""
    week = recent = 0
    today_number = (today - EPOCH).days
    for entry in (days or "").split():
        number, _, answers = entry.partition(":")
        age = today_number - int(number)
        if 0 <= age < INACTIVE_DAYS:
            week += int(answers)
        if 0 <= age < RATE_DAYS:
            recent += int(answers)
    return week, recent


def assignment_progress_rows(*, classroom: Classroom, learner_id: int | None = None) -> list[tuple]:
    """(assignment id, learner id, completed, late) for every progress row of the class's assignments,
    in one query; "late" is completed late, or not completed and past due."""
    rows = AssignmentProgress.objects.filter(assignment__classroom=classroom)
    if learner_id is not None:
        rows = rows.filter(learner_id=learner_id)
    overdue = ExpressionWrapper(Q(assignment__due_at__lt=timezone.now()), output_field=BooleanField())
    done = AssignmentProgress.Status.COMPLETED
    return [
        (assignment_id, learner, status == done, late or (status != done and past_due))
        for assignment_id, learner, status, late, past_due in rows.annotate(past_due=overdue).values_list(
            "assignment_id", "learner_id", "status", "late", "past_due"
        )
    ]


def _assignments_json():
    """The class's assignments as JSON objects, a subquery on Classroom (newest due first)."""
    rows = Assignment.objects.filter(classroom_id=OuterRef("pk")).order_by("-due_at", "-pk")
    return ArraySubquery(rows.values(json=JSONObject(pk="pk", title="title", due_at="due_at")))


def class_assignments(*, classroom: Classroom, progress: list[tuple]) -> list[AssignmentSummary]:
    """The class's assignments with how many learners have each and have completed it (counted from
    `progress`, assignment_progress_rows). classroom_overview_get has read them with the class."""
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for assignment_id, _, completed, _ in progress:
        counts[assignment_id][0] += 1
        counts[assignment_id][1] += completed
    rows = getattr(classroom, "assignment_rows", None)
    if rows is None:
        rows = Classroom.objects.filter(pk=classroom.pk).values_list(_assignments_json(), flat=True)[0]
    return [
        AssignmentSummary(
            pk=row["pk"],
            title=row["title"],
            due_at=datetime.fromisoformat(row["due_at"]),
            assigned=counts[row["pk"]][0],
            completed=counts[row["pk"]][1],
        )
        for row in rows
    ]


def success_chance(*, total: Prediction, target: int | None, days_left: int | None, rate: float):
    """P(reaching the target by the test date), or None without a target, a test date or a prediction."""
    if target is None or days_left is None or not total.enough_data:
        return None
    return _success(total.score, total.low, total.high, round(rate, 2), days_left, target)


@lru_cache(maxsize=4096)
def _success(score: int, low: int, high: int, rate: float, days_left: int, target: int) -> float:
    # A pure function of a few small integers: many learners (and every reload) share the same inputs.
    return success_probability(
        predicted_total=score,
        total_sd=sd_from_band(low, high),
        questions_per_week=rate,
        days_left=days_left,
        target=target,
    )


def _reasons(row: RosterRow) -> list[str]:
    reasons = []
    if row.days_inactive is None:
        reasons.append("Never active")
    elif row.days_inactive >= INACTIVE_DAYS:
        reasons.append(f"Inactive for {row.days_inactive} days")
    if row.probability is not None and row.probability < LOW_PROBABILITY:
        reasons.append(f"{round(100 * row.probability)}% chance of reaching {row.target} by {row.test_date}")
    return reasons


@dataclass(frozen=True, slots=True)
class RosterLearner:
    """What the overview reads of an enrolled learner: plain values, no model instances (building 800
    model instances for a class of 200 cost more than the query itself)."""

    pk: int
    username: str
    email: str
    display_name: str
    time_zone: str
    target_score: int | None
    test_date: date | None
    last_active_day: date | None
    answers: int
    correct: int
    external_id: str
    recent_days: str


def class_roster(*, classroom: Classroom, learner_id: int | None = None) -> list[RosterLearner]:
    """The class's learners (or one of them) with profile, running totals, external id and recent daily
    answers, in one query."""
    external = (
        Membership.objects.filter(institution_id=classroom.institution_id, user_id=OuterRef("learner_id"))
        .order_by()
        .values("external_id")[:1]
    )
    # A day's margin covers every time zone's "today"; _activity counts from each learner's own.
    since = timezone.now().date() - timedelta(days=RATE_DAYS + 1)
    # One short text per learner, "<day number>:<answers> ...": decoding JSON for 200 learners cost more
    # than the query.
    days = RawSQL(
        "SELECT string_agg((d.day - DATE '2000-01-01')::text || ':' || d.answers::text, ' ')"
        " FROM practice_dailyactivity d WHERE d.learner_id = practice_enrollment.learner_id AND d.day >= %s",
        [since],
    )
    enrollments = Enrollment.objects.filter(classroom=classroom)
    if learner_id is not None:
        enrollments = enrollments.filter(learner_id=learner_id)
    rows = (
        enrollments.annotate(
            external_id=Subquery(external),
            recent_days=days,
        )
        .order_by("learner__profile__display_name", "learner__username", "learner_id")
        .values_list(
            "learner_id",
            "learner__username",
            "learner__email",
            "learner__profile__display_name",
            "learner__profile__time_zone",
            "learner__profile__target_score",
            "learner__profile__test_date",
            "learner__learning_stats__last_active_day",
            "learner__learning_stats__answers",
            "learner__learning_stats__correct",
            "external_id",
            "recent_days",
        )
    )
    return [
        RosterLearner(
            pk,
            username,
            email,
            name or "",
            zone or "UTC",
            target,
            test_date,
            last,
            answers or 0,
            correct or 0,
            external or "",
            recent or "",
        )
        for (
            pk,
            username,
            email,
            name,
            zone,
            target,
            test_date,
            last,
            answers,
            correct,
            external,
            recent,
        ) in rows
    ]


def classroom_overview_get(*, scope, pk: int) -> Classroom:
    """`institutions.classroom_get` (the same rule: 404 for a class the user may not open) with the
    teachers' usernames and the class's assignments, in one query."""
    teachers = ClassTeacher.objects.filter(classroom_id=OuterRef("pk")).order_by("teacher__username")
    try:
        return (
            classroom_list(scope=scope, include_archived=True)
            .annotate(
                teacher_names=ArraySubquery(teachers.values("teacher__username")),
                assignment_rows=_assignments_json(),
            )
            .get(pk=pk)
        )
    except Classroom.DoesNotExist as exc:
        raise Http404("No such class.") from exc


def class_overview(
    *, classroom: Classroom, learner_id: int | None = None, with_assignments: bool = True
) -> ClassOverview:
    """Everything the class page and its export show (or one learner's row of it), in a fixed number of
    queries."""
    learners = class_roster(classroom=classroom, learner_id=learner_id)
    skills = skill_columns()
    ids = [u.pk for u in learners]
    figures = learner_figures_many(learner_ids=ids, skills=skills)
    progress = assignment_progress_rows(classroom=classroom, learner_id=learner_id)
    per_learner: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for _, learner, completed, late in progress:
        counts = per_learner[learner]
        counts[0] += 1
        counts[1] += completed
        counts[2] += late
    now = timezone.now()
    default_test_date = classroom.institution.default_test_date
    skill_ids = [s["pk"] for s in skills]
    rows = []
    for learner in learners:
        last_active = learner.last_active_day
        today = _local_date(learner.time_zone, now)
        week, recent = _activity(learner.recent_days, today)
        assigned, completed, late = per_learner.get(learner.pk, (0, 0, 0))
        test_date = learner.test_date or default_test_date
        days_left = (test_date - today).days if test_date else None
        target = learner.target_score
        mine = figures[learner.pk]
        levels = mine.levels
        row = RosterRow(
            learner=learner,
            name=learner.display_name or learner.username,
            email=learner.email,
            external_id=learner.external_id,
            figures=mine,
            levels=[levels.get(pk, 0) for pk in skill_ids],
            today=today,
            last_active=last_active,
            days_inactive=(today - last_active).days if last_active else None,
            week_answers=week,
            rate_answers=recent,
            answers_total=learner.answers,
            correct_total=learner.correct,
            assigned=assigned,
            completed=completed,
            late=late,
            target=target,
            test_date=test_date,
            days_left=days_left,
            probability=success_chance(
                total=mine.total, target=target, days_left=days_left, rate=recent / (RATE_DAYS / 7)
            ),
        )
        row.reasons = _reasons(row)
        rows.append(row)
    return ClassOverview(
        classroom=classroom,
        skills=skills,
        groups=_column_groups(skills),
        rows=rows,
        assignments=class_assignments(classroom=classroom, progress=progress) if with_assignments else [],
    )


@lru_cache(maxsize=64)
def _zone(time_zone: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _local_date(time_zone: str, now: datetime) -> date:
    """The learner's calendar date (as services.activity.local_date: UTC for an unknown zone)."""
    return now.astimezone(_zone(time_zone)).date()
