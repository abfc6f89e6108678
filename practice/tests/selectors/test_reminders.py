"""Who gets a learner reminder in which hour, and what it lists: the learner's own zone, the reminder
hour, something to say, a verified address, and a selection whose query count does not grow."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from practice.models import AssignmentProgress, Flashcard, LearnerStats, User
from practice.selectors.reminders import local_zone, reminder_zones, reminders_for_hour
from practice.tenancy import operator_access

from ..factories import make_user
from ..institution_factories import make_assignment, make_classroom, make_enrollment, make_institution
from ..learning_factories import make_flashcard, set_time_zone

# 17:00 in New York on Thursday 3 December 2026 (EST, UTC-5).
NY_17 = datetime(2026, 12, 3, 22, tzinfo=UTC)


def learner(zone="America/New_York", verified=True, **fields) -> User:
    user = make_user(**fields)
    set_time_zone(user, zone)
    if verified:
        User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
    return user


def card_due(user) -> None:
    card = make_flashcard(owner=user)
    Flashcard.objects.filter(pk=card.pk).update(due=NY_17 - timedelta(days=1))


def streak(user, *, current: int, last_day: date) -> None:
    LearnerStats.objects.update_or_create(
        learner=user,
        defaults={"current_streak": current, "longest_streak": current, "last_active_day": last_day},
    )


@pytest.mark.django_db
def test_a_learner_is_reminded_at_the_reminder_hour_of_their_own_zone():
    user = learner()
    card_due(user)
    [reminder] = reminders_for_hour(at=NY_17, hour=17)
    assert (reminder.user_id, reminder.cards_due, reminder.reviews_due) == (user.pk, 1, 0)
    assert reminder.period == "2026-12-03" and reminder.name.startswith("Learner")
    context = reminder.context()
    assert context["cards_due"] == 1 and context["flashcards_url"].startswith("http")
    for other in (NY_17 - timedelta(hours=1), NY_17 + timedelta(hours=1)):
        assert reminders_for_hour(at=other, hour=17) == []


@pytest.mark.django_db
def test_the_period_is_the_learners_local_date_whatever_the_utc_date():
    user = learner(zone="Pacific/Auckland")  # 17:00 on 4 December is 04:00 UTC that day (NZDT, +13)
    card_due(user)
    [reminder] = reminders_for_hour(at=datetime(2026, 12, 4, 4, tzinfo=UTC), hour=17)
    assert reminder.period == "2026-12-04"
    tokyo = learner(zone="Asia/Tokyo")  # 17:00 on 4 December is 08:00 UTC on 4 December
    card_due(tokyo)
    [reminder] = reminders_for_hour(at=datetime(2026, 12, 4, 8, tzinfo=UTC), hour=17)
    assert (reminder.user_id, reminder.period) == (tokyo.pk, "2026-12-04")


def local_hour(zone: str, at: datetime) -> int:
    return at.astimezone(local_zone(zone)).hour


def test_the_reminder_hour_follows_daylight_saving_time():
    # New York leaves daylight saving time on 1 November 2026: 17:00 is 21:00 UTC before, 22:00 after.
    assert local_hour("America/New_York", datetime(2026, 10, 31, 21, tzinfo=UTC)) == 17
    assert local_hour("America/New_York", datetime(2026, 11, 1, 21, tzinfo=UTC)) == 16
    assert local_hour("America/New_York", datetime(2026, 11, 1, 22, tzinfo=UTC)) == 17
    # A zone a half hour off UTC is at 17:xx at exactly one whole UTC hour (17:30 IST).
    hours = [h for h in range(24) if local_hour("Asia/Kolkata", datetime(2026, 12, 3, h, tzinfo=UTC)) == 17]
    assert hours == [12]


@pytest.mark.django_db
def test_reminder_zones_reads_the_learners_zones():
    learner(zone="Asia/Kolkata")
    assert "Asia/Kolkata" in reminder_zones(at=datetime(2026, 12, 3, 12, tzinfo=UTC), hour=17)
    assert reminder_zones(at=datetime(2026, 12, 3, 12, tzinfo=UTC), hour=12) == ["UTC"]


@pytest.mark.django_db
def test_nothing_to_say_no_address_or_an_unverified_one_means_no_reminder():
    learner()  # nothing due
    unverified = learner(verified=False)
    card_due(unverified)
    inactive = learner(is_active=False)
    card_due(inactive)
    assert reminders_for_hour(at=NY_17, hour=17) == []


@pytest.mark.django_db
def test_a_streak_about_to_break_is_mentioned_only_when_today_is_not_yet_practised():
    at_risk, safe, broken = learner(), learner(), learner()
    streak(at_risk, current=4, last_day=date(2026, 12, 2))
    streak(safe, current=5, last_day=date(2026, 12, 3))
    streak(broken, current=3, last_day=date(2026, 12, 1))
    [reminder] = reminders_for_hour(at=NY_17, hour=17)
    assert (reminder.user_id, reminder.streak) == (at_risk.pk, 4)


@pytest.mark.django_db
def test_an_unfinished_assignment_due_tomorrow_in_the_institutions_zone_is_listed():
    institution = make_institution(time_zone="America/Chicago")
    classroom = make_classroom(institution)
    user, done = learner(), learner()
    for who in (user, done):
        make_enrollment(classroom, learner=who)
    opens = NY_17 - timedelta(days=2)
    # Friday 4 December at 09:00 in Chicago (15:00 UTC): tomorrow there.
    tomorrow = make_assignment(
        classroom,
        learners=[user, done],
        title="Ratios",
        opens_at=opens,
        due_at=datetime(2026, 12, 4, 15, tzinfo=UTC),
    )
    make_assignment(classroom, learners=[user], opens_at=opens, due_at=datetime(2026, 12, 5, 15, tzinfo=UTC))
    make_assignment(classroom, learners=[user], opens_at=opens, due_at=datetime(2026, 12, 3, 23, tzinfo=UTC))
    with operator_access(reason="test", actor="tests"):
        AssignmentProgress.objects.filter(assignment=tomorrow, learner=done).update(
            status="completed", completed_at=NY_17
        )
    [reminder] = reminders_for_hour(at=NY_17, hour=17)
    assert reminder.user_id == user.pk
    assert [(a["title"], a["due"]) for a in reminder.assignments] == [
        ("Ratios", "Friday 09:00 (America/Chicago)")
    ]


@pytest.mark.django_db
def test_opted_in_rows_filter_the_selection():
    user = learner()
    card_due(user)
    assert reminders_for_hour(at=NY_17, hour=17, opted_in=User.objects.filter(pk=-1)) == []


def _selection_queries(count: int) -> tuple[int, int]:
    institution = make_institution(time_zone="America/New_York")
    classroom = make_classroom(institution)
    for n in range(count):
        user = learner(zone=("America/New_York", "America/Toronto", "America/Detroit")[n % 3])
        card_due(user)
        streak(user, current=2, last_day=date(2026, 12, 2))
        make_enrollment(classroom, learner=user)
        make_assignment(
            classroom, learners=[user], opens_at=NY_17 - timedelta(days=1), due_at=NY_17 + timedelta(hours=20)
        )
    with CaptureQueriesContext(connection) as queries:
        found = reminders_for_hour(at=NY_17, hour=17)
    return len(found), len(queries.captured_queries)


@pytest.mark.django_db
def test_the_selection_takes_the_same_few_queries_for_3_learners_and_for_30():
    few, few_queries = _selection_queries(3)
    many, many_queries = _selection_queries(27)  # 30 in all
    assert (few, many) == (3, 30)
    assert few_queries == many_queries <= 8
