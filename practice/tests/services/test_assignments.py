"""Assignments: creating them for a class or chosen learners, starting their sessions, completing them."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from practice.models import Assignment, AssignmentProgress, LearnerStats, PracticeSession, Skill
from practice.selectors.progress import learner_summary
from practice.services.assignments import assignment_create, assignment_start
from practice.services.institutions import classroom_join
from practice.services.sessions import practice_session_expire_if_due, practice_session_finish
from practice.tenancy import STAFF_ROLES, operator_access, user_scope

from ..factories import make_questions, make_session, make_user, math, reading_writing
from ..institution_factories import make_assignment, make_enrollment, make_school
from ..learning_factories import answer_all

pytestmark = pytest.mark.django_db


def _as_operator():
    return operator_access(reason="test", actor="tests")


def _create(teacher, classroom, **overrides):
    now = timezone.now()
    fields = {
        "classroom": classroom,
        "created_by": teacher,
        "title": "Linear equations",
        "section": math(),
        "skills": [],
        "domains": [],
        "difficulty": "mixed",
        "length": 5,
        "mode": "practice",
        "opens_at": now - timedelta(minutes=5),
        "due_at": now + timedelta(days=3),
    } | overrides
    with user_scope(teacher, roles=STAFF_ROLES):
        return assignment_create(**fields)


def _progress(assignment, learner) -> AssignmentProgress:
    with _as_operator():
        return AssignmentProgress.objects.select_related("assignment").get(
            assignment=assignment, learner=learner
        )


def _start(learner, progress, **kwargs) -> PracticeSession:
    with user_scope(learner, roles=["learner"]):
        return assignment_start(learner=learner, progress=progress, **kwargs)


def test_an_assignment_for_the_class_gives_every_enrolled_learner_a_progress_row():
    _, _, teacher, classroom, learners = make_school()
    skill = Skill.objects.filter(domain__section=math()).select_related("domain").first()
    assignment = _create(teacher, classroom, skills=[skill])
    with _as_operator():
        rows = AssignmentProgress.objects.filter(assignment=assignment)
        assert sorted(rows.values_list("learner_id", flat=True)) == sorted(u.pk for u in learners)
        assert set(rows.values_list("status", flat=True)) == {"not_started"}
        assignment.refresh_from_db()
    assert assignment.whole_class and assignment.skill_ids == [skill.pk]


def test_an_assignment_for_chosen_learners_reaches_only_them_and_only_enrolled_ones():
    _, _, teacher, classroom, learners = make_school()
    assignment = _create(teacher, classroom, learners=[learners[0]])
    with _as_operator():
        assert list(
            AssignmentProgress.objects.filter(assignment=assignment).values_list("learner_id", flat=True)
        ) == [learners[0].pk]
    assert not assignment.whole_class
    stranger = make_user()
    with pytest.raises(ValidationError) as caught:
        _create(teacher, classroom, learners=[learners[0], stranger])
    assert stranger.username in caught.value.message_dict["learners"][0]


def test_due_before_open_is_refused_with_a_message_and_nothing_is_written():
    _, _, teacher, classroom, _ = make_school()
    now = timezone.now()
    with pytest.raises(ValidationError) as caught:
        _create(teacher, classroom, opens_at=now, due_at=now - timedelta(hours=1))
    assert "due time must be after" in caught.value.message_dict["due_at"][0]
    with _as_operator():
        assert not Assignment.objects.exists() and not AssignmentProgress.objects.exists()


def test_skills_of_another_section_and_a_wrong_length_are_refused():
    _, _, teacher, classroom, _ = make_school()
    reading_skill = Skill.objects.filter(domain__section=reading_writing()).select_related("domain").first()
    with pytest.raises(ValidationError) as caught:
        _create(teacher, classroom, skills=[reading_skill], length=60)
    assert set(caught.value.message_dict) == {"section", "length"}


def test_a_learner_who_joins_later_gets_the_open_whole_class_assignments_only():
    _, _, teacher, classroom, learners = make_school()
    whole = _create(teacher, classroom)
    _create(teacher, classroom, learners=[learners[0]], title="Just one")
    late_joiner = make_user()
    classroom_join(learner=late_joiner, code=classroom.join_code)
    with _as_operator():
        assert list(
            AssignmentProgress.objects.filter(learner=late_joiner).values_list("assignment_id", flat=True)
        ) == [whole.pk]


def test_starting_twice_returns_the_same_session():
    make_questions(5)
    _, _, _, classroom, learners = make_school()
    assignment = make_assignment(classroom, learners=learners, length=5)
    progress = _progress(assignment, learners[0])
    first = _start(learners[0], progress)
    second = _start(learners[0], _progress(assignment, learners[0]))
    assert first.pk == second.pk and first.assignment_id == assignment.pk
    assert PracticeSession.objects.filter(learner=learners[0]).count() == 1
    progress = _progress(assignment, learners[0])
    assert progress.status == "in_progress" and progress.session_id == first.pk and progress.started_at


def test_starting_before_the_assignment_opens_is_refused():
    make_questions(5)
    _, _, _, classroom, learners = make_school()
    now = timezone.now()
    assignment = make_assignment(
        classroom,
        learners=learners,
        length=5,
        opens_at=now + timedelta(days=1),
        due_at=now + timedelta(days=2),
    )
    with pytest.raises(ValidationError, match="opens on"):
        _start(learners[0], _progress(assignment, learners[0]))
    assert not PracticeSession.objects.exists()


def test_finishing_the_session_completes_the_assignment_with_the_score_once():
    make_questions(5)
    _, _, _, classroom, learners = make_school()
    assignment = make_assignment(classroom, learners=learners, length=5)
    session = _start(learners[0], _progress(assignment, learners[0]))
    answer_all(session, correct=[True, True, False, True, False])  # the last answer ends the session
    progress = _progress(assignment, learners[0])
    assert (progress.status, progress.answered, progress.correct, progress.late) == ("completed", 5, 3, False)
    completed_at = progress.completed_at
    practice_session_finish(session=session)  # a retried finish changes nothing
    progress = _progress(assignment, learners[0])
    assert progress.completed_at == completed_at and progress.correct == 3
    assert LearnerStats.objects.get(learner=learners[0]).sessions_completed == 1
    assert _progress(assignment, learners[1]).status == "not_started"


def test_completing_after_the_due_time_marks_the_work_late():
    make_questions(5)
    _, _, _, classroom, learners = make_school()
    now = timezone.now()
    assignment = make_assignment(
        classroom,
        learners=learners,
        length=5,
        opens_at=now - timedelta(days=3),
        due_at=now - timedelta(days=1),
    )
    session = _start(learners[0], _progress(assignment, learners[0]))  # late work still starts
    answer_all(session, correct=[True, False])
    practice_session_finish(session=session)
    progress = _progress(assignment, learners[0])
    assert (progress.status, progress.answered, progress.correct, progress.late) == ("completed", 2, 1, True)


def test_a_timed_session_that_runs_out_completes_the_assignment():
    make_questions(5)
    _, _, _, classroom, learners = make_school()
    assignment = make_assignment(classroom, learners=learners, length=5, mode="timed")
    session = _start(learners[0], _progress(assignment, learners[0]))
    answer_all(session, correct=[True])
    practice_session_expire_if_due(session=session, now=session.deadline + timedelta(minutes=1))
    progress = _progress(assignment, learners[0])
    assert (progress.status, progress.answered, progress.correct) == ("completed", 1, 1)
    assert progress.completed_at == session.deadline


def test_finishing_a_session_without_an_assignment_costs_no_assignment_query():
    learner = make_user()
    make_enrollment(make_school()[3], learner)  # a learner of an institution, practising on their own
    session = make_session(learner, count=5)
    with CaptureQueriesContext(connection) as queries:
        practice_session_finish(session=session)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "pn_enter" not in sql and "assignmentprogress" not in sql


def test_the_dashboard_summary_knows_institution_learners_and_leaves_no_setting_behind():
    _, _, teacher, _, learners = make_school()
    with transaction.atomic():
        assert learner_summary(learner=learners[0]).institution_learner
        assert not learner_summary(learner=teacher).institution_learner
        assert not learner_summary(learner=make_user()).institution_learner
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(current_setting('app.user_id', true), '')")
            assert cursor.fetchone()[0] == ""
