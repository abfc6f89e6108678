"""Operator alerts by email (docs/monitoring.md#alerts): the periodic checks and who gets what, when.

An alert goes to every address in ALERT_EMAILS (or, when that is empty, in ADMINS). Each kind is mailed
at most once per ALERT_RATE_MINUTES: its mail's period is the kind plus the time bucket, and the mail
core's idempotency key (kind, address, period) drops every further one in that bucket, so a storm of
failures sends one mail, not hundreds, even from several workers at once.
"""

import logging
import time
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task
from redis.exceptions import RedisError

from practice.services.mail import mail_queue

from . import outages
from .alert_checks import (
    Alert,
    backup_failed_alert,
    backup_overdue_alert,
    db_connections_alert,
    outage_alert,
    replica_lag_alert,
    when,
)

logger = logging.getLogger("prepnexus.alerts")


def alert_recipients() -> list[str]:
    """ALERT_EMAILS, or the addresses in ADMINS when it is empty; each address once."""
    addresses = settings.ALERT_EMAILS or [address for _, address in settings.ADMINS]
    seen: dict[str, str] = {}
    for address in addresses:
        seen.setdefault(address.lower(), address)
    return list(seen.values())


def alert_period(kind: str, now: datetime) -> str:
    """The kind and the start of its ALERT_RATE_MINUTES bucket: backup-failed:20261203T1700."""
    bucket = settings.ALERT_RATE_MINUTES * 60
    start = datetime.fromtimestamp(now.timestamp() // bucket * bucket, UTC)
    return f"{kind}:{start:%Y%m%dT%H%M}"


def alert_context(alert: Alert) -> dict:
    """What the mail templates show (JSON: it is stored with the mail)."""
    return {
        "alert_kind": alert.kind,
        "title": alert.title,
        "happened_at": when(alert.happened_at),
        "details": list(alert.details),
        "check": alert.check,
        "monitoring_url": settings.SITE_URL + reverse("monitoring:dashboard"),
        "rate_minutes": settings.ALERT_RATE_MINUTES,
    }


def alert_deliveries(alert: Alert, *, now: datetime) -> list[tuple[str, str]]:
    """(address, period) of each mail this alert asks for; the mail core keeps one per period."""
    period = alert_period(alert.kind, now)
    return [(address, period) for address in alert_recipients()]


def alert_queue(alert: Alert, *, now: datetime | None = None) -> int:
    """Log the alert and queue its mails; returns how many were queued (0 when this bucket's went)."""
    now = now or timezone.now()
    context = alert_context(alert)
    deliveries = alert_deliveries(alert, now=now)
    queued = 0
    with transaction.atomic():
        for address, period in deliveries:
            queued += mail_queue(kind="alert", to_address=address, period=period, context=context) is not None
    # A condition that lasts is seen every minute: one warning per mail, the rest at INFO.
    level = logging.WARNING if queued or not deliveries else logging.INFO
    logger.log(level, "operator alert: %s (%s mailed)", alert.title, queued, extra={"alert": alert.kind})
    return queued


def alert_backup_failed(*, error: str) -> int:
    """`manage.py backup` failed: alert the operators (one mail per ALERT_RATE_MINUTES however many)."""
    return alert_queue(backup_failed_alert(error=error, now=timezone.now()))


@task()
def alerts_check(*, period: str) -> dict:
    """Every minute: connections near the limit, replica lag, and the database outages the circuit
    breakers recorded since the last check."""
    now = timezone.now()
    queued = {}
    for alert in (db_connections_alert(now=now), replica_lag_alert(now=now)):
        if alert is not None:
            queued[alert.kind] = alert_queue(alert, now=now)
    try:
        pending = outages.outages_pending(now=time.time())
    except RedisError as exc:  # the outages are kept in Redis: report them when it is back
        logger.warning("breaker outages unreadable: %s", exc.__class__.__name__)
        pending = []
    alert = outage_alert(pending)
    if alert is not None:
        queued[alert.kind] = alert_queue(alert, now=now)
        # Keep them for the next bucket's mail when this bucket's was already sent; nobody to tell: drop.
        if queued[alert.kind] or not alert_recipients():
            outages.outages_forget(pending)
    return {"period": period, "queued": queued}


@task()
def backups_check(*, period: str) -> dict:
    """Every hour: a backup newer than BACKUP_MAX_AGE_HOURS exists in BACKUP_DIR."""
    alert = backup_overdue_alert(now=timezone.now())
    return {"period": period, "queued": {alert.kind: alert_queue(alert)} if alert else {}}
