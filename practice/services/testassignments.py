"""A full-length test assigned by a teacher: the learner starts it (or resumes it) within its window.

Apart from `services.fulltests` (the test itself) and `services.assignments` (assigning work, and marking
a full test's assignment completed when the attempt completes): the test's module end imports
`services.assignments`, so the start that needs both lives here, above them.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import AssignmentProgress, User
from .assignments import local_time
from .fulltests import Started, fulltest_start


@transaction.atomic
def assignment_test_start(
    *, learner: User, progress: AssignmentProgress, now: datetime | None = None
) -> Started:
    """Start the full-length test this assignment asks for, or resume it. A learner has one open test at a
    time: with another one open, that one is resumed (`created` False, and the assignment is not started).
    Refused before the assignment opens and once it is completed; after its due time it starts (late)."""
    now = now or timezone.now()
    locked = (
        AssignmentProgress.objects.select_for_update(of=("self",))
        .select_related("assignment__institution", "assignment__form", "attempt")
        .get(pk=progress.pk, learner=learner)
    )
    assignment = locked.assignment
    if not assignment.is_full_test:
        raise ValidationError("This assignment is a practice set.")
    if locked.status == AssignmentProgress.Status.COMPLETED:
        raise ValidationError("You have already completed this assignment.")
    if locked.attempt is not None and locked.attempt.is_open:
        return fulltest_start(learner=learner, now=now)  # resumes it (the learner's one open test)
    if now < assignment.opens_at:
        opens = local_time(assignment.opens_at, assignment.institution.time_zone)
        raise ValidationError(f"This assignment opens on {opens}.")
    started = fulltest_start(learner=learner, form=assignment.form, assignment=assignment, now=now)
    if started.created:
        locked.attempt = started.attempt
        locked.status = AssignmentProgress.Status.IN_PROGRESS
        locked.started_at = locked.started_at or now
        locked.save(update_fields=["attempt", "status", "started_at"])
        progress.attempt, progress.status, progress.started_at = (
            started.attempt,
            locked.status,
            locked.started_at,
        )
    return started
