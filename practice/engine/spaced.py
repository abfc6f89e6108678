"""Spaced repetition: FSRS (the `fsrs` package, 6.x) and a 5-box Leitner scheduler.

Both take a rating (Again, Hard, Good, Easy) and return the new state and due time.

Leitner boxes and intervals (days until due after landing in the box): 1 -> 1, 2 -> 2, 3 -> 4,
4 -> 8, 5 -> 16. Again sends a card to box 1; Hard keeps it in its box; Good moves it up one box;
Easy moves it up two (never past box 5).

For questions in the review of mistakes the rating follows from the answer: wrong is Again; right but
slower than SLOW_FACTOR x the section's pacing is Hard; right within pacing is Good; right in under
FAST_FACTOR x pacing is Easy.
"""

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from fsrs import Card, Rating, Scheduler

LEITNER_INTERVAL_DAYS = {1: 1, 2: 2, 3: 4, 4: 8, 5: 16}
LEITNER_MAX_BOX = 5
SLOW_FACTOR = 1.5
FAST_FACTOR = 0.5
DESIRED_RETENTION = 0.9


@lru_cache(maxsize=1)
def fsrs_scheduler() -> Scheduler:
    # No fuzzing: the same history always gives the same due date (testable, explainable).
    return Scheduler(desired_retention=DESIRED_RETENTION, enable_fuzzing=False)


def fsrs_new(card_id: int, now: datetime) -> dict:
    """A fresh FSRS card, due now, as the dict stored in the database."""
    card = Card(card_id=card_id, due=now.astimezone(UTC))
    return card.to_dict()


def fsrs_review(state: dict, rating: int, now: datetime) -> tuple[dict, datetime]:
    """Apply one rating to a stored FSRS card; returns (new state, due)."""
    card = Card.from_dict(state)
    card, _log = fsrs_scheduler().review_card(card, Rating(rating), review_datetime=now.astimezone(UTC))
    return card.to_dict(), card.due


def leitner_review(box: int, rating: int, now: datetime) -> tuple[int, datetime]:
    """Move a card between Leitner boxes; returns (new box, due)."""
    if rating == Rating.Again:
        box = 1
    elif rating == Rating.Good:
        box = min(box + 1, LEITNER_MAX_BOX)
    elif rating == Rating.Easy:
        box = min(box + 2, LEITNER_MAX_BOX)
    return box, now + timedelta(days=LEITNER_INTERVAL_DAYS[box])


def leitner_box_for_interval(days: float) -> int:
    """The Leitner box whose interval is closest to `days` (used when a learner switches schedulers)."""
    return min(LEITNER_INTERVAL_DAYS, key=lambda b: (abs(LEITNER_INTERVAL_DAYS[b] - days), b))


def rating_for_answer(*, correct: bool, time_spent_ms: int, pace_seconds: int) -> int:
    """The review rating an answer earns from its correctness and time against the section's pacing."""
    if not correct:
        return int(Rating.Again)
    seconds = time_spent_ms / 1000.0
    if seconds > SLOW_FACTOR * pace_seconds:
        return int(Rating.Hard)
    if seconds < FAST_FACTOR * pace_seconds:
        return int(Rating.Easy)
    return int(Rating.Good)


def is_slow(*, time_spent_ms: int, pace_seconds: int) -> bool:
    return time_spent_ms / 1000.0 > SLOW_FACTOR * pace_seconds
