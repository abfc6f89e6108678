"""Learner reminders: the hourly job that picks the learners at their reminder hour and queues each one
mail for their local day (docs/learning-engine.md, "Reminders")."""

from datetime import UTC, datetime

from django.db import transaction
from django.db.models import OuterRef
from django_tasks import task

from ..models import MailPreference, OutboundMail, User
from ..selectors.reminders import Reminder, reminders_for_hour
from .mail import mail_queue


def reminder_hour(period: str) -> datetime:
    """The UTC hour an hourly period key names (2026-12-03T17 -> 17:00 UTC that day)."""
    return datetime.strptime(period, "%Y-%m-%dT%H").replace(tzinfo=UTC)


@transaction.atomic
def reminder_mail_queue(*, user: User, reminder: Reminder) -> OutboundMail | None:
    """Queue the learner's reminder for their local day; None when it is already queued or sent for that
    day (another worker, a rerun, a second local 17:00 across a clock change) or the mail core refuses it
    (turned off, unverified address)."""
    return mail_queue(kind="reminder", period=reminder.period, context=reminder.context(), user=user)


@task()
def reminders_send(*, period: str) -> dict:
    """Hourly (PERIODIC_JOBS): the reminders of the learners for whom the hour `period` is the reminder
    hour in their own zone and who opted in. Safe to run twice: each mail is keyed by its local day."""
    at = reminder_hour(period)
    opted_in = MailPreference.objects.filter(user=OuterRef("pk"), kind="reminder", enabled=True)
    reminders = reminders_for_hour(at=at, opted_in=opted_in)
    users = User.objects.in_bulk([r.user_id for r in reminders])
    queued = sum(
        reminder_mail_queue(user=users[r.user_id], reminder=r) is not None
        for r in reminders
        if r.user_id in users
    )
    return {"period": period, "selected": len(reminders), "queued": queued}
