"""Full-length tests as assignments: the teacher assigns one and follows it (scores, each learner's
report), the learner starts it from the dashboard in its window, and a teacher records accommodations."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from practice.models import AccessEvent, Assignment, AssignmentProgress, TestAccommodation, TestAttempt
from practice.services.fulltests import fulltest_start, fulltest_sync
from practice.services.testassignments import assignment_test_start
from practice.tenancy import operator_access, user_scope

from ..factories import make_user
from ..fulltest_factories import make_full_form
from ..institution_factories import make_enrollment, make_school, make_test_assignment

pytestmark = pytest.mark.django_db


def _as_operator():
    return operator_access(reason="test", actor="tests")


@pytest.fixture
def form():
    return make_full_form()


def _form(**overrides):
    return {
        "title": "Mock test 1",
        "kind": "full_test",
        "test_form": "",
        "opens_at": "2026-12-10T09:00",
        "due_at": "2026-12-17T09:00",
        "audience": "class",
    } | overrides


def _progress(assignment, learner) -> AssignmentProgress:
    with _as_operator():
        return AssignmentProgress.objects.get(assignment=assignment, learner=learner)


def _sit(assignment, learner, hours_ago=6) -> TestAttempt:
    """The learner starts the assigned test hours ago; the clock has ended it since (scored)."""
    start = timezone.now() - timedelta(hours=hours_ago)
    with user_scope(learner, roles=["learner"]):
        attempt = assignment_test_start(learner=learner, progress=_progress(assignment, learner), now=start)
    return fulltest_sync(attempt=attempt.attempt)


def _past_window(classroom, learners, **overrides):
    start = timezone.now() - timedelta(hours=7)
    return make_test_assignment(classroom, learners=learners, opens_at=start, **overrides)


def test_a_teacher_assigns_a_full_test_with_a_form_in_the_institutions_time_zone(client, form):
    _, _, teacher, classroom, learners = make_school(time_zone="America/New_York")
    client.force_login(teacher)
    url = reverse("teach:assignment-create", args=[classroom.pk])
    page = client.get(url).content.decode()
    assert "Full-length practice test" in page and form.name in page
    response = client.post(url, _form(test_form=form.pk, section="", length=""))
    with _as_operator():
        assignment = Assignment.objects.get()
        assert AssignmentProgress.objects.filter(assignment=assignment).count() == len(learners)
    assert response.status_code == 302 and response["Location"] == assignment.get_absolute_url()
    assert assignment.is_full_test and assignment.form == form and assignment.section is None
    assert assignment.opens_at == datetime(2026, 12, 10, 14, 0, tzinfo=UTC)


def test_a_full_test_due_before_it_opens_or_of_an_unknown_form_is_a_422(client, form):
    _, _, teacher, classroom, _ = make_school()
    client.force_login(teacher)
    url = reverse("teach:assignment-create", args=[classroom.pk])
    response = client.post(url, _form(due_at="2026-12-09T09:00"))
    assert response.status_code == 422 and "The due time must be after" in response.content.decode()
    assert client.post(url, _form(test_form=form.pk + 999)).status_code == 422
    with _as_operator():
        assert not Assignment.objects.exists()


def test_the_learner_sees_and_starts_the_test_from_the_dashboard_once(client, form):
    _, _, _, classroom, learners = make_school()
    assignment = make_test_assignment(classroom, learners=learners, title="Mock test 1")
    learner = learners[0]
    client.force_login(learner)
    html = client.get(reverse("practice:dashboard")).content.decode()
    assert "Mock test 1" in html and "full-length practice test" in html
    url = reverse("practice:assignment-start", args=[_progress(assignment, learner).pk])
    first = client.post(url)
    attempt = TestAttempt.objects.get(learner=learner)
    assert first.status_code == 302 and first["Location"] == attempt.get_absolute_url()
    assert attempt.assignment_id == assignment.pk and _progress(assignment, learner).status == "in_progress"
    second = client.post(url)  # a double click
    assert second["Location"] == attempt.get_absolute_url() and TestAttempt.objects.count() == 1
    assert "Continue" in client.get(reverse("practice:dashboard")).content.decode()


def test_before_the_window_opens_the_start_is_refused_with_a_message(client, form):
    _, _, _, classroom, learners = make_school()
    now = timezone.now()
    assignment = make_test_assignment(
        classroom, learners=learners, opens_at=now + timedelta(days=1), due_at=now + timedelta(days=2)
    )
    client.force_login(learners[0])
    response = client.post(
        reverse("practice:assignment-start", args=[_progress(assignment, learners[0]).pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("practice:dashboard")
    assert "This assignment opens on" in response.content.decode()
    assert not TestAttempt.objects.exists()


def test_with_another_test_open_the_learner_is_sent_to_resume_it(client, form):
    _, _, _, classroom, learners = make_school()
    learner = learners[0]
    own = fulltest_start(learner=learner).attempt
    assignment = make_test_assignment(classroom, learners=[learner], title="Mock test 2")
    client.force_login(learner)
    response = client.post(reverse("practice:assignment-start", args=[_progress(assignment, learner).pk]))
    assert response["Location"] == own.get_absolute_url()
    page = client.get(response["Location"], follow=True).content.decode()
    assert "already have a full-length test in progress" in page and "Mock test 2" in page
    assert _progress(assignment, learner).status == "not_started"


def test_a_finished_test_completes_the_assignment_and_the_dashboard_links_the_report(client, form):
    _, _, _, classroom, learners = make_school()
    learner = learners[0]
    assignment = _past_window(classroom, [learner])
    attempt = _sit(assignment, learner)
    client.force_login(learner)
    html = client.get(reverse("practice:dashboard")).content.decode()
    assert f"(total {attempt.total_score})" in html
    assert reverse("practice:fulltest-report", args=[attempt.pk]) in html
    response = client.post(reverse("practice:assignment-start", args=[_progress(assignment, learner).pk]))
    assert response["Location"] == reverse("practice:fulltest-report", args=[attempt.pk])


def test_the_teacher_page_shows_who_has_not_started_who_is_sitting_and_scores(client, form):
    _, _, teacher, classroom, learners = make_school()
    third = make_enrollment(classroom).learner
    assignment = _past_window(classroom, [*learners, third])
    finished = _sit(assignment, learners[0])
    with user_scope(learners[1], roles=["learner"]):
        assignment_test_start(learner=learners[1], progress=_progress(assignment, learners[1]))
    client.force_login(teacher)
    response = client.get(assignment.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Finished 1 of 3" in html and "in progress 1" in html and "not started 1" in html
    assert (
        f'{finished.total_score} <span class="muted">({finished.total_low}\N{EN DASH}{finished.total_high})'
        in html
    )
    assert f"{finished.rw_score} <span" in html and f"{finished.math_score} <span" in html
    assert "Reading and Writing, Module 1" in html
    report_url = reverse("teach:assignment-learner-report", args=[assignment.pk, learners[0].pk])
    assert report_url in html
    assert reverse("teach:assignment-learner-report", args=[assignment.pk, learners[1].pk]) not in html
    with _as_operator():
        event = AccessEvent.objects.get(what="assignment progress")
    assert sorted(event.learner_ids) == sorted(u.pk for u in (*learners, third))


def test_the_teacher_reads_a_learners_report_and_the_look_is_recorded(client, form):
    _, _, teacher, classroom, learners = make_school()
    assignment = _past_window(classroom, learners)
    attempt = _sit(assignment, learners[0])
    client.force_login(teacher)
    response = client.get(reverse("teach:assignment-learner-report", args=[assignment.pk, learners[0].pk]))
    html = response.content.decode()
    assert response.status_code == 200 and "Score report" in html
    assert f"by {learners[0].profile.display_name or learners[0].username}" in html
    assert str(attempt.total_score) in html and assignment.get_absolute_url() in html
    with _as_operator():
        event = AccessEvent.objects.get(what="full-length test report")
    assert event.learner_ids == [learners[0].pk] and event.classroom_id == classroom.pk


def test_reports_are_404_elsewhere_for_unfinished_tests_and_for_learners_outside_the_class(client, form):
    _, _, teacher, classroom, learners = make_school()
    assignment = _past_window(classroom, learners)
    _sit(assignment, learners[0])
    url = reverse("teach:assignment-learner-report", args=[assignment.pk, learners[0].pk])
    _, _, other_teacher, other_class, _ = make_school()
    client.force_login(other_teacher)
    assert client.get(url).status_code == 404  # another institution's teacher
    # Another institution's learner through the teacher's own assignment, and an unfinished test.
    client.force_login(teacher)
    stranger = make_enrollment(other_class).learner
    assert (
        client.get(reverse("teach:assignment-learner-report", args=[assignment.pk, stranger.pk])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("teach:assignment-learner-report", args=[assignment.pk, learners[1].pk])
        ).status_code
        == 404
    )
    client.force_login(learners[1])  # a learner is no teacher
    assert client.get(url).status_code in (403, 404)
    with _as_operator():
        assert not AccessEvent.objects.filter(what="full-length test report").exists()


def test_the_teacher_page_costs_the_same_queries_for_4_or_10_learners(client, form):
    def measure(extra):
        _, _, teacher, classroom, learners = make_school()
        learners += [make_enrollment(classroom).learner for _ in range(extra)]
        assignment = _past_window(classroom, learners)
        for learner in learners[:2] + learners[3::2]:
            _sit(assignment, learner)
        with user_scope(learners[2], roles=["learner"]):
            assignment_test_start(learner=learners[2], progress=_progress(assignment, learners[2]))
        client.force_login(teacher)
        client.get(assignment.get_absolute_url())
        with CaptureQueriesContext(connection) as captured:
            assert client.get(assignment.get_absolute_url()).status_code == 200
        return len(captured.captured_queries)

    small = measure(1)
    assert small == measure(7) and small < 25


def test_a_teacher_sets_accommodations_for_a_learner_of_their_class(client):
    _, _, teacher, classroom, learners = make_school()
    learner = learners[0]
    client.force_login(teacher)
    detail = client.get(reverse("teach:learner-detail", args=[classroom.pk, learner.pk])).content.decode()
    url = reverse("teach:learner-accommodations", args=[classroom.pk, learner.pk])
    assert "none recorded" in detail and url in detail
    assert client.get(url).status_code == 200
    response = client.post(url, {"time_multiplier": "2.0", "extended_breaks": "on", "note": "IEP 2026-14"})
    assert response["Location"] == reverse("teach:learner-detail", args=[classroom.pk, learner.pk])
    accommodation = TestAccommodation.objects.get(learner=learner)
    assert accommodation.time_multiplier == "2.0" and accommodation.extended_breaks
    assert accommodation.set_by == teacher and accommodation.note == "IEP 2026-14"
    detail = client.get(response["Location"]).content.decode()
    assert "Double time" in detail and "extended breaks" in detail
    assert client.post(url, {"time_multiplier": "3.0"}).status_code == 422
    assert TestAccommodation.objects.get(learner=learner).time_multiplier == "2.0"
    with _as_operator():
        assert AccessEvent.objects.filter(what="testing accommodations", learner_ids=[learner.pk]).exists()


def test_accommodations_of_another_institutions_learner_are_404(client):
    _, _, teacher, classroom, _ = make_school()
    _, _, _, other_class, other_learners = make_school()
    client.force_login(teacher)
    for class_pk in (classroom.pk, other_class.pk):
        url = reverse("teach:learner-accommodations", args=[class_pk, other_learners[0].pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"time_multiplier": "1.5"}).status_code == 404
    client.force_login(make_user())
    assert client.get(reverse("teach:learner-accommodations", args=[classroom.pk, 1])).status_code == 403
    assert not TestAccommodation.objects.exists()
