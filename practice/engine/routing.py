"""The multistage routing rule: which module 2 (easier or harder) follows a section's module 1. Pure Python.

The rule (docs/test-forms.md, "Routing"):

- The routing threshold is the ability where the two second modules' 2PL information curves cross:
  below it the easier module measures the learner more precisely, above it the harder one does.
- The learner's ability is the EAP estimate (N(0, 1) prior, the grid of `ability.GRID`) from module 1's
  scored items; pretest items are left out by the caller. At or above the threshold: the harder module.
- The equivalent number-correct rule: the smallest number correct whose true-score ability (the theta
  where module 1's test characteristic curve, the expected number correct, equals it) is at or above the
  threshold. As the curve increases, that is ceil(TCC(threshold)).

The two rules can disagree near the cut: the EAP weighs a right answer by its item's discrimination and
difficulty, so two patterns with the same count can fall either side of the threshold, and the prior
pulls the EAP toward 0 (a threshold below 0 then sends a few more learners to the harder module by the
ability rule than by the count; above 0, the reverse).
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .ability import grid_posterior
from .blueprint import EASIER, HARDER
from .irt import ItemParams, p_correct
from .irt import information as item_information

GRID_STEP = 0.05  # of the scan for the crossing, before bisection
TOLERANCE = 1e-6

Item = ItemParams | tuple[float, float]


def _params(item: Item) -> ItemParams:
    return item if isinstance(item, ItemParams) else ItemParams(a=item[0], b=item[1])


def information(theta: float, items: Iterable[Item]) -> float:
    """2PL test information at theta: the sum of the items' a^2 P (1 - P)."""
    return sum(item_information(theta, _params(item)) for item in items)


def expected_score(theta: float, items: Iterable[Item]) -> float:
    """The test characteristic curve: the expected number correct at theta."""
    return sum(p_correct(theta, _params(item)) for item in items)


@dataclass(frozen=True, slots=True)
class Threshold:
    """The routing threshold; `crosses` is False when the curves do not cross in the searched range
    and `theta` is then where their difference is smallest."""

    theta: float
    crosses: bool


def routing_threshold(
    easier_items: Sequence[Item], harder_items: Sequence[Item], lo: float = -4.0, hi: float = 4.0
) -> Threshold:
    """The theta where the harder module becomes the more informative one.

    Scans [lo, hi] in steps of GRID_STEP for a change of sign of info_harder - info_easier from
    negative to positive, then bisects it. If there are several, the one nearest the midpoint of the
    two modules' mean difficulties is taken.
    """

    def diff(theta: float) -> float:
        return information(theta, harder_items) - information(theta, easier_items)

    steps = max(math.ceil((hi - lo) / GRID_STEP), 1)
    grid = [lo + (hi - lo) * i / steps for i in range(steps + 1)]
    values = [diff(t) for t in grid]
    brackets = [(grid[i], grid[i + 1]) for i in range(steps) if values[i] < 0 <= values[i + 1]]
    if not brackets:
        best = min(range(len(grid)), key=lambda i: abs(values[i]))
        return Threshold(theta=grid[best], crosses=False)
    centre = (_mean_b(easier_items) + _mean_b(harder_items)) / 2
    left, right = min(brackets, key=lambda br: abs((br[0] + br[1]) / 2 - centre))
    while right - left > TOLERANCE:
        mid = (left + right) / 2
        if diff(mid) < 0:
            left = mid
        else:
            right = mid
    return Threshold(theta=(left + right) / 2, crosses=True)


def _mean_b(items: Sequence[Item]) -> float:
    return sum(_params(item).b for item in items) / len(items) if items else 0.0


def module1_ability(responses: Iterable[tuple[float, float, bool]]) -> float:
    """EAP ability from module 1's scored responses [(a, b, correct)].

    The exact posterior mean on `ability.GRID` under its N(0, 1) prior. (`ability.update_skill` folds
    one answer at a time into a Gaussian summary, which depends on the order; routing wants the exact
    posterior of the whole module, which is also monotone: turning a wrong answer right never lowers it.)
    """
    return grid_posterior(responses)[0]


def route(responses: Iterable[tuple[float, float, bool]], threshold: float | Threshold) -> str:
    """ "harder" when module 1's ability estimate is at or above the threshold, else "easier"."""
    cut = threshold.theta if isinstance(threshold, Threshold) else threshold
    return HARDER if module1_ability(responses) >= cut else EASIER


def true_score_theta(number_correct: float, items: Sequence[Item]) -> float:
    """The theta where the expected score equals `number_correct` (-inf at 0, +inf at all correct)."""
    if number_correct <= 0:
        return -math.inf
    if number_correct >= len(items):
        return math.inf
    left, right = -10.0, 10.0
    while expected_score(left, items) > number_correct:
        left *= 2
    while expected_score(right, items) < number_correct:
        right *= 2
    while right - left > TOLERANCE:
        mid = (left + right) / 2
        if expected_score(mid, items) < number_correct:
            left = mid
        else:
            right = mid
    return (left + right) / 2


def number_correct_cut(module1_items: Sequence[Item], threshold: float | Threshold) -> int:
    """The smallest number correct whose true-score ability is at or above the threshold.

    The test characteristic curve increases, so true_score_theta(k) >= threshold exactly when
    k >= TCC(threshold): the cut is ceil(TCC(threshold)) (a hair of rounding slack for exact integers).
    """
    cut = threshold.theta if isinstance(threshold, Threshold) else threshold
    return max(math.ceil(expected_score(cut, module1_items) - 1e-9), 0)


def route_by_count(number_correct: int, cut: int) -> str:
    """The number-correct rule: "harder" at or above the cut."""
    return HARDER if number_correct >= cut else EASIER
