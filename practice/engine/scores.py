"""Predicted scores on the SAT scale, with 90% bands.

PrepNexus's own linear scale, not the College Board's conversion: a section score is
500 + 100 * theta (theta is the section ability on the logit scale, population mean 0, sd 1),
rounded to the nearest 10 and clipped to 200-800. The total is the sum of the two sections
(400-1600). A band is the estimate +/- 1.645 posterior sd (90%), mapped the same way; the total's
sd is the root-sum-square of the sections' (their estimates are independent).
"""

import math
from dataclasses import dataclass

from .ability import SectionEstimate

SCALE_CENTRE = 500.0
SCALE_SPREAD = 100.0
SECTION_MIN, SECTION_MAX = 200, 800
Z90 = 1.6449
# "Not enough data yet" until a section has this many answers.
MIN_SECTION_ANSWERS = 10


def round10(x: float) -> int:
    return int(math.floor(x / 10.0 + 0.5) * 10)


def scale_section(theta: float) -> int:
    """Section ability to a 200-800 score in steps of 10."""
    return min(max(round10(SCALE_CENTRE + SCALE_SPREAD * theta), SECTION_MIN), SECTION_MAX)


@dataclass(frozen=True, slots=True)
class Prediction:
    """A predicted score and its 90% band, or enough_data=False with the answers still needed."""

    score: int | None
    low: int | None
    high: int | None
    answers: int
    needed: int
    minimum: int
    maximum: int

    @property
    def enough_data(self) -> bool:
        return self.score is not None


def predict_section(estimate: SectionEstimate) -> Prediction:
    needed = max(MIN_SECTION_ANSWERS - estimate.n, 0)
    if needed:
        return Prediction(None, None, None, estimate.n, needed, SECTION_MIN, SECTION_MAX)
    half = Z90 * estimate.sd
    return Prediction(
        score=scale_section(estimate.theta),
        low=scale_section(estimate.theta - half),
        high=scale_section(estimate.theta + half),
        answers=estimate.n,
        needed=0,
        minimum=SECTION_MIN,
        maximum=SECTION_MAX,
    )


def predict_total(reading_writing: SectionEstimate, math_section: SectionEstimate) -> Prediction:
    """The total needs both sections past their minimum."""
    rw, ma = predict_section(reading_writing), predict_section(math_section)
    answers = reading_writing.n + math_section.n
    lo, hi = 2 * SECTION_MIN, 2 * SECTION_MAX
    if not (rw.enough_data and ma.enough_data):
        return Prediction(None, None, None, answers, rw.needed + ma.needed, lo, hi)
    centre = SCALE_CENTRE * 2 + SCALE_SPREAD * (reading_writing.theta + math_section.theta)
    half = Z90 * SCALE_SPREAD * math.hypot(reading_writing.sd, math_section.sd)
    score = rw.score + ma.score
    return Prediction(
        score=score,
        low=min(max(round10(centre - half), lo), score),
        high=max(min(round10(centre + half), hi), score),
        answers=answers,
        needed=0,
        minimum=lo,
        maximum=hi,
    )
