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
    DailyActivity,
    LearnerStats,
    ReviewItem,
    ScoreSnapshot,
    SkillProficiency,
    User,
)

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
