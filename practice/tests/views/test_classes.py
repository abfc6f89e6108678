"""The teacher's class overview, learner drill-down and CSV export."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from practice.engine.mastery import Level
from practice.models import AccessEvent, DailyActivity, LearnerStats, Role, Skill, SkillProficiency
from practice.tenancy import operator_access

from ..answer_factories import make_learners
from ..factories import make_user
from ..institution_factories import make_classroom, make_enrollment, make_member, make_school
from ..learning_factories import make_answered_session

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 12


def _as_operator():
    return operator_access(reason="test", actor="tests")


def routes(classroom, learner):
    return [
        reverse("teach:class-detail", args=[classroom.pk]),
        reverse("teach:learner-detail", args=[classroom.pk, learner.pk]),
        reverse("teach:class-export", args=[classroom.pk]),
    ]


def fill_class(classroom, count):
    """COUNT learners with proficiencies on every skill, daily activity and running totals."""
    learners = make_learners(count)
    skills = list(Skill.objects.all())
    today = timezone.now().date()
    for learner in learners:
        make_enrollment(classroom, learner)
    SkillProficiency.objects.bulk_create(
        SkillProficiency(learner=u, skill=s, mean=0.2, var=0.2, answers=4, correct=3, level=Level.FAMILIAR)
        for u in learners
        for s in skills
    )
    DailyActivity.objects.bulk_create(
        DailyActivity(learner=u, day=today - timedelta(days=d), answers=5, correct=3)
        for u in learners
        for d in range(0, 30, 3)
    )
    LearnerStats.objects.bulk_create(
        LearnerStats(learner=u, answers=50, correct=30, last_active_day=today) for u in learners
    )
    return learners


def test_the_overview_shows_roster_heatmap_and_who_needs_attention(client):
    _, _, teacher, classroom, (active, idle) = make_school()
    make_answered_session(active, count=5)
    client.force_login(teacher)
    page = client.get(classroom.get_absolute_url()).content.decode()
    assert active.profile.display_name in page and idle.profile.display_name in page
    assert 'scope="colgroup"' in page and "Reading and Writing" in page and "Math" in page
    assert '<span class="visually-hidden">Not started</span>' in page
    assert "Never active" in page and "below 50%" in page
    assert "No target" in page
    assert '<section id="assignments"' in page
    assert reverse("teach:learner-detail", args=[classroom.pk, idle.pk]) in page


def test_the_overview_runs_in_the_same_number_of_queries_whatever_the_class_size(client):
    institution, _, teacher, _, _ = make_school()
    counts = []
    for size in (5, 40):
        classroom = make_classroom(institution, teachers=[teacher])
        fill_class(classroom, size)
        client.force_login(teacher)
        cache.delete_pattern("teach:*")  # cold: no skills or learners' figures cached
        with CaptureQueriesContext(connection) as cold:
            assert client.get(classroom.get_absolute_url()).status_code == 200
        with CaptureQueriesContext(connection) as warm:
            assert client.get(classroom.get_absolute_url()).status_code == 200
        counts.append((len(cold), len(warm)))
    assert counts[0] == counts[1], counts
    assert counts[0][0] <= QUERY_BUDGET and counts[0][1] < counts[0][0]


def test_the_overview_stays_within_budget_with_django_assert(client, django_assert_max_num_queries):
    _, _, teacher, classroom, _ = make_school()
    fill_class(classroom, 40)
    client.force_login(teacher)
    with django_assert_max_num_queries(QUERY_BUDGET):
        assert client.get(classroom.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(QUERY_BUDGET):
        assert client.get(reverse("teach:class-export", args=[classroom.pk])).status_code == 200


def test_another_institutions_teacher_gets_404_on_every_route(client):
    _, _, _, classroom, (learner, _) = make_school()
    _, _, stranger, _, _ = make_school()
    client.force_login(stranger)
    for url in routes(classroom, learner):
        assert client.get(url).status_code == 404, url


def test_a_teacher_of_another_class_gets_404_and_the_institution_admin_gets_200(client):
    institution, admin, _, classroom, (learner, _) = make_school()
    colleague = make_member(institution, Role.TEACHER).user
    make_classroom(institution, teachers=[colleague])
    client.force_login(colleague)
    for url in routes(classroom, learner):
        assert client.get(url).status_code == 404, url
    client.force_login(admin)
    for url in routes(classroom, learner):
        assert client.get(url).status_code == 200, url


def test_a_learner_outside_the_class_is_a_404_on_the_drill_down(client):
    _, _, teacher, classroom, _ = make_school()
    outsider = make_user()
    client.force_login(teacher)
    url = reverse("teach:learner-detail", args=[classroom.pk, outsider.pk])
    assert client.get(url).status_code == 404


def test_the_drill_down_is_read_only_and_records_one_access_row_naming_the_learner(client):
    institution, _, teacher, classroom, (learner, _) = make_school()
    make_answered_session(learner, count=5, correct=False)
    client.force_login(teacher)
    response = client.get(reverse("teach:learner-detail", args=[classroom.pk, learner.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<form" not in page.split("<main", 1)[-1].split("</main>", 1)[0]
    assert "Mistakes to review (5)" in page and "Sessions (1)" in page and "0 / 5" in page
    with _as_operator():
        event = AccessEvent.objects.get()
    assert event.learner_ids == [learner.pk] and event.what == "learner detail"
    assert event.classroom_id == classroom.pk and event.institution_id == institution.pk


def test_the_export_has_one_row_per_learner_with_every_column_and_escaped_text(client):
    _, _, teacher, classroom, (first, second) = make_school()
    first.profile.display_name = "=HYPERLINK(1)"
    first.profile.save(update_fields=["display_name"])
    make_answered_session(second, count=5, correct=[True, True, False, True, True])
    client.force_login(teacher)
    response = client.get(reverse("teach:class-export", args=[classroom.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows[0]
    assert header[:6] == [
        "name",
        "email",
        "external_id",
        "predicted_total",
        "predicted_total_low",
        "predicted_total_high",
    ]
    for column in ("reading_writing", "math", "last_active", "questions_this_week", "answers_total"):
        assert column in header
    for column in (
        "accuracy_percent",
        "assignments_completed",
        "assignments_assigned",
        "success_probability",
    ):
        assert column in header
    skills = [h for h in header if h.startswith("skill: ")]
    assert len(skills) == Skill.objects.count()
    by_email = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert len(by_email) == 2
    assert by_email[first.email]["name"] == "'=HYPERLINK(1)"
    mine = by_email[second.email]
    assert mine["answers_total"] == "5" and mine["accuracy_percent"] == "80"
    assert mine["questions_this_week"] == "5" and mine["success_probability"] == ""
    assert "Attempted" in [mine[h] for h in skills] or "Familiar" in [mine[h] for h in skills]
    with _as_operator():
        event = AccessEvent.objects.get()
    assert event.action == "export" and sorted(event.learner_ids) == sorted([first.pk, second.pk])
