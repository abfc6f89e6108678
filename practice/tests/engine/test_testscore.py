"""Pattern scoring of a full test's sections (2PL EAP), the scale and the bands."""

import math
import random

from practice.engine.irt import ItemParams, p_correct
from practice.engine.testscore import pattern_posterior, score_section, score_total

ITEMS = [(1.5, b / 10) for b in range(-20, 21)]  # 41 items, b from -2 to 2


def test_more_right_answers_never_lower_the_score():
    previous = None
    for k in range(len(ITEMS) + 1):
        result = score_section([(a, b, i < k) for i, (a, b) in enumerate(ITEMS)])
        assert previous is None or result.theta >= previous.theta
        assert result.low <= result.score <= result.high
        assert result.score % 10 == 0 and 200 <= result.score <= 800
        previous = result


def test_the_pattern_matters_not_only_the_count():
    """Under the 2PL a right answer weighs its item's discrimination: the same number right on the
    more discriminating items is worth more (with equal discriminations the count would be enough)."""
    items = [(1.0 if i % 2 else 2.0, b) for i, (_, b) in enumerate(ITEMS[:40])]
    on_sharp = [(a, b, a == 2.0) for a, b in items]
    on_blunt = [(a, b, a == 1.0) for a, b in items]
    assert sum(c for *_, c in on_sharp) == sum(c for *_, c in on_blunt)
    assert pattern_posterior(on_sharp)[0] > pattern_posterior(on_blunt)[0] + 0.1


def test_no_data_is_the_prior():
    theta, sd = pattern_posterior([])
    assert abs(theta) < 1e-9 and math.isclose(sd, 1.0, rel_tol=1e-3)


def test_posterior_is_calibrated_on_simulated_learners():
    """Learners drawn from the prior: the 90% band covers the true ability about 90% of the time."""
    rnd = random.Random(7)
    covered = 0
    n = 400
    for _ in range(n):
        theta = rnd.gauss(0, 1)
        responses = [(a, b, rnd.random() < p_correct(theta, ItemParams(a=a, b=b))) for a, b in ITEMS]
        mean, sd = pattern_posterior(responses)
        covered += mean - 1.645 * sd <= theta <= mean + 1.645 * sd
    assert 0.85 <= covered / n <= 0.95


def test_total_is_the_sum_with_a_wider_band():
    rw = score_section([(a, b, b < 0.5) for a, b in ITEMS])
    ma = score_section([(a, b, b < -0.5) for a, b in ITEMS])
    total = score_total(rw, ma)
    assert total.score == rw.score + ma.score
    assert total.low <= total.score <= total.high
    assert total.high - total.low < (rw.high - rw.low) + (ma.high - ma.low)
    assert total.low >= 400 and total.high <= 1600


def test_the_grid_is_fine_enough():
    """The scoring grid's mean and sd agree with a five-times finer grid to 0.001 logits."""
    import practice.engine.testscore as testscore

    rnd = random.Random(3)
    fine = tuple(-5.0 + i * 0.005 for i in range(2001))
    for _ in range(20):
        theta = rnd.gauss(0, 1.3)
        responses = [(a, b, rnd.random() < p_correct(theta, ItemParams(a=a, b=b))) for a, b in ITEMS]
        coarse = pattern_posterior(responses)
        saved = testscore.GRID
        testscore.GRID = fine
        try:
            exact = pattern_posterior(responses)
        finally:
            testscore.GRID = saved
        assert abs(coarse[0] - exact[0]) < 1e-3 and abs(coarse[1] - exact[1]) < 1e-3
