"""Simulated learners for the full-length test: item parameters, responses and the precision figures.

Pure Python; `manage.py simulate_tests` drives the real services with it (docs/full-test.md,
"Precision, simulated").
A learner of known ability answers under the 2PL model the test is scored with; the figures compare
the reported scaled score, its 90% band and the route with what the true ability calls for.
"""

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from .irt import ItemParams, p_correct
from .scores import SCALE_CENTRE, SCALE_SPREAD, SECTION_MAX, SECTION_MIN

# Parameters typical of calibrated operational items (logistic metric): a lognormal discrimination with
# median 1.8 (about 1.06 on the normal-ogive metric) and spread 0.25 in log units, and a difficulty
# scattered by 0.5 around the item's level centre (IRT_B_DEFAULTS: -1, 0, 1).
TYPICAL_A_MEDIAN = 1.8
TYPICAL_A_SIGMA = 0.25
TYPICAL_B_SD = 0.5

# The goals the simulated figures are held to.
RMSE_GOAL = 25.0
COVERAGE_GOAL = (0.85, 0.95)
ROUTING_GOAL = 0.90


def true_scaled(theta: float) -> float:
    """The learner's true scaled score: 500 + 100 theta clipped to 200-800, not rounded."""
    return min(max(SCALE_CENTRE + SCALE_SPREAD * theta, SECTION_MIN), SECTION_MAX)


def typical_parameters(centres: Iterable[float], rnd: random.Random) -> list[tuple[float, float]]:
    """(a, b) for items whose level centres (default b) are given, typical of calibrated items."""
    return [
        (
            math.exp(rnd.gauss(math.log(TYPICAL_A_MEDIAN), TYPICAL_A_SIGMA)),
            centre + rnd.gauss(0.0, TYPICAL_B_SD),
        )
        for centre in centres
    ]


def answers_correctly(theta: float, a: float, b: float, rnd: random.Random) -> bool:
    """One 2PL response: right with probability 1 / (1 + exp(-a (theta - b)))."""
    return rnd.random() < p_correct(theta, ItemParams(a=a, b=b))


@dataclass
class SectionTally:
    """One section's results over the simulated learners."""

    errors: list[float] = field(default_factory=list)  # reported score - true scaled score
    covered: int = 0
    routed_right: int = 0
    routed_harder: int = 0
    widths: list[int] = field(default_factory=list)

    def add(self, *, theta: float, score: int, low: int, high: int, harder: bool, threshold: float) -> None:
        truth = true_scaled(theta)
        self.errors.append(score - truth)
        self.covered += int(low <= truth <= high)
        self.routed_right += int(harder == (theta >= threshold))
        self.routed_harder += int(harder)
        self.widths.append(high - low)

    @property
    def count(self) -> int:
        return len(self.errors)

    @property
    def rmse(self) -> float:
        return math.sqrt(sum(e * e for e in self.errors) / self.count)

    @property
    def bias(self) -> float:
        return sum(self.errors) / self.count

    @property
    def coverage(self) -> float:
        return self.covered / self.count

    @property
    def routing_accuracy(self) -> float:
        return self.routed_right / self.count

    @property
    def mean_band_width(self) -> float:
        return sum(self.widths) / self.count

    @property
    def goals(self) -> dict[str, bool]:
        return {
            "rmse": self.rmse <= RMSE_GOAL,
            "coverage": COVERAGE_GOAL[0] <= self.coverage <= COVERAGE_GOAL[1],
            "routing": self.routing_accuracy >= ROUTING_GOAL,
        }
