"""The teachers' weekly digest of a class: the week's assignments with completion, the learners who need
attention (as the class page says) and the biggest movers of predicted score over the week."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practice.models import AssignmentProgress, ScoreSnapshot
from practice.selectors.digest import class_digest, digest_class_ids, score_movers
from practice.tenancy import operator_access

from ..factories import make_user
from ..institution_factories import make_assignment, make_classroom, make_enrollment, make_school


def snapshot(learner, total, days_ago):
    ScoreSnapshot.objects.create(
        learner=learner, total=total, taken_at=timezone.now() - timedelta(days=days_ago)
    )


@pytest.mark.django_db
def test_movers_compare_the_weeks_last_prediction_with_the_one_before_it():
    up, down, still, new, old = (make_user() for _ in range(5))
    snapshot(up, 1000, 9)
    snapshot(up, 1050, 3)
    snapshot(up, 1120, 1)
    snapshot(down, 1200, 8)
    snapshot(down, 1150, 2)
    snapshot(still, 1100, 10)
    snapshot(still, 1100, 2)
    snapshot(new, 900, 5)  # no prediction before the week: from the week's first
    snapshot(new, 960, 1)
    snapshot(old, 800, 20)  # nothing this week
    ids = [u.pk for u in (up, down, still, new, old)]
    moves = score_movers(learner_ids=ids, at=timezone.now())
    assert moves == {up.pk: (1000, 1120), new.pk: (900, 960), down.pk: (1200, 1150)}
    assert list(score_movers(learner_ids=ids, at=timezone.now(), limit=1)) == [up.pk]


@pytest.mark.django_db
def test_a_class_digest_has_completion_attention_and_movers():
    _institution, _admin, teacher, classroom, (mover, idle) = make_school(time_zone="America/Chicago")
    now = timezone.now()
    recent = make_assignment(
        classroom,
        learners=[mover, idle],
        title="Linear equations",
        opens_at=now - timedelta(days=5),
        due_at=now - timedelta(days=1),
    )
    make_assignment(
        classroom,
        learners=[mover],
        title="Old set",
        opens_at=now - timedelta(days=30),
        due_at=now - timedelta(days=20),
    )
    with operator_access(reason="test", actor="tests"):
        AssignmentProgress.objects.filter(assignment=recent, learner=mover).update(
            status="completed", completed_at=now
        )
    snapshot(mover, 1000, 10)
    snapshot(mover, 1080, 2)
    with operator_access(reason="test", actor="tests"):
        assert classroom.pk in digest_class_ids(at=now)
        digest = class_digest(classroom_id=classroom.pk, at=now, week="2026-W49")
    assert digest.period == f"2026-W49-c{classroom.pk}"
    assert [t.pk for t in digest.teachers] == [teacher.pk]
    assert sorted(digest.learner_ids) == sorted([mover.pk, idle.pk])
    [assignment] = digest.assignments
    assert (assignment["title"], assignment["assigned"], assignment["completed"], assignment["percent"]) == (
        "Linear equations",
        2,
        1,
        50,
    )
    assert assignment["url"].startswith("http") and f"/teach/assignments/{recent.pk}/" in assignment["url"]
    assert {a["name"] for a in digest.attention} == {mover.profile.display_name, idle.profile.display_name}
    assert all("Never active" in a["reasons"] for a in digest.attention)
    assert digest.movers == [{"name": mover.profile.display_name, "from": 1000, "to": 1080, "change": "+80"}]
    context = digest.context(teacher=teacher)
    assert context["class_url"].endswith(f"/teach/classes/{classroom.pk}/") and context["learners"] == 2


@pytest.mark.django_db
def test_archived_classes_and_classes_without_a_teacher_get_no_digest():
    institution, _admin, teacher, classroom, _ = make_school()
    archived = make_classroom(institution, teachers=[teacher], archived=True)
    orphan = make_classroom(institution)
    make_enrollment(orphan)
    with operator_access(reason="test", actor="tests"):
        ids = digest_class_ids(at=timezone.now())
    assert classroom.pk in ids and archived.pk not in ids and orphan.pk not in ids


@pytest.mark.django_db
def test_without_a_scope_the_policies_hide_every_class():
    make_school()
    assert digest_class_ids(at=timezone.now()) == []
