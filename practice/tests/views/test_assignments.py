"""Assignment pages: a teacher assigns and follows completion; a learner sees, starts and completes."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from practice.models import AccessEvent, Assignment, AssignmentProgress, PracticeSession
from practice.tenancy import operator_access

from ..factories import make_questions, make_user, math
from ..institution_factories import make_assignment, make_classroom, make_enrollment, make_school
from ..learning_factories import answer_all

pytestmark = pytest.mark.django_db


def _as_operator():
    return operator_access(reason="test", actor="tests")


def _form(**overrides):
    return {
        "title": "Week 3: linear equations",
        "section": math().pk,
        "difficulty": "mixed",
        "length": 10,
        "mode": "practice",
        "opens_at": "2026-12-10T09:00",
        "due_at": "2026-12-17T09:00",
        "audience": "class",
    } | overrides


def test_a_teacher_assigns_a_set_to_the_class_in_the_institutions_time_zone(client):
    _, _, teacher, classroom, learners = make_school(time_zone="America/New_York")
    client.force_login(teacher)
    url = reverse("teach:assignment-create", args=[classroom.pk])
    page = client.get(url)
    assert page.status_code == 200 and "America/New_York" in page.content.decode()
    response = client.post(url, _form())
    with _as_operator():
        assignment = Assignment.objects.get()
        assert AssignmentProgress.objects.filter(assignment=assignment).count() == len(learners)
    assert response.status_code == 302 and response["Location"] == assignment.get_absolute_url()
    assert assignment.opens_at == datetime(2026, 12, 10, 14, 0, tzinfo=UTC)
    assert assignment.created_by == teacher and assignment.whole_class


def test_a_teacher_assigns_a_set_to_chosen_learners(client):
    _, _, teacher, classroom, learners = make_school()
    client.force_login(teacher)
    url = reverse("teach:assignment-create", args=[classroom.pk])
    response = client.post(url, _form(audience="chosen", learners=[learners[1].pk]))
    assert response.status_code == 302
    with _as_operator():
        assert list(AssignmentProgress.objects.values_list("learner_id", flat=True)) == [learners[1].pk]
    assert client.post(url, _form(audience="chosen")).status_code == 422


def test_due_before_open_is_a_422_next_to_the_field_and_nothing_is_written(client):
    _, _, teacher, classroom, _ = make_school()
    client.force_login(teacher)
    response = client.post(
        reverse("teach:assignment-create", args=[classroom.pk]), _form(due_at="2026-12-09T09:00")
    )
    assert response.status_code == 422
    assert 'id="id_due_at_errors"' in response.content.decode()
    assert "The due time must be after" in response.content.decode()
    with _as_operator():
        assert not Assignment.objects.exists() and not AssignmentProgress.objects.exists()


def test_the_detail_page_shows_each_learners_progress_and_records_one_access_row(client):
    make_questions(5)
    _, _, teacher, classroom, learners = make_school()
    assignment = make_assignment(classroom, learners=learners, length=5)
    client.force_login(learners[0])
    with _as_operator():
        progress = AssignmentProgress.objects.get(assignment=assignment, learner=learners[0])
    client.post(reverse("practice:assignment-start", args=[progress.pk]))
    answer_all(PracticeSession.objects.get(learner=learners[0]), correct=[True, True, True, True, False])
    client.force_login(teacher)
    response = client.get(assignment.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Completed 1 of 2" in html and "80%" in html and learners[1].profile.display_name in html
    with _as_operator():
        event = AccessEvent.objects.get(what="assignment progress")
    assert event.learner_ids == sorted(u.pk for u in learners) and event.classroom_id == classroom.pk
    class_page = client.get(classroom.get_absolute_url()).content.decode()
    assert assignment.title in class_page and "1 of 2 completed" in class_page


def test_another_institutions_teacher_gets_404_on_the_assignment_pages(client):
    _, _, _, classroom, learners = make_school()
    assignment = make_assignment(classroom, learners=learners)
    other_school, _, other_teacher, _, _ = make_school()
    make_classroom(other_school, teachers=[other_teacher])
    client.force_login(other_teacher)
    assert client.get(assignment.get_absolute_url()).status_code == 404
    assert client.get(reverse("teach:assignment-create", args=[classroom.pk])).status_code == 404
    assert client.post(reverse("teach:assignment-create", args=[classroom.pk]), _form()).status_code == 404
    with _as_operator():
        assert Assignment.objects.count() == 1


def test_a_learner_sees_starts_once_and_completes_an_assignment_from_the_dashboard(client):
    make_questions(5)
    _, _, _, classroom, learners = make_school()
    assignment = make_assignment(classroom, learners=learners, length=5, title="Algebra warm-up")
    learner = learners[0]
    client.force_login(learner)
    html = client.get(reverse("practice:dashboard")).content.decode()
    assert "Assigned to you" in html and "Algebra warm-up" in html and classroom.name in html
    with _as_operator():
        progress = AssignmentProgress.objects.get(assignment=assignment, learner=learner)
    url = reverse("practice:assignment-start", args=[progress.pk])
    assert f'action="{url}"' in html
    first = client.post(url)
    second = client.post(url)  # a double click
    session = PracticeSession.objects.get(learner=learner)
    assert first["Location"] == second["Location"] == session.get_absolute_url()
    assert "Continue" in client.get(reverse("practice:dashboard")).content.decode()
    answer_all(session)
    assert client.get(reverse("practice:session-results", args=[session.pk])).status_code == 200
    html = client.get(reverse("practice:dashboard")).content.decode()
    assert "Recently completed" in html and "done" in html and "(100%)" in html
    assert client.post(url)["Location"] == reverse("practice:session-results", args=[session.pk])


def test_past_due_work_is_marked_late_and_not_yet_open_work_is_hidden(client):
    _, _, _, classroom, learners = make_school()
    now = timezone.now()
    make_assignment(
        classroom,
        learners=learners,
        title="Overdue set",
        opens_at=now - timedelta(days=3),
        due_at=now - timedelta(days=1),
    )
    make_assignment(
        classroom,
        learners=learners,
        title="Next week",
        opens_at=now + timedelta(days=5),
        due_at=now + timedelta(days=7),
    )
    client.force_login(learners[0])
    html = client.get(reverse("practice:dashboard")).content.decode()
    assert "Overdue set" in html and "late</strong>" in html and "Next week" not in html


def test_another_learner_gets_404_on_start(client):
    make_questions(5)
    _, _, _, classroom, learners = make_school()
    assignment = make_assignment(classroom, learners=learners, length=5)
    with _as_operator():
        progress = AssignmentProgress.objects.get(assignment=assignment, learner=learners[0])
    client.force_login(learners[1])  # same class, not their row
    assert client.post(reverse("practice:assignment-start", args=[progress.pk])).status_code == 404
    client.force_login(make_user())
    assert client.post(reverse("practice:assignment-start", args=[progress.pk])).status_code == 404
    assert not PracticeSession.objects.exists()


def _round_trips(captured) -> list[str]:
    """The statements a request would send outside the test's transaction: the test wraps each scope in
    a savepoint and puts the enclosing settings back, which production (autocommit) does not."""
    skip = ("SAVEPOINT", "RELEASE SAVEPOINT", "SELECT set_config(")
    return [q["sql"] for q in captured if not q["sql"].startswith(skip)]


def test_the_dashboard_pays_two_queries_for_assignments_whatever_their_number_and_none_without(
    client, django_assert_max_num_queries
):
    learner = make_user()
    client.force_login(learner)
    client.get(reverse("practice:dashboard"))
    with django_assert_max_num_queries(10) as alone:
        client.get(reverse("practice:dashboard"))
    assert not any("pn_enter" in sql or "assignment" in sql for sql in _round_trips(alone.captured_queries))
    classroom = make_school()[3]
    make_enrollment(classroom, learner)
    make_assignment(classroom, learners=[learner])
    with django_assert_max_num_queries(20) as one:
        client.get(reverse("practice:dashboard"))
    for _ in range(5):
        make_assignment(classroom, learners=[learner])
    with django_assert_max_num_queries(20) as six:
        html = client.get(reverse("practice:dashboard")).content.decode()
    assert html.count("Start</button>") == 6
    assert len(six.captured_queries) == len(one.captured_queries)
    assert len(_round_trips(six.captured_queries)) == len(_round_trips(alone.captured_queries)) + 2
