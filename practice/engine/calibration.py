"""Item calibration: 2PL item parameters from answers, linked back to the bank's current scale.

Marginal maximum likelihood by EM (Bock and Aitkin): each learner's ability is integrated out over a
fixed grid of quadrature points under the N(0, 1) population, so a learner who got everything right or
wrong needs no special case and the sample fixes the scale (mean 0, sd 1). Weak priors on each item,
log a ~ N(0, 0.5^2) and intercept d ~ N(0, 4^2), plus bounds, keep the estimates of all-right and
all-wrong items finite. An item may keep a fixed guessing floor c (the bank's multiple-choice items
have c = 0.25); c = 0 is the plain 2PL. The sample's N(0, 1) scale is then mapped onto the bank's
current one by mean/sigma (or mean/mean) linking on anchor items.

Responses are one mapping per learner, item key -> right (bool); learners answer any subset of items.
"""

import math
import random
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .irt import ItemParams, logistic

# Quadrature: an even grid on [-4, 4] weighted by the N(0, 1) density (BILOG-style rectangular points).
GRID = tuple(-4.0 + 0.4 * i for i in range(21))
_DENSITY = [math.exp(-0.5 * x * x) for x in GRID]
LOG_WEIGHTS = tuple(math.log(w / sum(_DENSITY)) for w in _DENSITY)

LOG_A_MEAN, LOG_A_SD = 0.0, 0.5  # prior on log a
D_SD = 4.0  # prior sd of the intercept d = -a b
A_BOUNDS = (0.1, 4.0)
B_BOUNDS = (-6.0, 6.0)
P_FLOOR = 1e-9


@dataclass(frozen=True, slots=True)
class Calibration:
    """Estimated parameters per item key on the sample's N(0, 1) scale, and how the EM ended."""

    items: dict[Hashable, ItemParams]
    iterations: int
    converged: bool
    log_likelihood: float


def _probabilities(a: float, d: float, c: float) -> list[float]:
    return [min(max(c + (1.0 - c) * logistic(a * x + d), P_FLOOR), 1.0 - P_FLOOR) for x in GRID]


def _objective(a: float, d: float, c: float, right: Sequence[float], seen: Sequence[float]) -> float:
    """One item's expected log posterior: expected log-likelihood at the grid points plus the priors."""
    total = -((math.log(a) - LOG_A_MEAN) ** 2) / (2 * LOG_A_SD**2) - d * d / (2 * D_SD**2)
    for p, r, n in zip(_probabilities(a, d, c), right, seen, strict=True):
        if n > 0.0:
            total += r * math.log(p) + (n - r) * math.log(1.0 - p)
    return total


def _bounded(a: float, d: float) -> tuple[float, float]:
    a = min(max(a, A_BOUNDS[0]), A_BOUNDS[1])
    return a, -a * min(max(-d / a, B_BOUNDS[0]), B_BOUNDS[1])


def _m_step(
    a: float, d: float, c: float, right: Sequence[float], seen: Sequence[float]
) -> tuple[float, float]:
    """A few Fisher-scoring steps on one item's expected log posterior, given expected counts per point.

    A step is halved until it does not lower the objective (the 3PL likelihood with c > 0 is not concave,
    and an item answered below its guessing floor would otherwise swing from one iteration to the next),
    so every M-step improves the posterior and EM converges.
    """
    current = _objective(a, d, c, right, seen)
    for _ in range(5):
        g_a = -(math.log(a) - LOG_A_MEAN) / (LOG_A_SD**2 * a)
        g_d = -d / D_SD**2
        i_aa, i_ad, i_dd = 1.0 / (LOG_A_SD**2 * a * a), 0.0, 1.0 / D_SD**2
        for x, r, n in zip(GRID, right, seen, strict=True):
            if n <= 0.0:
                continue
            s = logistic(a * x + d)
            p = min(max(c + (1.0 - c) * s, P_FLOOR), 1.0 - P_FLOOR)
            slope = (1.0 - c) * s * (1.0 - s)  # dP/d(eta)
            e = (r - n * p) * slope / (p * (1.0 - p))
            w = n * slope * slope / (p * (1.0 - p))
            g_a += e * x
            g_d += e
            i_aa += w * x * x
            i_ad += w * x
            i_dd += w
        det = i_aa * i_dd - i_ad * i_ad
        if det <= 1e-12:
            break
        step_a = (i_dd * g_a - i_ad * g_d) / det
        step_d = (i_aa * g_d - i_ad * g_a) / det
        size = math.hypot(step_a, step_d)
        if size > 1.0:  # damp wild first steps
            step_a, step_d = step_a / size, step_d / size
        for _halving in range(12):
            new_a, new_d = _bounded(a + step_a, d + step_d)
            value = _objective(new_a, new_d, c, right, seen)
            if value >= current:
                break
            step_a, step_d = step_a / 2, step_d / 2
        else:
            break  # no step uphill: at the maximum (to rounding)
        moved = max(abs(new_a - a), abs(new_d - d))
        a, d, current = new_a, new_d, value
        if moved < 1e-5:
            break
    return a, d


def _column_sums(rows: Iterable[Sequence[float]]) -> list[float]:
    sums = list(map(sum, zip(*rows, strict=True)))
    return sums or [0.0] * len(GRID)


def calibrate_2pl(
    responses: Sequence[Mapping[Hashable, bool]],
    *,
    guessing: Mapping[Hashable, float] | None = None,
    max_iterations: int = 300,
    tolerance: float = 1e-3,
) -> Calibration:
    """Estimate (a, b) for every item in `responses` by marginal maximum likelihood (EM).

    `guessing` holds a fixed c per item (missing: 0). Converged when no a or b moves by more than
    `tolerance` in an iteration. Learners with no responses are ignored.
    """
    guessing = guessing or {}
    keys = sorted({key for row in responses for key in row}, key=repr)
    index = {key: j for j, key in enumerate(keys)}
    people = [
        ([index[k] for k, v in row.items() if v], [index[k] for k, v in row.items() if not v])
        for row in responses
        if row
    ]
    right_by_item: list[list[int]] = [[] for _ in keys]
    wrong_by_item: list[list[int]] = [[] for _ in keys]
    for i, (right, wrong) in enumerate(people):
        for j in right:
            right_by_item[j].append(i)
        for j in wrong:
            wrong_by_item[j].append(i)
    c = [float(guessing.get(key, 0.0)) for key in keys]
    a = [1.0] * len(keys)
    # Start b at the logit of each item's proportion wrong: close enough for EM to settle quickly.
    d = []
    for j in range(len(keys)):
        n_right, n_wrong = len(right_by_item[j]), len(wrong_by_item[j])
        p = (n_right + 0.5) / (n_right + n_wrong + 1.0)
        p = min(max((p - c[j]) / (1.0 - c[j]), 0.02), 0.98)
        d.append(math.log(p / (1.0 - p)))
    log_likelihood, converged, iteration = -math.inf, False, 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 (reported below)
        log_p, log_q = [], []
        for j in range(len(keys)):
            probabilities = _probabilities(a[j], d[j], c[j])
            log_p.append([math.log(p) for p in probabilities])
            log_q.append([math.log(1.0 - p) for p in probabilities])
        # E-step: each learner's posterior over the grid.
        posteriors, log_likelihood = [], 0.0
        for right, wrong in people:
            rows = [log_p[j] for j in right] + [log_q[j] for j in wrong]
            joint = [s + w for s, w in zip(map(sum, zip(*rows, strict=True)), LOG_WEIGHTS, strict=True)]
            top = max(joint)
            weights = [math.exp(v - top) for v in joint]
            total = sum(weights)
            posteriors.append([w / total for w in weights])
            log_likelihood += top + math.log(total)
        # M-step: each item on its expected counts per grid point.
        moved = 0.0
        for j in range(len(keys)):
            expected_right = _column_sums(posteriors[i] for i in right_by_item[j])
            expected_wrong = _column_sums(posteriors[i] for i in wrong_by_item[j])
            seen = [r + w for r, w in zip(expected_right, expected_wrong, strict=True)]
            new_a, new_d = _m_step(a[j], d[j], c[j], expected_right, seen)
            moved = max(moved, abs(new_a - a[j]), abs(-new_d / new_a + d[j] / a[j]))
            a[j], d[j] = new_a, new_d
        if moved < tolerance:
            converged = True
            break
    items = {key: ItemParams(a=a[j], b=-d[j] / a[j], c=c[j]) for j, key in enumerate(keys)}
    return Calibration(items=items, iterations=iteration, converged=converged, log_likelihood=log_likelihood)


# --- Linking -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Linking:
    """theta_old = scale * theta_new + shift: so b_old = scale b_new + shift and a_old = a_new / scale."""

    scale: float = 1.0
    shift: float = 0.0
    method: str = "identity"
    anchors: int = 0

    def apply(self, item: ItemParams) -> ItemParams:
        return ItemParams(a=item.a / self.scale, b=self.scale * item.b + self.shift, c=item.c)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _sd(values: Sequence[float]) -> float:
    m = _mean(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / len(values))


def link_scales(
    new: Mapping[Hashable, ItemParams],
    old: Mapping[Hashable, ItemParams],
    *,
    anchors: Iterable[Hashable] | None = None,
    method: str = "mean_sigma",
) -> Linking:
    """The linear map from the new scale to the old one, from the anchor items' two sets of parameters.

    mean/sigma: A = sd(b_old) / sd(b_new); mean/mean: A = mean(a_new) / mean(a_old); then
    B = mean(b_old) - A mean(b_new). Anchors default to every item in both. When the b's of either side
    do not spread (one anchor, or all at one value), mean/sigma falls back to mean/mean; with no anchor
    the scales are left as they are.
    """
    if method not in {"mean_sigma", "mean_mean"}:
        raise ValueError(f"unknown linking method {method!r}: use mean_sigma or mean_mean")
    keys = [k for k in (anchors if anchors is not None else new) if k in new and k in old]
    if not keys:
        return Linking()
    b_new, b_old = [new[k].b for k in keys], [old[k].b for k in keys]
    if method == "mean_sigma" and min(_sd(b_new), _sd(b_old)) > 1e-6:
        scale = _sd(b_old) / _sd(b_new)
    else:
        method = "mean_mean"
        scale = _mean([new[k].a for k in keys]) / _mean([old[k].a for k in keys])
    return Linking(scale=scale, shift=_mean(b_old) - scale * _mean(b_new), method=method, anchors=len(keys))


# --- Simulation (tests and bench/calibration.py) ---------------------------------------------------


def simulate_items(n_items: int, rng: random.Random) -> list[ItemParams]:
    """Items with a uniform in [0.6, 2.0] and b uniform in [-2.5, 2.5]."""
    return [ItemParams(a=rng.uniform(0.6, 2.0), b=rng.uniform(-2.5, 2.5)) for _ in range(n_items)]


def simulate_responses(
    thetas: Sequence[float], items: Sequence[ItemParams], rng: random.Random
) -> list[dict[int, bool]]:
    """Every learner answers every item under the 2PL (item keys are the indices)."""
    return [
        {j: rng.random() < logistic(item.a * (theta - item.b)) for j, item in enumerate(items)}
        for theta in thetas
    ]


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float:
    mx, my = _mean(xs), _mean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else 0.0
