"""Assignment reads: a class's assignments with their completion, one assignment's progress per learner,
and what a learner has been assigned (the dashboard).

Assignments and their progress sit behind row-level security: the teacher's functions run in the
request's teacher context (`teacher_view`); `learner_assignments` enters the learner's own.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from ..models import Assignment, AssignmentProgress, Classroom, Role, TestAttempt, User
from ..tenancy import user_scope

RECENTLY_COMPLETED = timedelta(days=14)
DASHBOARD_LIMIT = 20

COMPLETED = AssignmentProgress.Status.COMPLETED


def assignment_list(*, classroom: Classroom) -> QuerySet[Assignment]:
    """The class's assignments, latest due first, with `assigned` and `completed` counts (one query)."""
    return (
        Assignment.objects.filter(classroom=classroom)
        .annotate(
            assigned=Count("progress"),
            completed=Count("progress", filter=Q(progress__status=COMPLETED)),
        )
        .order_by("-due_at", "-pk")
    )


def score_percent(progress: AssignmentProgress) -> int | None:
    """Correct answers as a share of the session's questions (omitted ones count as missed)."""
    if progress.status != COMPLETED:
        return None
    total = progress.session.length if progress.session else progress.assignment.length
    return round(100 * progress.correct / total) if total else None


@dataclass
class AssignmentReport:
    rows: list[AssignmentProgress]
    completed: int
    assigned: int
    average_score: int | None


def assignment_report(*, assignment: Assignment) -> AssignmentReport:
    """Each recipient's progress (with `score`), and the totals: completed x of y, the average score."""
    rows = list(
        AssignmentProgress.objects.filter(assignment=assignment)
        .select_related("learner__profile", "session")
        .order_by("learner__profile__display_name", "learner__username")
    )
    scores = []
    for row in rows:
        row.assignment = assignment
        row.score = score_percent(row)
        if row.score is not None:
            scores.append(row.score)
    return AssignmentReport(
        rows=rows,
        completed=sum(row.status == COMPLETED for row in rows),
        assigned=len(rows),
        average_score=round(sum(scores) / len(scores)) if scores else None,
    )


@dataclass
class TestAssignmentReport:
    """A full-test assignment's recipients by where they are; finished rows carry their attempt's scores."""

    not_started: list[AssignmentProgress]
    in_progress: list[AssignmentProgress]
    finished: list[AssignmentProgress]

    @property
    def assigned(self) -> int:
        return len(self.not_started) + len(self.in_progress) + len(self.finished)

    @property
    def learner_ids(self) -> list[int]:
        return [row.learner_id for row in (*self.not_started, *self.in_progress, *self.finished)]


def assignment_test_report(*, assignment: Assignment, now: datetime | None = None) -> TestAssignmentReport:
    """Who has not started the full test, who is sitting it (with the phase; `time_up` when its clock ran
    out and the test ends on the learner's next visit) and who finished (with scores). One query."""
    now = now or timezone.now()
    rows = (
        AssignmentProgress.objects.filter(assignment=assignment)
        .select_related("learner__profile", "attempt")
        .order_by("learner__profile__display_name", "learner__username")
    )
    report = TestAssignmentReport(not_started=[], in_progress=[], finished=[])
    for row in rows:
        row.assignment = assignment
        attempt = row.attempt
        if row.status == COMPLETED and attempt is not None and attempt.status == TestAttempt.Status.COMPLETED:
            report.finished.append(row)
        elif attempt is not None and row.status != COMPLETED:
            row.time_up = (
                attempt.is_open and attempt.phase_deadline is not None and attempt.phase_deadline < now
            )
            report.in_progress.append(row)
        else:
            report.not_started.append(row)
    return report


def assignment_attempt_get(*, assignment: Assignment, learner: User) -> TestAttempt:
    """The learner's completed attempt at this full-test assignment, or 404. Runs in the teacher's context."""
    progress = (
        AssignmentProgress.objects.filter(
            assignment=assignment,
            learner=learner,
            status=COMPLETED,
            attempt__status=TestAttempt.Status.COMPLETED,
        )
        .select_related("attempt__form", "attempt__learner__profile")
        .first()
    )
    if progress is None:
        raise Http404("No finished test for this learner.")
    return progress.attempt


def learner_progress_get(*, learner: User, pk: int) -> AssignmentProgress:
    """The learner's own assignment progress, or 404 (also anyone else's). Runs in the learner's context."""
    try:
        return AssignmentProgress.objects.select_related("assignment").get(pk=pk, learner=learner)
    except AssignmentProgress.DoesNotExist as exc:
        raise Http404("No such assignment.") from exc


@dataclass
class LearnerAssignments:
    open: list[AssignmentProgress] = field(default_factory=list)
    done: list[AssignmentProgress] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.open or self.done)


def learner_assignments(*, learner: User, now: datetime | None = None) -> LearnerAssignments:
    """What the learner has been assigned: open ones not completed yet (soonest due first, `is_late` past
    due) and those completed recently. Two queries: entering the learner's context, and the read (the
    dashboard calls it only for learners of an institution)."""
    now = now or timezone.now()
    with user_scope(learner, roles=[Role.LEARNER]) as scope:
        if not scope.roles:
            return LearnerAssignments()
        rows = list(
            AssignmentProgress.objects.filter(learner=learner, assignment__opens_at__lte=now)
            .filter(
                Q(~Q(status=COMPLETED), assignment__classroom__archived=False)
                | Q(status=COMPLETED, completed_at__gte=now - RECENTLY_COMPLETED)
            )
            .select_related("assignment__classroom", "session", "attempt")
            .order_by("assignment__due_at", "pk")[:DASHBOARD_LIMIT]
        )
    found = LearnerAssignments()
    for row in rows:
        row.is_late = row.assignment.due_at < now
        row.score = score_percent(row)
        (found.done if row.status == COMPLETED else found.open).append(row)
    found.done.sort(key=lambda row: row.completed_at, reverse=True)
    return found
