"""simulate_success: prints the Brier score and the decile table with PASS/FAIL; --check fails loudly."""

import io
import re

import pytest
from django.core.management import CommandError, call_command


def _run(*args) -> str:
    out = io.StringIO()
    call_command("simulate_success", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_default_run_prints_brier_ten_deciles_and_pass():
    out = _run("--learners", "2000")
    assert re.search(r"Brier score: 0\.\d{4} \(goal <= 0\.15\) PASS", out)
    rows = [line for line in out.splitlines() if re.match(r"\s+\d+\s+200\s+[\d.]+%\s+[\d.]+%\s+[+-]\d", line)]
    assert len(rows) == 10
    assert "PASS: the model meets both goals." in out
    assert _run("--learners", "2000") == out  # the same seed gives the same cohort


def test_check_passes_quietly_on_the_default_seed():
    assert "PASS: the model meets both goals." in _run("--learners", "2000", "--check")


def test_a_missed_goal_is_reported_and_check_makes_it_an_error():
    # 50 learners: 5 per decile, far too few for +/-5 points, so the calibration goal is missed.
    out = _run("--learners", "50", "--seed", "3")
    assert "FAIL: the model misses a goal." in out
    with pytest.raises(CommandError, match="FAIL"):
        _run("--learners", "50", "--seed", "3", "--check")


def test_too_few_learners_are_refused():
    with pytest.raises(CommandError, match="at least 10"):
        _run("--learners", "5")
