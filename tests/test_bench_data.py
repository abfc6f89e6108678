"""The benchmarks' data generators (bench/generate_load_data.py, bench/simulate_learners.py), on small
volumes."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from bench import generate_load_data, simulate_learners
from practice.models import (
    Answer,
    Assignment,
    AssignmentProgress,
    Classroom,
    ClassTeacher,
    DailyActivity,
    Enrollment,
    Institution,
    LearnerStats,
    Membership,
    Profile,
    ReviewItem,
    Role,
    ScoreSnapshot,
    SkillProficiency,
    User,
)
from practice.tenancy import operator_access

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.django_db


def test_generate_load_data_builds_consistent_data_and_is_safe_to_rerun():
    generate = generate_load_data.Command()
    out = io.StringIO()
    call_command(generate, answers=600, learner_answers=200, learners=4, questions=60, stdout=out)
    focus = User.objects.get(username="load-learner")
    assert Answer.objects.count() == 600
    assert Answer.objects.filter(learner=focus).count() == 200
    stats = LearnerStats.objects.get(learner=focus)
    assert stats.answers == 200
    assert sum(DailyActivity.objects.filter(learner=focus).values_list("answers", flat=True)) == 200
    assert sum(SkillProficiency.objects.filter(learner=focus).values_list("answers", flat=True)) == 200
    assert ScoreSnapshot.objects.filter(learner=focus).count() == 20
    assert ReviewItem.objects.filter(learner=focus).exists()
    # The copied ids came from the tables' own sequences: the app can keep inserting.
    assert Answer.objects.order_by("-pk").first().pk >= 600
    call_command(generate, answers=600, learner_answers=200, learners=4, questions=60, stdout=out)
    assert Answer.objects.count() == 600
    assert "nothing to do" in out.getvalue()


def test_generate_load_data_builds_institutions_whose_rows_agree():
    out = io.StringIO()
    call_command(
        generate_load_data.Command(),
        answers=1200,
        learner_answers=100,
        learners=1,
        questions=60,
        institutions=1,
        classes_per_institution=2,
        learners_per_class=5,
        stdout=out,
    )
    members = User.objects.filter(username__startswith="load-inst0-learner")
    assert members.count() == 10
    # The plain learner and the ten institution learners share the 1,100 other answers: 10 each.
    assert Answer.objects.count() == 1200
    assert Answer.objects.filter(learner__in=members).count() == 1000
    for learner in members:
        stats = LearnerStats.objects.get(learner=learner)
        assert stats.answers == 100
        assert sum(SkillProficiency.objects.filter(learner=learner).values_list("answers", flat=True)) == 100
    assert not Profile.objects.filter(user__in=members, time_zone="").exists()
    assert Profile.objects.filter(
        user__in=members, target_score__isnull=False, test_date__isnull=False
    ).exists()
    # Row-level security: without a context the app sees none of it ...
    assert not Institution.objects.exists()
    assert not Enrollment.objects.exists()
    with operator_access(reason="test", actor="tests"):
        institution = Institution.objects.get()
        classes = list(Classroom.objects.filter(institution=institution))
        assert len(classes) == 2
        enrollments = list(Enrollment.objects.all())
        assert len(enrollments) == 10
        assert {e.learner_id for e in enrollments} == set(members.values_list("pk", flat=True))
        learner_roles = dict(
            Membership.objects.filter(role=Role.LEARNER).values_list("user_id", "institution_id")
        )
        for enrollment in enrollments:
            assert enrollment.institution_id == institution.pk
            assert learner_roles[enrollment.learner_id] == institution.pk
            assert enrollment.classroom.institution_id == institution.pk
        for classroom in classes:
            assert Enrollment.objects.filter(classroom=classroom).count() == 5
            link = ClassTeacher.objects.get(classroom=classroom)
            assert link.institution_id == institution.pk
            assert Membership.objects.filter(
                user_id=link.teacher_id, institution=institution, role=Role.TEACHER
            ).exists()
        assert Membership.objects.filter(institution=institution, role=Role.ADMIN).count() == 1
        assert User.objects.filter(
            username="load-inst0-teacher0", class_links__classroom__in=classes
        ).exists()
        assignments = list(Assignment.objects.all())
        assert len(assignments) == 6
        for assignment in assignments:
            assert assignment.institution_id == assignment.classroom.institution_id == institution.pk
            progress = AssignmentProgress.objects.filter(assignment=assignment)
            assert set(progress.values_list("learner_id", flat=True)) == set(
                Enrollment.objects.filter(classroom=assignment.classroom).values_list("learner_id", flat=True)
            )
            for row in progress:
                assert row.institution_id == institution.pk
                assert row.correct <= row.answered <= assignment.length
                assert (row.status == "completed") == (row.completed_at is not None)
                assert (row.status == "not_started") == (row.started_at is None)
    assert "institution load-inst0: 2 classes, 10 learners" in out.getvalue()
    # A re-run does nothing.
    call_command(
        generate_load_data.Command(),
        answers=1200,
        learner_answers=100,
        learners=1,
        questions=60,
        institutions=1,
        classes_per_institution=2,
        learners_per_class=5,
        stdout=out,
    )
    assert Answer.objects.count() == 1200
    assert "nothing to do" in out.getvalue()


def test_generate_load_data_refuses_to_add_institutions_to_data_built_without_them():
    volumes = {"answers": 100, "learner_answers": 50, "learners": 1, "questions": 60, "stdout": io.StringIO()}
    call_command(generate_load_data.Command(), **volumes)
    with pytest.raises(CommandError, match="fresh database"):
        call_command(generate_load_data.Command(), institutions=1, **volumes)


def test_generate_load_data_rejects_impossible_volumes():
    with pytest.raises(CommandError):
        call_command(generate_load_data.Command(), answers=10, learner_answers=20, stdout=io.StringIO())


def test_simulate_learners_runs_through_the_services():
    out = io.StringIO()
    call_command(simulate_learners.Command(), learners=1, items=10, per_skill=6, stdout=out)
    assert "RMSE" in out.getvalue()
    learner = User.objects.get(username__startswith="sim-")
    assert Answer.objects.filter(learner=learner).count() == 20
    assert LearnerStats.objects.get(learner=learner).answers == 20


@pytest.mark.parametrize(
    ("script", "args"),
    [
        ("generate_load_data", ["--answers=10", "--learner-answers=20"]),
        ("simulate_learners", ["--learners=0"]),
    ],
)
def test_scripts_run_with_the_projects_python_and_refuse_impossible_volumes(script, args):
    result = subprocess.run(
        [sys.executable, "-m", f"bench.{script}", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert result.stderr.startswith("CommandError: Need ")
