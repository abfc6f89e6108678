"""Full-length tests as assignments: creating them, the kinds the database keeps apart, starting the test
in its window, and completing the assignment when the test ends."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from practice.models import Assignment, AssignmentProgress, TestAttempt, TestForm
from practice.services.assignments import assignment_create, assignment_start, assignment_test_completed
from practice.services.fulltests import accommodation_set, fulltest_start, fulltest_sync
from practice.services.testassignments import assignment_test_start
from practice.tenancy import STAFF_ROLES, operator_access, user_scope

from ..factories import math
from ..fulltest_factories import make_full_form
from ..institution_factories import make_assignment, make_school, make_test_assignment

pytestmark = pytest.mark.django_db


def _as_operator():
    return operator_access(reason="test", actor="tests")


@pytest.fixture
def form():
    return make_full_form()


def _progress(assignment, learner) -> AssignmentProgress:
    with _as_operator():
        return AssignmentProgress.objects.select_related("assignment", "attempt").get(
            assignment=assignment, learner=learner
        )


def _start(learner, progress, **kwargs):
    with user_scope(learner, roles=["learner"]):
        return assignment_test_start(learner=learner, progress=progress, **kwargs)


def test_a_teacher_assigns_a_full_test_with_a_form_and_no_practice_set_fields(form):
    _, _, teacher, classroom, learners = make_school()
    now = timezone.now()
    with user_scope(teacher, roles=STAFF_ROLES):
        assignment = assignment_create(
            classroom=classroom,
            created_by=teacher,
            title="Mock test 1",
            kind="full_test",
            form=form,
            section=math(),  # ignored for a full test
            length=20,
            opens_at=now,
            due_at=now + timedelta(days=7),
        )
    with _as_operator():
        assignment = Assignment.objects.get(pk=assignment.pk)
        assert AssignmentProgress.objects.filter(assignment=assignment).count() == len(learners)
    assert assignment.is_full_test and assignment.form == form
    assert assignment.section is None and assignment.length is None and assignment.skill_ids == []
    assert assignment.difficulty == "" and assignment.mode == ""


def test_a_full_test_of_an_unpublished_form_or_due_before_it_opens_is_refused(form):
    _, _, teacher, classroom, _ = make_school()
    TestForm.objects.filter(pk=form.pk).update(status=TestForm.Status.RETIRED)
    form.refresh_from_db()
    now = timezone.now()
    with user_scope(teacher, roles=STAFF_ROLES), pytest.raises(ValidationError) as exc:
        assignment_create(
            classroom=classroom,
            created_by=teacher,
            title="Mock",
            kind="full_test",
            form=form,
            opens_at=now,
            due_at=now - timedelta(hours=1),
        )
    assert set(exc.value.message_dict) == {"form", "due_at"}
    with _as_operator():
        assert not Assignment.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "full_test"},  # keeps the practice set's section and length
        {
            "kind": "full_test",
            "section": None,
            "length": None,
            "difficulty": "",
            "mode": "",
            "skill_ids": [3],
        },
        {"kind": "practice", "section": None},
        {"kind": "practice", "length": None},
        {"kind": "quiz"},
    ],
)
def test_the_database_keeps_the_two_kinds_consistent(fields, form):
    _, _, _, classroom, _ = make_school()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_assignment(classroom, **fields)


def test_a_practice_set_with_a_form_is_refused_by_the_database(form):
    _, _, _, classroom, _ = make_school()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_assignment(classroom, form=form)


def test_starting_opens_the_test_and_the_assignment_and_a_second_start_resumes_it(form):
    _, _, _, classroom, learners = make_school()
    assignment = make_test_assignment(classroom, learners=learners, form=form)
    learner = learners[0]
    started = _start(learner, _progress(assignment, learner))
    assert started.created and started.attempt.assignment_id == assignment.pk and started.attempt.form == form
    progress = _progress(assignment, learner)
    assert (
        progress.status == "in_progress" and progress.attempt_id == started.attempt.pk and progress.started_at
    )
    again = _start(learner, progress)
    assert not again.created and again.attempt.pk == started.attempt.pk
    assert TestAttempt.objects.filter(learner=learner).count() == 1


def test_without_a_form_the_learner_gets_the_form_they_sat_least(form):
    other = make_full_form("Another form", seed=2)
    _, _, _, classroom, learners = make_school()
    learner = learners[0]
    sat = fulltest_start(learner=learner, form=form, now=timezone.now() - timedelta(hours=6)).attempt
    fulltest_sync(attempt=sat)
    assignment = make_test_assignment(classroom, learners=[learner])
    assert _start(learner, _progress(assignment, learner)).attempt.form == other


def test_starting_before_the_window_opens_is_refused_with_the_local_time(form):
    _, _, _, classroom, learners = make_school(time_zone="Europe/Paris")
    now = timezone.now()
    assignment = make_test_assignment(
        classroom, learners=learners, opens_at=now + timedelta(days=1), due_at=now + timedelta(days=2)
    )
    with pytest.raises(ValidationError, match=r"opens on .*\(Europe/Paris\)"):
        _start(learners[0], _progress(assignment, learners[0]))
    assert not TestAttempt.objects.exists()
    assert _progress(assignment, learners[0]).status == "not_started"


def test_with_another_test_open_that_one_is_resumed_and_the_assignment_waits(form):
    _, _, _, classroom, learners = make_school()
    learner = learners[0]
    own = fulltest_start(learner=learner).attempt
    assignment = make_test_assignment(classroom, learners=[learner], form=form)
    started = _start(learner, _progress(assignment, learner))
    assert not started.created and started.attempt.pk == own.pk and started.attempt.assignment_id is None
    progress = _progress(assignment, learner)
    assert progress.status == "not_started" and progress.attempt_id is None


def test_the_test_ending_completes_the_assignment_once(form):
    _, _, _, classroom, learners = make_school()
    learner = learners[0]
    start = timezone.now() - timedelta(hours=6)
    assignment = make_test_assignment(classroom, learners=[learner], form=form, opens_at=start)
    attempt = _start(learner, _progress(assignment, learner), now=start).attempt
    attempt = fulltest_sync(attempt=attempt)  # the clock ran out hours ago: ended and scored
    assert attempt.status == "completed" and attempt.total_score
    progress = _progress(assignment, learner)
    assert progress.status == "completed" and progress.completed_at == attempt.completed_at
    assert not progress.late and progress.attempt_id == attempt.pk
    assert assignment_test_completed(attempt=attempt, now=timezone.now()) == 0  # idempotent
    assert _progress(assignment, learner).completed_at == attempt.completed_at
    with pytest.raises(ValidationError, match="already completed"):
        _start(learner, progress)


def test_a_test_finished_after_the_due_time_is_late(form):
    _, _, _, classroom, learners = make_school()
    learner = learners[0]
    start = timezone.now() - timedelta(hours=6)
    assignment = make_test_assignment(
        classroom, learners=[learner], opens_at=start, due_at=start + timedelta(minutes=30)
    )
    attempt = fulltest_sync(attempt=_start(learner, _progress(assignment, learner), now=start).attempt)
    progress = _progress(assignment, learner)
    assert progress.status == "completed" and progress.late and attempt.completed_at > assignment.due_at


def test_a_practice_set_start_refuses_a_full_test_and_the_other_way_round(form):
    _, _, _, classroom, learners = make_school()
    test = make_test_assignment(classroom, learners=learners)
    practice = make_assignment(classroom, learners=learners, length=5)
    with user_scope(learners[0], roles=["learner"]), pytest.raises(ValidationError, match="full-length"):
        assignment_start(learner=learners[0], progress=_progress(test, learners[0]))
    with pytest.raises(ValidationError, match="practice set"):
        _start(learners[0], _progress(practice, learners[0]))


def test_accommodations_set_by_a_teacher_apply_to_the_assigned_test(form):
    _, _, teacher, classroom, learners = make_school()
    learner = learners[0]
    accommodation_set(learner=learner, time_multiplier="1.5", extended_breaks=True, set_by=teacher)
    assignment = make_test_assignment(classroom, learners=[learner], form=form)
    attempt = _start(learner, _progress(assignment, learner)).attempt
    assert attempt.time_multiplier == 1.5 and attempt.break_multiplier == 2.0
