"""Assignment writes: a teacher assigns a practice set to a class or to chosen learners, and a learner
starts (or resumes) the session that works on it.

Completion is recorded where every session ends (`services.progress.assignment_progress_complete`).
Both functions run inside the tenancy context their caller set: the teacher's (`teacher_view`) for
`assignment_create`, the learner's own (`user_scope(learner, roles=["learner"])`) for `assignment_start`.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import (
    Assignment,
    AssignmentProgress,
    Classroom,
    Domain,
    Enrollment,
    PracticeSession,
    Section,
    Skill,
    User,
)
from .sessions import SESSION_MAX_LENGTH, SESSION_MIN_LENGTH, practice_session_start


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
    section: Section,
    skills=(),
    domains=(),
    difficulty: str = PracticeSession.DifficultyChoice.MIXED,
    length: int = 10,
    mode: str = PracticeSession.Mode.PRACTICE,
    opens_at: datetime,
    due_at: datetime,
    learners: list[User] | None = None,
) -> Assignment:
    """Assign a practice set: to every learner of the class (and those who join later) when `learners`
    is None, else to the chosen learners, who must be enrolled. One progress row per recipient."""
    errors = {}
    title = title.strip()
    if not title:
        errors["title"] = "Give the assignment a title."
    if due_at <= opens_at:
        errors["due_at"] = "The due time must be after the time the assignment opens."
    if not SESSION_MIN_LENGTH <= length <= SESSION_MAX_LENGTH:
        errors["length"] = f"Choose between {SESSION_MIN_LENGTH} and {SESSION_MAX_LENGTH} questions."
    if difficulty not in PracticeSession.DifficultyChoice.values:
        errors["difficulty"] = "Choose a difficulty from the list."
    if mode not in PracticeSession.Mode.values:
        errors["mode"] = "Choose practice or timed."
    if any(skill.domain.section_id != section.pk for skill in skills) or any(
        domain.section_id != section.pk for domain in domains
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
    assignment = Assignment(
        institution_id=classroom.institution_id,
        classroom=classroom,
        created_by=created_by,
        title=title,
        section=section,
        skill_ids=sorted(skill.pk for skill in skills),
        domain_ids=sorted(domain.pk for domain in domains),
        difficulty=difficulty,
        length=length,
        mode=mode,
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
