"""Learner reminders and teachers' digests end to end: the periodic jobs queue the mails, the worker sends
them over real SMTP, once per period however often the job runs, and only to those who want them."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from practice.models import AccessEvent, Flashcard, LearnerStats, OutboundMail, User
from practice.services.digests import digests_send
from practice.services.jobs import PERIODIC_JOBS, periodic_enqueue_due
from practice.services.mail import mail_preference_set
from practice.services.reminders import reminders_send
from practice.tenancy import operator_access

from ..factories import make_user
from ..institution_factories import make_assignment, make_member, make_school
from ..jobs import run_jobs
from ..learning_factories import make_flashcard, set_time_zone

NY_17 = datetime(2026, 12, 3, 22, tzinfo=UTC)  # 17:00 in New York (EST)


def _parts(message) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}


def learner(*, zone="America/New_York", verified=True, opted_in=True, card=True) -> User:
    user = make_user()
    set_time_zone(user, zone)
    if verified:
        User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
        user.refresh_from_db()
    if opted_in:
        mail_preference_set(user=user, kind="reminder", enabled=True, via="profile")
    if card:
        made = make_flashcard(owner=user)
        Flashcard.objects.filter(pk=made.pk).update(due=NY_17 - timedelta(days=1))
    return user


@pytest.mark.django_db
def test_reminders_go_out_once_a_day_to_those_who_opted_in(smtp_server):
    wanted = learner()
    learner(opted_in=False)  # never turned it on
    gone = learner()
    mail_preference_set(user=gone, kind="reminder", enabled=False, via="unsubscribe-link")
    learner(verified=False)
    learner(card=False)  # opted in, nothing to say
    jobs = {"learner-reminders": PERIODIC_JOBS["learner-reminders"]}
    assert periodic_enqueue_due(now=NY_17 + timedelta(minutes=3), jobs=jobs) == [
        "learner-reminders:2026-12-03T22"
    ]
    assert periodic_enqueue_due(now=NY_17 + timedelta(minutes=9), jobs=jobs) == []
    reminders_send.enqueue(period="2026-12-03T22")  # the same hour's job once more (a rerun, a second worker)
    run_jobs()
    [message] = smtp_server.messages
    assert message["To"] == wanted.email
    assert message["Subject"] == "Your practice for today is ready"
    assert (
        str(message["List-Unsubscribe"]).strip().startswith("<http")
        and "/mail/unsubscribe/" in message["List-Unsubscribe"]
    )
    parts = _parts(message)
    assert (
        "1 flashcard due: http" in parts["text/plain"]
        and "Unsubscribe from reminders: http" in parts["text/plain"]
    )
    assert 'href="http' in parts["text/html"] and "1 flashcard</a> due" in parts["text/html"]
    assert 'href="/' not in parts["text/html"]  # every link absolute
    [mail] = OutboundMail.objects.filter(kind="reminder")
    assert (mail.user_id, mail.period, mail.status) == (wanted.pk, "2026-12-03", "sent")
    # The next hour is 18:00 in New York: no one; the next day's 17:00: the next reminder.
    reminders_send.enqueue(period="2026-12-03T23")
    reminders_send.enqueue(period="2026-12-04T22")
    run_jobs()
    assert [m["To"] for m in smtp_server.messages] == [wanted.email] * 2
    assert sorted(OutboundMail.objects.filter(kind="reminder").values_list("period", flat=True)) == [
        "2026-12-03",
        "2026-12-04",
    ]


@pytest.mark.django_db
def test_at_most_one_reminder_per_local_day_even_when_the_learners_clock_moves(smtp_server):
    traveller = learner(zone="Asia/Tokyo")
    reminders_send.enqueue(period="2026-12-04T08")  # 17:00 on 4 December in Tokyo
    run_jobs()
    set_time_zone(traveller, "Pacific/Honolulu")  # flies east: 4 December's 17:00 comes round again
    reminders_send.enqueue(period="2026-12-05T03")  # 17:00 on 4 December in Honolulu
    run_jobs()
    assert len(smtp_server.messages) == 1
    assert list(OutboundMail.objects.values_list("period", flat=True)) == ["2026-12-04"]


@pytest.mark.django_db
def test_a_reminder_lists_an_assignment_due_tomorrow_and_a_streak_at_stake(smtp_server):
    _institution, _admin, _teacher, classroom, (user, _other) = make_school(time_zone="America/New_York")
    User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
    mail_preference_set(user=user, kind="reminder", enabled=True, via="profile")
    set_time_zone(user, "America/New_York")
    make_assignment(
        classroom,
        learners=[user],
        title="Systems of equations",
        opens_at=NY_17 - timedelta(days=3),
        due_at=NY_17 + timedelta(hours=18),  # Friday 11:00 in New York
    )
    LearnerStats.objects.create(
        learner=user, current_streak=6, longest_streak=6, last_active_day=datetime(2026, 12, 2).date()
    )
    reminders_send.enqueue(period="2026-12-03T22")
    run_jobs()
    [message] = smtp_server.messages
    assert message["Subject"] == "Due tomorrow: Systems of equations"
    text = _parts(message)["text/plain"]
    assert "- Systems of equations, due Friday 11:00 (America/New_York): http" in text
    assert "Your 6-day streak ends tonight" in text


def _verify(user) -> User:
    User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
    user.refresh_from_db()
    return user


@pytest.mark.django_db
def test_each_teacher_gets_the_class_digest_once_a_week(smtp_server):
    institution, _admin, teacher, classroom, (done, idle) = make_school()
    _verify(teacher)
    unverified = make_member(institution).user
    unsubscribed = _verify(make_member(institution).user)
    mail_preference_set(user=unsubscribed, kind="digest", enabled=False, via="unsubscribe-link")
    with operator_access(reason="test", actor="tests"):
        for other in (unverified, unsubscribed):
            classroom.teacher_links.create(institution=institution, teacher=other)
    now = timezone.now()
    set_ = make_assignment(
        classroom,
        learners=[done, idle],
        title="Ratios",
        opens_at=now - timedelta(days=6),
        due_at=now - timedelta(hours=2),
    )
    with operator_access(reason="test", actor="tests"):
        set_.progress.filter(learner=done).update(status="completed", completed_at=now - timedelta(days=1))
    jobs = {"teacher-digest": PERIODIC_JOBS["teacher-digest"]}
    [key] = periodic_enqueue_due(jobs=jobs)
    week = key.split(":")[1]
    digests_send.enqueue(period=week)  # a second run of the same week's job
    run_jobs()
    [message] = smtp_server.messages
    assert (
        message["To"] == teacher.email
        and message["Subject"] == f"{classroom.name}: your weekly digest ({week})"
    )
    assert "List-Unsubscribe" in message
    text, html = _parts(message)["text/plain"], _parts(message)["text/html"]
    assert "- Ratios (due " in text and "1 of 2 completed (50%)" in text
    assert "Never active" in text and "No predicted score moved this week." in text
    assert f"/teach/classes/{classroom.pk}/" in text and 'href="http' in html and 'href="/' not in html
    [mail] = OutboundMail.objects.filter(kind="digest")
    assert mail.period == f"{week}-c{classroom.pk}"
    with operator_access(reason="test", actor="tests"):
        [event] = AccessEvent.objects.filter(what="weekly digest email")
    assert (event.actor_id, event.classroom_id, sorted(event.learner_ids)) == (
        teacher.pk,
        classroom.pk,
        sorted([done.pk, idle.pk]),
    )
    digests_send.enqueue(period=week)
    run_jobs()
    assert len(smtp_server.messages) == 1  # the week's digest is not sent again


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_same_hours_reminders_at_once_queue_each_mail_once():
    users = [learner() for _ in range(4)]
    barrier = threading.Barrier(2)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(reminders_send.call(period="2026-12-03T22"))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r["selected"] for r in results) == [4, 4]
    assert sum(r["queued"] for r in results) == 4
    mails = OutboundMail.objects.filter(kind="reminder")
    assert sorted(mails.values_list("user_id", flat=True)) == sorted(u.pk for u in users)
    assert DBTaskResult.objects.filter(task_path="practice.services.mail.mail_deliver").count() == 4
