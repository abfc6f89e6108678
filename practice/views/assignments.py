"""Assignment pages: a teacher assigns a practice set or a full-length test to a class and follows its
completion (and, for a test, each learner's score report); a learner starts (or resumes) the session or
the test that works on an assignment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ..forms import add_validation_errors
from ..forms.assignments import AssignmentForm
from ..models import AssignmentProgress, Role
from ..selectors.assignments import (
    assignment_attempt_get,
    assignment_report,
    assignment_test_report,
    learner_progress_get,
)
from ..selectors.fulltests import attempt_report
from ..selectors.institutions import assignment_get, classroom_get, classroom_learners, learner_in_classes_get
from ..selectors.questions import skills_for_choice
from ..services.assignments import assignment_create as create_assignment
from ..services.assignments import assignment_start as start_assignment
from ..services.assignments import local_time
from ..services.testassignments import assignment_test_start
from ..tenancy import user_scope
from .teaching import record_access, teacher_view


@teacher_view
def assignment_create(request, pk):
    classroom = classroom_get(scope=request.scope, pk=pk)
    learners = list(classroom_learners(classroom=classroom))
    form = AssignmentForm(
        request.POST or None,
        skills=list(skills_for_choice()),
        learners=learners,
        time_zone=classroom.institution.time_zone,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment = create_assignment(
                classroom=classroom,
                created_by=request.user,
                title=data["title"],
                kind=data["kind"],
                form=data["test_form"],
                section=data["section"],
                skills=data["skills"],
                domains=data["domains"],
                difficulty=data["difficulty"],
                length=data["length"],
                mode=data["mode"],
                opens_at=data["opens_at"],
                due_at=data["due_at"],
                learners=data["learners"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"Assigned {assignment.title} to {classroom.name}.")
            return redirect(assignment)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "teach/assignment_form.html", {"classroom": classroom, "form": form}, status=status
    )


@teacher_view
def assignment_detail(request, pk):
    assignment = assignment_get(scope=request.scope, pk=pk)
    if assignment.is_full_test:
        report = assignment_test_report(assignment=assignment)
        learner_ids = report.learner_ids
    else:
        report = assignment_report(assignment=assignment)
        learner_ids = [row.learner_id for row in report.rows]
    record_access(
        request,
        what="assignment progress",
        institution_id=assignment.institution_id,
        learner_ids=learner_ids,
        classroom_id=assignment.classroom_id,
    )
    time_zone = assignment.classroom.institution.time_zone
    context = {
        "assignment": assignment,
        "report": report,
        "opens": local_time(assignment.opens_at, time_zone),
        "due": local_time(assignment.due_at, time_zone),
        "time_zone": time_zone,
    }
    template = (
        "teach/assignment_test_detail.html" if assignment.is_full_test else "teach/assignment_detail.html"
    )
    return render(request, template, context)


@teacher_view
def assignment_learner_report(request, pk, learner_pk):
    """A learner's score report on a full-test assignment: only for learners of a class the user may open."""
    assignment = assignment_get(scope=request.scope, pk=pk)
    if not assignment.is_full_test:
        raise Http404("This assignment is a practice set.")
    learner = learner_in_classes_get(
        scope=request.scope, classroom=assignment.classroom, learner_pk=learner_pk
    )
    attempt = assignment_attempt_get(assignment=assignment, learner=learner)
    report = attempt_report(attempt=attempt)
    record_access(
        request,
        what="full-length test report",
        institution_id=assignment.institution_id,
        learner_ids=[learner.pk],
        classroom_id=assignment.classroom_id,
    )
    context = {
        "attempt": attempt,
        "report": report,
        "back_url": assignment.get_absolute_url(),
        "back_label": assignment.title,
    }
    return render(request, "practice/fulltest/report.html", context)


@login_required
@require_POST
def assignment_start(request, pk):
    """Start or resume the learner's session for this assignment (pk: their AssignmentProgress)."""
    with user_scope(request.user, roles=[Role.LEARNER]):
        progress = learner_progress_get(learner=request.user, pk=pk)
        if progress.assignment.is_full_test:
            return _test_start(request, progress)
        if progress.status == AssignmentProgress.Status.COMPLETED and progress.session_id:
            messages.info(request, "You have already completed this assignment.")
            return redirect("practice:session-results", pk=progress.session_id)
        try:
            session = start_assignment(learner=request.user, progress=progress)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("practice:dashboard")
    return redirect(session)


def _test_start(request, progress):
    """Start or resume the full-length test of a full-test assignment (in the learner's context)."""
    if progress.status == AssignmentProgress.Status.COMPLETED and progress.attempt_id:
        messages.info(request, "You have already completed this assignment.")
        return redirect("practice:fulltest-report", pk=progress.attempt_id)
    try:
        started = assignment_test_start(learner=request.user, progress=progress)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("practice:dashboard")
    if not started.created:
        if started.attempt.assignment_id != progress.assignment_id:
            messages.info(
                request,
                "You already have a full-length test in progress: it is resumed where you left it. "
                f"Finish it, then start {progress.assignment.title}.",
            )
        else:
            messages.info(request, "Your test is resumed where you left it.")
    return redirect(started.attempt)
