"""The multistage routing rule (practice/engine/routing.py): threshold, ability rule, number-correct cut."""

import itertools
import math
import random

import pytest

from practice.engine.blueprint import EASIER, HARDER
from practice.engine.irt import ItemParams, p_correct
from practice.engine.routing import (
    Threshold,
    expected_score,
    information,
    module1_ability,
    number_correct_cut,
    route,
    route_by_count,
    routing_threshold,
    true_score_theta,
)

LEVEL_B = {"easy": -1.0, "medium": 0.0, "hard": 1.0}  # the bank's defaults (models/bank.py)


def _module(rng: random.Random, mix: dict[str, int]) -> list[tuple[float, float]]:
    """A realistic 2PL module: a in [1, 2], b the level's default plus N(0, 0.3) noise."""
    return [
        (rng.uniform(1.0, 2.0), LEVEL_B[level] + rng.gauss(0.0, 0.3))
        for level, count in mix.items()
        for _ in range(count)
    ]


def _modules(seed: int = 2026):
    """Module 1 (22 items, an even mix) and the easier and harder module 2 (50/42/8 and its mirror)."""
    rng = random.Random(seed)
    module1 = _module(rng, {"easy": 7, "medium": 8, "hard": 7})
    easier = _module(rng, {"easy": 11, "medium": 9, "hard": 2})
    harder = _module(rng, {"hard": 11, "medium": 9, "easy": 2})
    return module1, easier, harder


def _answer(rng: random.Random, theta: float, items) -> list[tuple[float, float, bool]]:
    return [(a, b, rng.random() < p_correct(theta, ItemParams(a=a, b=b))) for a, b in items]


def _mean_b(items) -> float:
    return sum(b for _, b in items) / len(items)


def test_information_matches_a_hand_computation():
    # Item 1: a = 1, b = 0 at theta 0: P = 0.5, I = 1 * 0.25. Item 2: a = 2, b = 1 at theta 0:
    # P = 1 / (1 + e^2), I = 4 P (1 - P).
    p = 1.0 / (1.0 + math.exp(2.0))
    assert information(0.0, [(1.0, 0.0), (2.0, 1.0)]) == pytest.approx(0.25 + 4 * p * (1 - p))
    assert information(0.0, [ItemParams(a=1.0, b=0.0)]) == pytest.approx(0.25)
    assert information(0.0, []) == 0.0


@pytest.mark.parametrize("seed", [1, 2, 3, 2026])
def test_threshold_lies_between_the_modules_and_the_curves_cross_there(seed):
    _, easier, harder = _modules(seed)
    threshold = routing_threshold(easier, harder)
    assert threshold.crosses
    assert _mean_b(easier) < threshold.theta < _mean_b(harder)
    below, above = threshold.theta - 0.05, threshold.theta + 0.05
    assert information(below, easier) > information(below, harder)
    assert information(above, easier) < information(above, harder)
    at = threshold.theta
    assert information(at, easier) == pytest.approx(information(at, harder), rel=1e-4)


def test_threshold_of_mirror_modules_is_their_centre():
    easier = [(1.0, -1.0), (1.5, -0.5), (1.2, 0.2)]
    harder = [(1.0, 1.0), (1.5, 0.5), (1.2, -0.2)]
    assert routing_threshold(easier, harder).theta == pytest.approx(0.0, abs=1e-5)


def test_curves_that_do_not_cross_give_the_closest_point_and_say_so():
    easier = [(1.0, 0.0)]
    harder = [(1.0, 0.0), (1.0, 0.0)]  # more informative everywhere
    threshold = routing_threshold(easier, harder)
    assert threshold.crosses is False
    assert -4.0 <= threshold.theta <= 4.0
    # the difference I = P(1 - P) is smallest in the tails
    assert abs(threshold.theta) == pytest.approx(4.0)


def test_ability_rises_with_each_answer_turned_right():
    module1, _, _ = _modules()
    rng = random.Random(7)
    for _ in range(20):
        pattern = _answer(rng, rng.gauss(0, 1), module1)
        before = module1_ability(pattern)
        for i, (a, b, correct) in enumerate(pattern):
            if not correct:
                flipped = [*pattern[:i], (a, b, True), *pattern[i + 1 :]]
                assert module1_ability(flipped) > before


def test_more_correct_answers_never_route_easier():
    module1, easier, harder = _modules()
    threshold = routing_threshold(easier, harder)
    rng = random.Random(11)
    order = {EASIER: 0, HARDER: 1}
    for _ in range(30):
        pattern = _answer(rng, rng.gauss(0, 1), module1)
        for i, (a, b, correct) in enumerate(pattern):
            if not correct:
                flipped = [*pattern[:i], (a, b, True), *pattern[i + 1 :]]
                assert order[route(flipped, threshold)] >= order[route(pattern, threshold)]
    assert route([(a, b, True) for a, b in module1], threshold) == HARDER
    assert route([(a, b, False) for a, b in module1], threshold) == EASIER


def test_number_correct_cut_is_the_smallest_count_at_or_above_the_threshold():
    module1, easier, harder = _modules()
    threshold = routing_threshold(easier, harder)
    cut = number_correct_cut(module1, threshold)
    # the definition, literally: the true-score ability of each count
    first = next(k for k in range(len(module1) + 1) if true_score_theta(k, module1) >= threshold.theta)
    assert cut == first
    assert true_score_theta(cut - 1, module1) < threshold.theta <= true_score_theta(cut, module1)
    assert expected_score(true_score_theta(cut, module1), module1) == pytest.approx(cut, abs=1e-4)
    assert number_correct_cut(module1, threshold.theta) == cut
    assert route_by_count(cut, cut) == HARDER
    assert route_by_count(cut - 1, cut) == EASIER


def test_with_equal_discriminations_the_two_rules_always_agree():
    # All a equal: the number correct is sufficient for theta, and the EAP increases with it.
    module1 = [(1.0, b) for b in (-1.2, -0.8, -0.3, 0.0, 0.1, 0.6, 0.9, 1.3)]
    threshold = Threshold(theta=0.1, crosses=True)
    cut = number_correct_cut(module1, threshold)
    for pattern in itertools.product((False, True), repeat=len(module1)):
        responses = [(a, b, c) for (a, b), c in zip(module1, pattern, strict=True)]
        assert route(responses, threshold) == route_by_count(sum(pattern), cut)


def test_number_correct_rule_agrees_with_the_ability_rule_on_most_patterns():
    module1, easier, harder = _modules()
    threshold = routing_threshold(easier, harder)
    cut = number_correct_cut(module1, threshold)
    rng = random.Random(3)
    patterns = [_answer(rng, rng.gauss(0, 1), module1) for _ in range(500)]
    agree = sum(route(p, threshold) == route_by_count(sum(c for *_, c in p), cut) for p in patterns) / len(
        patterns
    )
    assert agree >= 0.95  # 0.98 with this seed


def test_simulated_learners_are_routed_to_the_module_their_true_ability_calls_for():
    """2000 learners, theta ~ N(0, 1), answer a 22-item module 1 under the 2PL: the share routed to
    the module their true theta calls for (docs/test-forms.md reports it)."""
    module1, easier, harder = _modules()
    threshold = routing_threshold(easier, harder)
    cut = number_correct_cut(module1, threshold)
    rng = random.Random(20261203)
    learners = 2000
    by_ability = by_count = 0
    for _ in range(learners):
        theta = rng.gauss(0.0, 1.0)
        pattern = _answer(rng, theta, module1)
        wanted = HARDER if theta >= threshold.theta else EASIER
        by_ability += route(pattern, threshold) == wanted
        by_count += route_by_count(sum(c for *_, c in pattern), cut) == wanted
    assert by_ability / learners >= 0.87  # 0.90 with this seed
    assert by_count / learners >= 0.87
