"""simulate_tests: simulated learners sit a published form through the real services; the figures come
out as JSON or a table, and the database is left as it was."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from practice.models import Answer, PracticeSession, Question, TestAttempt, User

from ..fulltest_factories import make_full_form

pytestmark = pytest.mark.django_db

KEYS = (
    "rw_rmse",
    "math_rmse",
    "rw_coverage",
    "math_coverage",
    "rw_routing_accuracy",
    "math_routing_accuracy",
)


def _run(*args) -> str:
    out = io.StringIO()
    call_command("simulate_tests", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _params(form) -> list[tuple]:
    return list(
        Question.objects.filter(form_slots__module__form=form)
        .order_by("pk")
        .values_list("pk", "irt_a", "irt_b")
    )


def test_json_report_has_the_figures_in_range_and_leaves_nothing_behind():
    form = make_full_form(a=(1.6, 2.0))
    users, params = User.objects.count(), _params(form)
    report = json.loads(_run("--learners", "10", "--json"))
    assert report["learners"] == 10 and report["seed"] == 0 and report["form"] == form.slug
    assert report["item_parameters"] == "typical"
    for key in KEYS:
        assert 0 <= report[key] <= (300 if key.endswith("rmse") else 1), key
    assert report["rw_rmse"] > 0 and report["math_rmse"] > 0
    assert isinstance(report["goals_met"], bool) and report["seconds"] >= 0
    assert set(report["rw_goals_met"]) == {"rmse", "coverage", "routing"}
    # Everything the simulation wrote was rolled back, the typical item parameters included.
    assert not TestAttempt.objects.exists()
    assert not PracticeSession.objects.exists() and not Answer.objects.exists()
    assert not User.objects.filter(username__startswith="sim-").exists()
    assert User.objects.count() == users
    assert _params(form) == params


def test_the_same_seed_gives_the_same_figures_and_another_seed_others():
    make_full_form(a=(1.6, 2.0))

    def figures(*args):
        report = json.loads(_run("--learners", "4", "--json", "--item-parameters", "stored", *args))
        del report["seconds"]
        return report

    first = figures()
    assert figures() == first
    assert figures("--seed", "1") != first


def test_table_shows_both_sections_and_the_verdict():
    form = make_full_form(a=(1.6, 2.0))
    out = _run("--learners", "2", "--form", form.slug)
    assert "2 simulated learners" in out and "typical item parameters" in out
    assert "Reading and Writing" in out and "Math" in out
    assert "PASS: every goal is met." in out or "FAIL: a goal is missed." in out


def test_no_published_form_is_a_clear_error():
    with pytest.raises(CommandError, match="No published test form"):
        _run("--learners", "5")


def test_an_unknown_form_is_a_clear_error():
    make_full_form()
    with pytest.raises(CommandError, match="No published test form with the slug 'nope'"):
        _run("--form", "nope")
