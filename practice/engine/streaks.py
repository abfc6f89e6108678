"""The streak rule: consecutive active days, in the learner's own calendar.

Activity on the day after the last active day extends the current streak; activity after a gap starts a
new one at 1; activity on the last active day or before it changes nothing. The longest streak is the
largest current streak ever reached.
"""

from collections.abc import Iterable
from datetime import date, timedelta


def streak_after(current: int, longest: int, last_day: date | None, day: date) -> tuple[int, int, date]:
    """(current, longest, last active day) after activity on `day`."""
    if last_day is not None and day <= last_day:
        return current, longest, last_day
    current = current + 1 if last_day == day - timedelta(days=1) else 1
    return current, max(longest, current), day


def streak_shown(current: int, last_day: date | None, today: date) -> int:
    """The streak as the learner sees it today: still alive if they were active today or yesterday."""
    if last_day is None or last_day < today - timedelta(days=1):
        return 0
    return current


def streak_from_days(days: Iterable[date]) -> tuple[int, int, date | None]:
    """(current, longest, last active day) of a learner whose activity fell on `days`, in any order."""
    current, longest, last_day = 0, 0, None
    for day in sorted(days):
        current, longest, last_day = streak_after(current, longest, last_day, day)
    return current, longest, last_day
