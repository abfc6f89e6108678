"""The probability that a learner reaches their target total score by their test date.

Score on test day = true score then + the test's measurement error, where the true score grows with
the questions practised from now to the test. Growth per question shrinks with the volume already
practised in the horizon (the easy gains come first) and with the headroom left under 1600:

    dS/dV = g * (1600 - S) / HEADROOM_REF * exp(-V / SATURATION)

which integrates to S_T = 1600 - (1600 - S_0) * m, with m = exp(-g * E / HEADROOM_REF) and the
effective volume E = SATURATION * (1 - exp(-V / SATURATION)). S_T never passes 1600.

Three things are unknown and integrated over: the learner's growth rate g (lognormal around the
population mean), the future practice volume V (the recent rate, carried forward with the fitted
persistence and its spread) and the current true score S_0 ~ N(predicted, sd). Given g and V, S_T
is linear in S_0, so it is exactly normal; the predictive distribution is a mixture of normals over a
Gauss-Hermite grid in (g, V). docs/success-model.md gives the derivation and where each constant
comes from; practice/engine/success_sim.py is the simulation that checks the model's calibration.
"""

import math
from dataclasses import dataclass

SCORE_MIN, SCORE_MAX = 400, 1600
# The dashboard's 90% band is the estimate +/- Z90 sd (scores.py).
Z90 = 1.6449

# Growth. Points per question for a learner at 1000 with no practice yet in the horizon (population
# mean): a working assumption, roughly 100 points over about a thousand questions, the order of gains
# commonly reported for sustained practice; the simulation states the same population as its truth.
# To be re-fitted from the app's own learners once there is enough history (docs/success-model.md).
GROWTH_MEAN = 0.12
# Learners' growth rates differ: log-sd of the lognormal around GROWTH_MEAN (rates from ~0.4x to ~2.5x).
GROWTH_LOG_SD = 0.55
# Headroom at which the growth per question is GROWTH_MEAN: 1600 - 1000 (the scale's centre).
HEADROOM_REF = 600.0
# Diminishing returns: the gain per question falls by 1/e every SATURATION questions in the horizon.
SATURATION = 1500.0

# Practice persistence. The learner's weekly rate from now is
#   r = max(exp(a + b * log(rate + RATE_FLOOR) + s * z) - RATE_FLOOR, 0),  z ~ N(0, 1),
# fading by PERSIST_FADE a week, so the volume over the horizon is r * (1 - exp(-k * weeks)) / k, which
# never falls as the horizon grows. b < 1 is the regression to the mean of a four-week rate; the
# spread s^2 = h^2 * (c + d / weeks + e * weeks), h = (rate + 1) / (rate + RATE_FLOOR), has the
# week-to-week variation (d: it averages out over longer horizons), the drift of the underlying rate
# (e: it accumulates) and the floor's compression of the log scale at low rates (h). Fitted by least
# squares on the simulation's fitting seeds (success_sim.FIT_SEEDS, never the reported cohorts) with
# success_sim.fit_persistence(); a, b, k, c, d, e are the PERSIST_* constants below, in order.
RATE_FLOOR = 5.0
PERSIST_INTERCEPT = 0.261
PERSIST_SLOPE = 0.910
PERSIST_FADE = 0.0275
PERSIST_VAR_BASE = 0.139
PERSIST_VAR_SHORT = 0.261
PERSIST_VAR_LONG = 0.0075
# The fit saw horizons up to 26 weeks (success_sim.MAX_DAYS); the spread is held beyond them, which
# also keeps the volume growing with the horizon at every quantile.
PERSIST_MAX_WEEKS = 26.0

# The test's own standard error of measurement for the total (points): an assumption in the range the
# College Board publishes for the SAT total (about 30-40).
TEST_SEM = 35.0
# The test reports whole tens: reaching a target t means the unrounded score is at least t - 5.
REPORT_STEP = 10

P_MIN, P_MAX = 0.001, 0.999


def _hermite_rule(n: int) -> tuple[tuple[float, float], ...]:
    """Gauss-Hermite nodes and weights for E[f(Z)], Z ~ N(0, 1) (probabilists' polynomials)."""

    def he(k: int, x: float) -> float:
        a, b = 1.0, x
        if k == 0:
            return a
        for j in range(1, k):
            a, b = b, x * b - j * a
        return b

    roots = []
    step = 0.01
    x = -2.0 * math.sqrt(n) - 1.0
    while len(roots) < n and x < 2.0 * math.sqrt(n) + 1.0:
        lo, hi = x, x + step
        if he(n, lo) * he(n, hi) <= 0.0:
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                if he(n, lo) * he(n, mid) <= 0.0:
                    hi = mid
                else:
                    lo = mid
            roots.append(0.5 * (lo + hi))
            x = hi + 1e-9
        else:
            x = hi
    weights = [1.0 / (n * he(n - 1, r) ** 2) for r in roots]
    total = sum(weights)
    return tuple((r, w / total) for r, w in zip(roots, weights, strict=True))


RULE = _hermite_rule(9)


@dataclass(frozen=True, slots=True)
class Forecast:
    """The predictive distribution of the test-day total (mean, sd) and P(score >= target)."""

    mean: float
    sd: float
    probability: float


def sd_from_band(low: float, high: float) -> float:
    """The sd behind a 90% band (estimate +/- 1.645 sd)."""
    if high < low:
        raise ValueError("The band's high end is below its low end.")
    return (high - low) / (2.0 * Z90)


def _normal_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def _effective_volume(volume: float) -> float:
    return SATURATION * (1.0 - math.exp(-volume / SATURATION))


def horizon_weeks(weeks: float, fade: float = PERSIST_FADE) -> float:
    """Weeks of practice at today's rate that a rate fading by `fade` a week adds up to."""
    return weeks if fade <= 0.0 else (1.0 - math.exp(-fade * weeks)) / fade


def rate_centre(questions_per_week: float) -> float:
    """The centre of log(future rate + floor) given the recent rate (before the fade)."""
    return PERSIST_INTERCEPT + PERSIST_SLOPE * math.log(max(questions_per_week, 0.0) + RATE_FLOOR)


def volume_outcomes(questions_per_week: float, weeks: float) -> tuple[tuple[float, float], ...]:
    """Future practice volumes over `weeks` and their weights (the persistence model on the rule)."""
    rate = max(questions_per_week, 0.0)
    centre = rate_centre(rate)
    shrink = (rate + 1.0) / (rate + RATE_FLOOR)
    variance = (
        PERSIST_VAR_BASE
        + PERSIST_VAR_SHORT / max(weeks, 1.0)
        + PERSIST_VAR_LONG * min(weeks, PERSIST_MAX_WEEKS)
    )
    spread = shrink * math.sqrt(max(variance, 0.0))
    span = horizon_weeks(weeks)
    return tuple((max(math.exp(centre + spread * z) - RATE_FLOOR, 0.0) * span, w) for z, w in RULE)


def success_forecast(
    *, predicted_total: float, total_sd: float, questions_per_week: float, days_left: int, target: int
) -> Forecast:
    """The test-day score's predictive distribution and the probability of reaching `target`."""
    current = min(max(float(predicted_total), SCORE_MIN), SCORE_MAX)
    sd = max(float(total_sd), 1.0)
    threshold = target - REPORT_STEP / 2
    if target > SCORE_MAX:
        return Forecast(mean=current, sd=sd, probability=P_MIN)
    if days_left <= 0:
        # The test is today or past: only whether the current true score is at the target.
        p = _normal_sf((target - current) / sd)
        return Forecast(mean=current, sd=sd, probability=min(max(p, P_MIN), P_MAX))
    weeks = days_left / 7.0
    headroom = SCORE_MAX - current
    components = []  # (weight, mean, variance) of the normal mixture
    for volume, w_v in volume_outcomes(questions_per_week, weeks):
        effective = _effective_volume(volume)
        for z, w_g in RULE:
            g = GROWTH_MEAN * math.exp(GROWTH_LOG_SD * z - GROWTH_LOG_SD**2 / 2.0)
            m = math.exp(-g * effective / HEADROOM_REF)
            components.append((w_v * w_g, SCORE_MAX - headroom * m, (sd * m) ** 2 + TEST_SEM**2))
    mean = sum(w * mu for w, mu, _ in components)
    var = sum(w * (v + (mu - mean) ** 2) for w, mu, v in components)
    p = sum(w * _normal_sf((threshold - mu) / math.sqrt(v)) for w, mu, v in components)
    return Forecast(mean=mean, sd=math.sqrt(var), probability=min(max(p, P_MIN), P_MAX))


def success_probability(
    *, predicted_total: float, total_sd: float, questions_per_week: float, days_left: int, target: int
) -> float:
    """P(the test-day total >= target), clipped to [0.001, 0.999]."""
    return success_forecast(
        predicted_total=predicted_total,
        total_sd=total_sd,
        questions_per_week=questions_per_week,
        days_left=days_left,
        target=target,
    ).probability
