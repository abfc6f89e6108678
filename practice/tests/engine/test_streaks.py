"""The streak rule (practice.engine.streaks), as pure functions (no database)."""

from datetime import date, timedelta

from practice.engine.streaks import streak_after, streak_from_days, streak_shown

DAY = date(2026, 3, 1)


def test_a_first_active_day_starts_a_streak_of_one():
    assert streak_after(0, 0, None, DAY) == (1, 1, DAY)


def test_consecutive_days_extend_the_streak_and_the_longest():
    state = (0, 0, None)
    for offset in range(5):
        state = streak_after(*state, DAY + timedelta(days=offset))
    assert state == (5, 5, DAY + timedelta(days=4))


def test_a_gap_restarts_the_current_streak_and_keeps_the_longest():
    assert streak_after(4, 4, DAY, DAY + timedelta(days=2)) == (1, 4, DAY + timedelta(days=2))
    assert streak_after(1, 4, DAY, DAY + timedelta(days=1)) == (2, 4, DAY + timedelta(days=1))


def test_activity_twice_on_the_same_day_counts_once():
    assert streak_after(3, 7, DAY, DAY) == (3, 7, DAY)


def test_activity_on_an_earlier_day_changes_nothing():
    assert streak_after(3, 7, DAY, DAY - timedelta(days=1)) == (3, 7, DAY)
    assert streak_after(3, 7, DAY, DAY - timedelta(days=10)) == (3, 7, DAY)


def test_streak_from_days_gives_the_streak_ending_on_the_last_active_day():
    days = [DAY + timedelta(days=n) for n in (0, 1, 2, 5, 6)]
    assert streak_from_days(days) == (2, 3, DAY + timedelta(days=6))
    assert streak_from_days(reversed(days)) == (2, 3, DAY + timedelta(days=6))
    assert streak_from_days([DAY, DAY]) == (1, 1, DAY)


def test_no_active_days_is_no_streak():
    assert streak_from_days([]) == (0, 0, None)


def test_the_streak_shown_is_alive_only_through_the_day_after_the_last_active_day():
    assert streak_shown(4, DAY, DAY) == 4
    assert streak_shown(4, DAY, DAY + timedelta(days=1)) == 4
    assert streak_shown(4, DAY, DAY + timedelta(days=2)) == 0
    assert streak_shown(0, None, DAY) == 0
