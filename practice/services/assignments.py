"""Assignment writes: a teacher assigns a practice set or a full-length test to a class or to chosen
learners, and a learner starts (or resumes) the session or the test that works on it.

A practice set's completion is recorded where every session ends
(`services.progress.assignment_progress_complete`); a full test's where the attempt completes
(`assignment_test_completed`, called by `services.testmodules` in the attempt's transaction).
A full test's start is `services.testassignments.assignment_test_start`.
The functions run inside the tenancy context their caller set: the teacher's (`teacher_view`) for
`assignment_create`, the learner's own (`user_scope(learner, roles=["learner"])`) for the starts.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DateTimeField, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import (
    Assignment,
    AssignmentProgress,
    Classroom,
    Domain,
    Enrollment,
    PracticeSession,
    Role,
    Section,
    Skill,
    TestAttempt,
    TestForm,
    User,
)
from ..tenancy import user_scope
from .sessions import SESSION_MAX_LENGTH, SESSION_MIN_LENGTH, practice_session_start

COMPLETED = AssignmentProgress.Status.COMPLETED


def local_time(moment: datetime, time_zone: str) -> str:
    """A moment as the institution reads it, e.g. 'Mon 7 Dec 2026, 09:00 (Europe/Paris)'."""
    local = timezone.localtime(moment, ZoneInfo(time_zone))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} ({time_zone})"


@transaction.atomic
def assignment_create(
    *,
    classroom: Classroom,
    created_by: User,
    title: str,
    kind: str = Assignment.Kind.PRACTICE,
    section: Section | None = None,
    skills=(),
    domains=(),
    difficulty: str = PracticeSession.DifficultyChoice.MIXED,
    length: int = 10,
    mode: str = PracticeSession.Mode.PRACTICE,
    form: TestForm | None = None,
    opens_at: datetime,
    due_at: datetime,
    learners: list[User] | None = None,
) -> Assignment:
    """Assign a practice set (section, skills, length...) or a full-length test (`form`, or None for each
    learner's next unseen form): to every learner of the class (and those who join later) when `learners`
    is None, else to the chosen learners, who must be enrolled. One progress row per recipient."""
    errors = {}
    title = title.strip()
    full_test = kind == Assignment.Kind.FULL_TEST
    if kind not in Assignment.Kind.values:
        errors["kind"] = "Choose a practice set or a full-length practice test."
    if not title:
        errors["title"] = "Give the assignment a title."
    if due_at <= opens_at:
        errors["due_at"] = "The due time must be after the time the assignment opens."
    if full_test:
        if form is not None and form.status != TestForm.Status.PUBLISHED:
            errors["form"] = "Choose a published test form."
    else:
        if section is None:
            errors["section"] = "Choose a section."
        if not SESSION_MIN_LENGTH <= length <= SESSION_MAX_LENGTH:
            errors["length"] = f"Choose between {SESSION_MIN_LENGTH} and {SESSION_MAX_LENGTH} questions."
        if difficulty not in PracticeSession.DifficultyChoice.values:
            errors["difficulty"] = "Choose a difficulty from the list."
        if mode not in PracticeSession.Mode.values:
            errors["mode"] = "Choose practice or timed."
        if section is not None and (
            any(skill.domain.section_id != section.pk for skill in skills)
            or any(domain.section_id != section.pk for domain in domains)
        ):
            errors["section"] = f"Pick domains and skills from {section.name} only."
    if classroom.archived:
        errors["__all__"] = "This class is archived; restore it before assigning work."
    enrolled = set(Enrollment.objects.filter(classroom=classroom).values_list("learner_id", flat=True))
    if learners is None:
        recipients = sorted(enrolled)
    else:
        recipients = sorted({learner.pk for learner in learners})
        if not recipients:
            errors["learners"] = "Choose at least one learner, or assign it to the whole class."
        elif strangers := [learner for learner in learners if learner.pk not in enrolled]:
            errors["learners"] = f"Not in {classroom.name}: {', '.join(u.username for u in strangers)}."
    if errors:
        raise ValidationError(errors)
    if full_test:
        practice_fields = {"section": None, "skill_ids": [], "domain_ids": [], "length": None}
        practice_fields |= {"difficulty": "", "mode": "", "form": form}
    else:
        practice_fields = {
            "section": section,
            "skill_ids": sorted(skill.pk for skill in skills),
            "domain_ids": sorted(domain.pk for domain in domains),
            "difficulty": difficulty,
            "length": length,
            "mode": mode,
            "form": None,
        }
    assignment = Assignment(
        institution_id=classroom.institution_id,
        classroom=classroom,
        created_by=created_by,
        title=title,
        kind=kind,
        **practice_fields,
        whole_class=learners is None,
        opens_at=opens_at,
        due_at=due_at,
    )
    # The checks above are the constraints' own rules; the database holds them too.
    assignment.full_clean(validate_constraints=False)
    assignment.save()
    AssignmentProgress.objects.bulk_create(
        AssignmentProgress(
            institution_id=classroom.institution_id, assignment=assignment, learner_id=learner_id
        )
        for learner_id in recipients
    )
    return assignment


@transaction.atomic
def assignment_start(
    *, learner: User, progress: AssignmentProgress, now: datetime | None = None
) -> PracticeSession:
    """Start the session that works on this assignment, or return the one already open (a double click
    starts one session). Refused before the assignment opens; after its due time it starts (late)."""
    now = now or timezone.now()
    locked = (
        AssignmentProgress.objects.select_for_update(of=("self",))
        .select_related("assignment__institution", "assignment__section", "session")
        .get(pk=progress.pk, learner=learner)
    )
    assignment = locked.assignment
    if assignment.is_full_test:
        raise ValidationError("This assignment is a full-length test.")
    if locked.status == AssignmentProgress.Status.COMPLETED:
        raise ValidationError("You have already completed this assignment.")
    if locked.session is not None and locked.session.is_open:
        return locked.session
    if now < assignment.opens_at:
        opens = local_time(assignment.opens_at, assignment.institution.time_zone)
        raise ValidationError(f"This assignment opens on {opens}.")
    skills = (
        list(Skill.objects.filter(pk__in=assignment.skill_ids).select_related("domain"))
        if assignment.skill_ids
        else []
    )
    domains = list(Domain.objects.filter(pk__in=assignment.domain_ids)) if assignment.domain_ids else []
    session = practice_session_start(
        learner=learner,
        section=assignment.section,
        mode=assignment.mode,
        difficulty=assignment.difficulty,
        length=assignment.length,
        skills=skills,
        domains=domains,
        scope=f"Assignment: {assignment.title}",
        assignment=assignment,
    )
    locked.session = session
    locked.status = AssignmentProgress.Status.IN_PROGRESS
    locked.started_at = locked.started_at or now
    locked.save(update_fields=["session", "status", "started_at"])
    progress.session, progress.status, progress.started_at = session, locked.status, locked.started_at
    return session


def assignment_test_completed(*, attempt: TestAttempt, now: datetime) -> int:
    """Mark the assignment a completed full test was started from as completed (late when after its due
    time). Runs in the attempt's transaction; once only: a completed row is left alone. Returns the rows
    updated."""
    completed_at = attempt.completed_at or now
    # The progress rows sit behind row-level security: enter the learner's own institutions.
    with user_scope(User(pk=attempt.learner_id), roles=[Role.LEARNER]):
        return (
            AssignmentProgress.objects.filter(
                Q(attempt_id=attempt.pk)
                | Q(assignment_id=attempt.assignment_id, learner_id=attempt.learner_id, attempt__isnull=True)
            )
            .exclude(status=COMPLETED)
            .update(
                status=COMPLETED,
                attempt_id=attempt.pk,
                completed_at=completed_at,
                started_at=Coalesce(F("started_at"), Value(attempt.started_at, output_field=DateTimeField())),
                late=Exists(Assignment.objects.filter(pk=OuterRef("assignment_id"), due_at__lt=completed_at)),
            )
        )
