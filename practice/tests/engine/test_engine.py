"""The learning engine's rules, as pure functions (no database)."""

import math
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from practice.engine import spaced
from practice.engine.ability import (
    SkillState,
    estimate_section,
    skill_likelihood,
    skill_weights,
    update_skill,
)
from practice.engine.irt import ItemParams, information, p_correct
from practice.engine.mastery import Level, estimate_level, next_mastery
from practice.engine.scores import (
    MIN_SECTION_ANSWERS,
    SectionEstimate,
    predict_section,
    predict_total,
    scale_section,
)
from practice.engine.selection import Candidate, select_items

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_3pl_probability_has_guessing_floor_and_midpoint():
    item = ItemParams(a=1.2, b=0.5, c=0.25)
    assert p_correct(0.5, item) == pytest.approx(0.625)
    assert p_correct(-10, item) == pytest.approx(0.25, abs=1e-4)
    assert p_correct(10, item) == pytest.approx(1.0, abs=1e-4)


def test_2pl_information_peaks_at_difficulty():
    item = ItemParams(a=1.5, b=0.7, c=0.0)
    assert information(0.7, item) == pytest.approx(1.5**2 / 4)
    assert information(0.7, item) > information(0.0, item) > information(-1.0, item)


def test_correct_answer_raises_estimate_and_wrong_lowers_it_and_both_shrink_uncertainty():
    item = ItemParams(a=1.0, b=0.0, c=0.25)
    up = update_skill(SkillState(), item, True)
    down = update_skill(SkillState(), item, False)
    assert up.mean > 0 > down.mean
    assert up.var < 1 and down.var < 1
    assert (up.n, up.n_correct, down.n, down.n_correct) == (1, 1, 1, 0)


def test_a_guessable_correct_answer_moves_the_estimate_less_than_an_spr_one():
    mcq = update_skill(SkillState(), ItemParams(a=1, b=0, c=0.25), True)
    spr = update_skill(SkillState(), ItemParams(a=1, b=0, c=0.0), True)
    assert spr.mean > mcq.mean


def test_estimate_converges_to_true_ability():
    rng = random.Random(3)
    state, truth = SkillState(), 1.2
    for _ in range(300):
        item = ItemParams(a=1.3, b=rng.uniform(-2, 3), c=0.0)
        state = update_skill(state, item, rng.random() < p_correct(truth, item))
    assert state.mean == pytest.approx(truth, abs=0.3)
    assert state.sd < 0.15


def test_skill_without_answers_contributes_no_likelihood():
    assert skill_likelihood(SkillState()) == (0.0, 0.0)


def test_skill_weights_follow_domain_shares():
    weights = skill_weights(
        {"ii": (0.26, ["a", "b"]), "cs": (0.28, ["c"]), "eoi": (0.20, ["d"]), "sec": (0.26, ["e"])}
    )
    assert weights["a"] == pytest.approx(0.13)
    assert weights["c"] == pytest.approx(0.28)
    assert sum(weights.values()) == pytest.approx(1.0)


def test_section_estimate_borrows_strength_across_skills():
    weights = {"a": 0.5, "b": 0.5}
    strong = SkillState()
    for _ in range(10):
        strong = update_skill(strong, ItemParams(1.5, 0.0, 0.0), True)
    est = estimate_section({"a": strong}, weights)
    # Skill b has no answers but sits near the section's (high) ability, not at the population mean.
    assert est.skills["b"][0] > 0.5
    assert est.skills["a"][0] > est.skills["b"][0]
    assert est.theta > 0.5 and est.sd < 1.0
    assert est.n == 10


def test_section_estimate_without_answers_is_the_prior():
    est = estimate_section({}, {"a": 1.0})
    assert est.theta == 0.0 and est.n == 0
    assert est.sd == pytest.approx(1.0, abs=0.1)


def test_section_scores_are_200_to_800_in_steps_of_10():
    assert scale_section(0.0) == 500
    assert scale_section(0.234) == 520
    assert scale_section(9) == 800
    assert scale_section(-9) == 200
    assert all(scale_section(t / 7) % 10 == 0 for t in range(-30, 30))


def test_not_enough_data_until_the_minimum_answers():
    few = predict_section(SectionEstimate(0.5, 0.4, MIN_SECTION_ANSWERS - 1, {}))
    assert not few.enough_data and few.needed == 1 and few.score is None
    enough = predict_section(SectionEstimate(0.5, 0.4, MIN_SECTION_ANSWERS, {}))
    assert enough.enough_data and enough.score == 550


def test_band_is_90_percent_interval_on_the_scale():
    pred = predict_section(SectionEstimate(0.0, 0.5, 20, {}))
    assert (pred.low, pred.score, pred.high) == (420, 500, 580)


def test_total_is_the_sum_with_a_combined_band_and_needs_both_sections():
    rw = SectionEstimate(0.5, 0.3, 20, {})
    ma = SectionEstimate(1.0, 0.4, 20, {})
    total = predict_total(rw, ma)
    assert total.score == 550 + 600
    half = 1.6449 * 100 * math.hypot(0.3, 0.4)
    assert total.low == pytest.approx(1150 - half, abs=10)
    assert total.high == pytest.approx(1150 + half, abs=10)
    assert 400 <= total.low <= total.score <= total.high <= 1600
    assert not predict_total(rw, SectionEstimate(0, 1, 3, {})).enough_data


def _state(correct_in_a_row: int) -> SkillState:
    state = SkillState()
    for _ in range(correct_in_a_row):
        state = update_skill(state, ItemParams(1.0, 0.0, 0.25), True)
    return state


def test_mastery_levels_follow_documented_thresholds():
    assert estimate_level(SkillState()) == Level.NOT_STARTED
    assert estimate_level(update_skill(SkillState(), ItemParams(1, 0, 0.25), False)) == Level.ATTEMPTED
    assert estimate_level(_state(2)) == Level.ATTEMPTED  # too few answers to be Familiar
    assert estimate_level(_state(3)) == Level.FAMILIAR
    assert estimate_level(_state(12)) == Level.PROFICIENT


def test_mastered_needs_a_correct_answer_a_day_after_becoming_proficient():
    state = _state(12)
    level, since, mastered = next_mastery(
        state=state, correct=True, now=NOW, proficient_since=None, mastered_at=None
    )
    assert (level, since, mastered) == (Level.PROFICIENT, NOW, None)
    soon = NOW + timedelta(hours=2)
    assert next_mastery(state=state, correct=True, now=soon, proficient_since=NOW, mastered_at=None)[0] == (
        Level.PROFICIENT
    )
    later = NOW + timedelta(days=1)
    level, _, mastered = next_mastery(
        state=state, correct=True, now=later, proficient_since=NOW, mastered_at=None
    )
    assert level == Level.MASTERED and mastered == later


def test_falling_below_proficient_loses_mastered():
    weak = update_skill(SkillState(), ItemParams(1, 0, 0.25), False)
    level, since, mastered = next_mastery(
        state=weak, correct=False, now=NOW, proficient_since=NOW, mastered_at=NOW
    )
    assert (level, since, mastered) == (Level.ATTEMPTED, None, None)


def _bank():
    return [
        Candidate(key=(skill, b), skill=skill, item=ItemParams(1.5, b, 0.0))
        for skill in ("weak", "strong")
        for b in (-2.0, -1.0, 0.0, 1.0, 2.0)
    ]


def test_selection_picks_the_most_informative_item_at_the_estimate():
    [pick] = select_items(_bank(), estimates={"strong": (1.0, 0.3)}, weights={"strong": 1.0}, n=1)
    assert pick.key == ("strong", 1.0)


def test_selection_puts_weak_skills_first_and_balances_skills():
    estimates = {"weak": (-1.0, 0.4), "strong": (1.9, 0.4)}
    picks = select_items(_bank(), estimates=estimates, weights={"weak": 0.5, "strong": 0.5}, n=4)
    assert [p.skill for p in picks[:2]] == ["weak", "weak"]
    assert sorted(p.skill for p in picks) == ["strong", "strong", "weak", "weak"]


def test_selection_avoids_recent_items_while_others_remain():
    recent = {("strong", 1.0), ("strong", 2.0)}
    picks = select_items(
        _bank(), estimates={"strong": (1.0, 0.3)}, weights={"strong": 1.0}, n=3, recent=recent
    )
    assert not recent & {p.key for p in picks if p.skill == "strong"}


def test_selection_falls_back_to_recent_items_when_nothing_else_is_left():
    bank = [Candidate(key=1, skill="s", item=ItemParams())]
    assert [c.key for c in select_items(bank, estimates={}, weights={"s": 1.0}, n=1, recent={1})] == [1]


@pytest.mark.parametrize(
    ("box", "rating", "new_box", "days"),
    [(3, 1, 1, 1), (3, 2, 3, 4), (3, 3, 4, 8), (3, 4, 5, 16), (5, 3, 5, 16), (1, 3, 2, 2)],
)
def test_leitner_boxes_and_intervals(box, rating, new_box, days):
    assert spaced.leitner_review(box, rating, NOW) == (new_box, NOW + timedelta(days=days))


@pytest.mark.parametrize(
    ("correct", "seconds", "rating"),
    [(False, 10, 1), (True, 200, 2), (True, 60, 3), (True, 20, 4)],
)
def test_review_rating_follows_correctness_and_time(correct, seconds, rating):
    assert spaced.rating_for_answer(correct=correct, time_spent_ms=seconds * 1000, pace_seconds=71) == rating


def test_fsrs_state_round_trips_and_good_pushes_due_further_than_again():
    state = spaced.fsrs_new(7, NOW)
    assert state["card_id"] == 7
    _again_state, again_due = spaced.fsrs_review(state, 1, NOW)
    good_state, good_due = spaced.fsrs_review(state, 3, NOW)
    assert NOW < again_due <= good_due
    _, later_due = spaced.fsrs_review(good_state, 3, good_due)
    assert later_due > good_due


def test_the_engine_imports_nothing_from_django():
    code = (
        "import importlib, pkgutil, sys\n"
        "import practice.engine as engine\n"
        "for module in pkgutil.iter_modules(engine.__path__):\n"
        "    importlib.import_module('practice.engine.' + module.name)\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'django'))\n"
    )
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_level_labels_are_what_the_learner_reads():
    assert [level.label for level in Level] == [
        "Not started",
        "Attempted",
        "Familiar",
        "Proficient",
        "Mastered",
    ]
