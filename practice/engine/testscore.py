"""A full-length test's scores: IRT pattern scoring of each section, mapped to the SAT scale. Pure Python.

Each section is scored on its scored (operational) items from both modules under the 2PL model, the
model routing uses (docs/test-forms.md): the ability is the EAP estimate, the posterior mean under the
N(0, 1) prior on a fine grid (-5 to 5 by 0.04), and its standard error the posterior sd. An item left
unanswered counts as wrong, as on the SAT. The scaled score is `scores.scale_section` (500 + 100 theta,
steps of 10, 200-800); the band is the estimate +/- 1.645 sd (90%), mapped the same way; the total is
the sum of the sections with the root-sum-square sd. These are PrepNexus estimates of the SAT scale,
not College Board scores.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from .ability import grid_posterior
from .scores import SCALE_CENTRE, SCALE_SPREAD, SECTION_MAX, SECTION_MIN, Z90, round10, scale_section

# Finer than ability.GRID: a section's posterior sd is about 0.2, and a step of 0.04 keeps the grid's
# error in the mean and sd under 0.001 (a test holds it against a 0.005 grid) at half the cost of 0.02.
GRID = tuple(-5.0 + i * 0.04 for i in range(251))


@dataclass(frozen=True, slots=True)
class SectionResult:
    theta: float
    sd: float
    score: int
    low: int
    high: int
    correct: int
    scored: int


@dataclass(frozen=True, slots=True)
class TotalResult:
    score: int
    low: int
    high: int


def pattern_posterior(responses: Iterable[tuple[float, float, bool]]) -> tuple[float, float]:
    """(EAP, posterior sd) of the ability from 2PL responses [(a, b, correct)], on this module's grid."""
    return grid_posterior(responses, GRID)


def score_section(responses: Iterable[tuple[float, float, bool]]) -> SectionResult:
    """The section's scaled score and 90% band from its scored responses [(a, b, correct)]."""
    responses = list(responses)
    theta, sd = pattern_posterior(responses)
    half = Z90 * sd
    score = scale_section(theta)
    return SectionResult(
        theta=theta,
        sd=sd,
        score=score,
        low=min(scale_section(theta - half), score),
        high=max(scale_section(theta + half), score),
        correct=sum(1 for _, _, correct in responses if correct),
        scored=len(responses),
    )


def score_total(reading_writing: SectionResult, math_section: SectionResult) -> TotalResult:
    """The total (400-1600) and its band: the sections' sum, their sds combined root-sum-square."""
    score = reading_writing.score + math_section.score
    centre = 2 * SCALE_CENTRE + SCALE_SPREAD * (reading_writing.theta + math_section.theta)
    half = Z90 * SCALE_SPREAD * math.hypot(reading_writing.sd, math_section.sd)
    lo, hi = 2 * SECTION_MIN, 2 * SECTION_MAX
    return TotalResult(
        score=score,
        low=min(max(round10(centre - half), lo), score),
        high=max(min(round10(centre + half), hi), score),
    )
