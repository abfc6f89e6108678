"""Mastery levels a learner sees per skill.

They read like the popular free course's levels (Attempted below 70%, Familiar 70-99%, Proficient
100%, Mastered when proven again later), but come from the skill's ability estimate instead of a
single quiz: "expected accuracy" is the chance of answering a typical medium question of the skill
(a = 1.5, b = 0, no guessing) at the estimated ability.

- Not started: no answers.
- Attempted: at least one answer.
- Familiar: at least 3 answers and expected accuracy >= 70%.
- Proficient: at least 5 answers, expected accuracy >= 85%, and >= 70% even at the estimate minus one
  standard error (so a lucky streak of two does not count).
- Mastered: Proficient, then a correct answer on the skill at least MASTERY_GAP after first becoming
  Proficient while still Proficient. Falling below Proficient loses Mastered too.
"""

from datetime import datetime, timedelta
from enum import IntEnum

from .ability import SkillState
from .irt import ItemParams, p_correct

TYPICAL_ITEM = ItemParams(a=1.5, b=0.0, c=0.0)
FAMILIAR_MIN_ANSWERS = 3
FAMILIAR_ACCURACY = 0.70
PROFICIENT_MIN_ANSWERS = 5
PROFICIENT_ACCURACY = 0.85
PROFICIENT_FLOOR = 0.70
MASTERY_GAP = timedelta(hours=20)


class Level(IntEnum):
    NOT_STARTED = 0
    ATTEMPTED = 1
    FAMILIAR = 2
    PROFICIENT = 3
    MASTERED = 4

    @property
    def label(self) -> str:
        """What the learner reads: "Not started", "Attempted", ..."""
        return self.name.replace("_", " ").capitalize()


def expected_accuracy(theta: float) -> float:
    return p_correct(theta, TYPICAL_ITEM)


def estimate_level(state: SkillState) -> Level:
    """The level the estimate alone supports (never Mastered: that needs time, see `next_mastery`)."""
    if state.n == 0:
        return Level.NOT_STARTED
    accuracy = expected_accuracy(state.mean)
    if (
        state.n >= PROFICIENT_MIN_ANSWERS
        and accuracy >= PROFICIENT_ACCURACY
        and expected_accuracy(state.mean - state.sd) >= PROFICIENT_FLOOR
    ):
        return Level.PROFICIENT
    if state.n >= FAMILIAR_MIN_ANSWERS and accuracy >= FAMILIAR_ACCURACY:
        return Level.FAMILIAR
    return Level.ATTEMPTED


def next_mastery(
    *,
    state: SkillState,
    correct: bool,
    now: datetime,
    proficient_since: datetime | None,
    mastered_at: datetime | None,
) -> tuple[Level, datetime | None, datetime | None]:
    """After an answer: (level, proficient_since, mastered_at)."""
    level = estimate_level(state)
    if level < Level.PROFICIENT:
        return level, None, None
    if proficient_since is None:
        return level, now, None
    if mastered_at is None and correct and now - proficient_since >= MASTERY_GAP:
        mastered_at = now
    return (Level.MASTERED if mastered_at else level), proficient_since, mastered_at
