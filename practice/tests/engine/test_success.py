"""The success-probability model (practice.engine.success) and its simulation check, no database."""

import itertools
import math

import pytest

from practice.engine import success
from practice.engine.success import Forecast, sd_from_band, success_forecast, success_probability
from practice.engine.success_sim import BRIER_GOAL, DEFAULT_SEED, FIT_SEEDS, evaluate, fit_persistence

BASE = {
    "predicted_total": 1050,
    "total_sd": 55.0,
    "questions_per_week": 40.0,
    "days_left": 90,
    "target": 1150,
}


def _p(**changes) -> float:
    return success_probability(**{**BASE, **changes})


def _increasing(values: list[float]) -> bool:
    return all(b > a for a, b in itertools.pairwise(values))


def test_more_practice_raises_the_probability():
    assert _increasing([_p(questions_per_week=q) for q in (0, 5, 20, 60, 150)])


def test_more_days_raise_the_probability():
    assert _increasing([_p(days_left=d) for d in (1, 14, 60, 120, 240)])


def test_a_higher_current_score_raises_the_probability():
    assert _increasing([_p(predicted_total=s) for s in (950, 1000, 1050, 1100, 1200)])


def test_a_lower_target_raises_the_probability():
    assert _increasing([_p(target=t) for t in (1300, 1200, 1150, 1100, 1000)])


def test_a_past_or_present_test_date_is_the_probability_the_current_true_score_is_at_the_target():
    for days in (0, -1, -30):
        expected = 0.5 * math.erfc((1150 - 1050) / 55.0 / math.sqrt(2.0))
        assert _p(days_left=days) == pytest.approx(expected)
        assert _p(days_left=days, questions_per_week=500) == _p(days_left=days)
    assert _p(days_left=0, target=1050) == pytest.approx(0.5)


def test_probabilities_stay_within_bounds():
    assert _p(target=1600, predicted_total=500) == 0.001
    assert _p(target=400, predicted_total=1400) == 0.999
    assert _p(target=1610) == 0.001
    assert 0.001 <= _p(total_sd=0.0) <= 0.999


def test_the_forecast_gives_the_mean_sd_and_the_probability_success_probability_returns():
    forecast = success_forecast(**BASE)
    assert isinstance(forecast, Forecast)
    assert forecast.probability == _p()
    # Practice adds points on average, and the spread exceeds the current estimate's and the test's.
    assert 1050 < forecast.mean < 1200
    assert forecast.sd > math.hypot(55.0, success.TEST_SEM)


def test_the_score_never_passes_the_top_of_the_scale():
    forecast = success_forecast(
        **{**BASE, "predicted_total": 1580, "questions_per_week": 500, "days_left": 365}
    )
    assert forecast.mean <= 1600


def test_sd_from_band_inverts_the_dashboards_90_percent_band():
    assert sd_from_band(1000, 1000) == 0.0
    assert sd_from_band(1000 - 1.6449 * 50, 1000 + 1.6449 * 50) == pytest.approx(50.0)
    with pytest.raises(ValueError):
        sd_from_band(1100, 1000)


def test_the_quadrature_rule_matches_the_standard_normals_moments():
    assert sum(w for _, w in success.RULE) == pytest.approx(1.0)
    assert sum(w * z * z for z, w in success.RULE) == pytest.approx(1.0)
    assert sum(w * z**4 for z, w in success.RULE) == pytest.approx(3.0)


def test_the_model_meets_its_goals_on_the_default_simulated_cohort():
    report = evaluate(learners=2000, seed=DEFAULT_SEED)
    assert report.brier <= BRIER_GOAL
    assert len(report.deciles) == 10 and all(row.count == 200 for row in report.deciles)
    assert all(abs(row.difference) <= 5.0 for row in report.deciles)
    assert report.passed


def test_the_persistence_constants_are_the_fit_on_the_fitting_seeds():
    fitted = fit_persistence(seeds=FIT_SEEDS)
    for name, value in fitted.items():
        assert getattr(success, name) == pytest.approx(value, rel=0.01, abs=0.001), name
