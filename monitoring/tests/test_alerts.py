"""Operator alerts: the checks that decide, the rate limit, and mail received by a real SMTP server."""

import os
import time
from datetime import UTC, datetime, timedelta

import environ
import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.utils import timezone

from monitoring import outages
from monitoring.alert_checks import (
    backup_failed_alert,
    backup_overdue_alert,
    db_connections_alert,
    outage_alert,
    replica_lag_alert,
)
from monitoring.alerts import alert_period, alert_queue, alert_recipients, alerts_check, backups_check
from monitoring.backups import backup_name, manifest_path
from monitoring.breaker import CircuitBreaker
from practice.models import OutboundMail
from practice.tests.jobs import run_jobs
from prepnexus.alert_settings import alert_recipients as read_recipients
from prepnexus.alert_settings import alert_thresholds
from tests.harness.servers import free_port

OPS = "ops@example.org"


@pytest.fixture
def ops(settings):
    settings.ALERT_EMAILS, settings.ADMINS = [OPS], []
    settings.ALERT_RATE_MINUTES = 60


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


# --- settings and recipients ------------------------------------------------------------------------


def test_alert_settings_read_admins_and_alert_emails_from_the_environment(monkeypatch):
    monkeypatch.setenv("ADMINS", "Ops Team <ops@example.org>,dev@example.org")
    monkeypatch.setenv("ALERT_EMAILS", "")
    monkeypatch.delenv("ALERT_RATE_MINUTES", raising=False)
    admins, emails, rate = read_recipients(environ.Env())
    assert admins == [("Ops Team", "ops@example.org"), ("dev@example.org", "dev@example.org")]
    assert (emails, rate) == ([], 60)
    monkeypatch.setenv("ALERT_EMAILS", "pager@example.org, not-an-address")
    with pytest.raises(ImproperlyConfigured, match="ALERT_EMAILS: 'not-an-address'"):
        read_recipients(environ.Env())
    monkeypatch.setenv("ALERT_DB_CONNECTIONS_RATIO", "1.5")
    with pytest.raises(ImproperlyConfigured, match="ALERT_DB_CONNECTIONS_RATIO"):
        alert_thresholds(environ.Env())


def test_alerts_go_to_alert_emails_or_else_to_the_admins(settings):
    settings.ADMINS = [("Ops", "ops@example.org"), ("Dev", "DEV@example.org")]
    settings.ALERT_EMAILS = []
    assert alert_recipients() == ["ops@example.org", "DEV@example.org"]
    settings.ALERT_EMAILS = ["pager@example.org", "Pager@example.org"]
    assert alert_recipients() == ["pager@example.org"]


def test_an_alert_kind_has_one_period_per_rate_window(settings):
    settings.ALERT_RATE_MINUTES = 15
    at = datetime(2026, 12, 3, 17, 14, 59, tzinfo=UTC)
    assert alert_period("backup-failed", at) == "backup-failed:20261203T1700"
    assert alert_period("backup-failed", at - timedelta(minutes=14)) == "backup-failed:20261203T1700"
    assert alert_period("backup-failed", at + timedelta(seconds=1)) == "backup-failed:20261203T1715"
    assert alert_period("db-connections", at) != alert_period("backup-failed", at)
    for kind in ("backup-failed", "backup-overdue", "db-connections", "replica-lag", "db-unreachable"):
        assert len(alert_period(kind, at)) <= OutboundMail._meta.get_field("period").max_length


# --- the checks -------------------------------------------------------------------------------------


def _fake_backup(folder, dbname, taken: datetime, manifest: bool = True) -> None:
    dump = folder / backup_name(dbname, taken)
    dump.write_bytes(b"")
    if manifest:
        manifest_path(dump).write_text("{}")


@pytest.mark.django_db
def test_a_backup_is_overdue_when_none_or_only_an_old_one_is_found(settings, tmp_path):
    settings.BACKUP_DIR, settings.BACKUP_MAX_AGE_HOURS = tmp_path, 26
    dbname, now = settings.DATABASES["default"]["NAME"], timezone.now()
    alert = backup_overdue_alert(now=now)
    assert alert.kind == "backup-overdue" and alert.title == "No backup found"
    assert f"There is no backup of {dbname}" in alert.details[0]

    _fake_backup(tmp_path, dbname, now - timedelta(hours=30))
    _fake_backup(tmp_path, dbname, now - timedelta(hours=1), manifest=False)  # unfinished: no manifest
    _fake_backup(tmp_path, "another_db", now - timedelta(hours=1))
    alert = backup_overdue_alert(now=now)
    assert alert.title == "No backup for 30 h 0 min" and "30 h 0 min ago" in alert.details[0]

    _fake_backup(tmp_path, dbname, now - timedelta(hours=25))
    assert backup_overdue_alert(now=now) is None
    settings.BACKUP_MAX_AGE_HOURS = 0  # not checked
    assert backup_overdue_alert(now=now + timedelta(days=9)) is None


@pytest.mark.django_db
def test_connections_near_the_limit_raise_an_alert(settings):
    now = timezone.now()
    settings.ALERT_DB_CONNECTIONS_RATIO = 1.0
    assert db_connections_alert(now=now) is None  # this test server is far from its limit
    settings.ALERT_DB_CONNECTIONS_RATIO = 0.001  # any connection in use is over it
    alert = db_connections_alert(now=now)
    assert alert.kind == "db-connections" and "% of the limit" in alert.title
    assert "max_connections" in alert.details[0]


def test_replica_lag_is_an_alert_only_with_replicas_configured_and_over_the_limit(settings):
    now = timezone.now()
    settings.DATABASE_REPLICAS, settings.REPLICA_MAX_LAG_SECONDS = [], 5
    assert replica_lag_alert(now=now) is None
    settings.DATABASE_REPLICAS = ["replica1", "replica2"]
    healthy = [
        {"alias": "replica1", "ok": True, "lag_seconds": 4.5, "error": None},
        {"alias": "replica2", "ok": True, "lag_seconds": None, "error": None},
    ]
    assert replica_lag_alert(now=now, replicas=healthy) is None
    behind = [
        {"alias": "replica1", "ok": True, "lag_seconds": 75.0, "error": None},
        {"alias": "replica2", "ok": False, "lag_seconds": None, "error": "OperationalError: refused"},
    ]
    alert = replica_lag_alert(now=now, replicas=behind)
    assert alert.kind == "replica-lag" and "replica1, replica2" in alert.title
    assert "replica1: 1 min 15 s behind the primary" in alert.details
    assert "replica2: unreachable (OperationalError: refused)" in alert.details


def test_outages_seen_by_several_processes_are_reported_as_one():
    base = datetime(2026, 12, 3, 17, 2, 3, tzinfo=UTC).timestamp()
    seen = [
        outages.Outage("a", "web-1:10", base, base + 40, "OperationalError: refused"),
        outages.Outage("b", "web-1:11", base + 0.5, base + 42, "OperationalError: refused"),
        outages.Outage("c", "web-2:10", base + 3600, None, "PoolTimeout: gone"),
    ]
    alert = outage_alert(seen)
    assert (
        alert.kind == "db-unreachable" and alert.title == "The database was unreachable 2 times (42 s in all)"
    )
    first, second = alert.details[:2]
    assert first.startswith(
        "From 2026-12-03 17:02:03 UTC to 2026-12-03 17:02:45 UTC (42 s), seen by 2 processes"
    )
    assert second.startswith("From 2026-12-03 18:02:03 UTC, end not reported")
    assert outage_alert([]) is None


# --- mail, end to end -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_operator_is_mailed_when_a_backup_fails(ops, settings, smtp_server, tmp_path):
    settings.PG_BINDIR, settings.BACKUP_DIR = str(tmp_path / "no-such-bin"), tmp_path
    with pytest.raises(CommandError, match="pg_dump"):
        call_command("backup", verbosity=0)
    run_jobs()
    [message] = smtp_server.messages
    assert message["To"] == OPS and message["Subject"] == "[PrepNexus alert] A backup failed"
    body = _body(message)
    assert "manage.py backup on" in body and "pg_dump for PostgreSQL" in body
    assert "There is no backup of" in body and "What to check:" in body
    assert f"{settings.SITE_URL}/monitoring/" in body
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f'href="{settings.SITE_URL}/monitoring/"' in html


@pytest.mark.django_db
def test_ten_backup_failures_in_a_row_send_one_mail(ops, settings, smtp_server, tmp_path):
    settings.PG_BINDIR, settings.BACKUP_DIR = str(tmp_path / "no-such-bin"), tmp_path
    for _ in range(10):
        with pytest.raises(CommandError):
            call_command("backup", verbosity=0)
    run_jobs()
    assert len(smtp_server.messages) == 1
    assert OutboundMail.objects.filter(kind="alert").count() == 1
    # The next window gets its own mail.
    later = timezone.now() + timedelta(minutes=settings.ALERT_RATE_MINUTES)
    assert alert_queue(backup_failed_alert(error="again", now=later), now=later) == 1


@pytest.mark.django_db
def test_the_minutely_check_mails_connections_near_the_limit_once_per_window(ops, settings, smtp_server):
    settings.ALERT_DB_CONNECTIONS_RATIO = 0.001
    for minute in range(3):
        alerts_check.enqueue(period=f"test-{minute}")
    run_jobs()
    [message] = smtp_server.messages
    assert "Database connections at" in message["Subject"] and "of the limit" in message["Subject"]


@pytest.mark.django_db
def test_the_hourly_check_mails_an_overdue_backup(ops, settings, smtp_server, tmp_path):
    settings.BACKUP_DIR = tmp_path
    backups_check.enqueue(period="test")
    run_jobs()
    [message] = smtp_server.messages
    assert message["Subject"] == "[PrepNexus alert] No backup found"
    assert "BACKUP_MAX_AGE_HOURS" in _body(message)


@pytest.mark.django_db
def test_a_fresh_real_backup_is_not_overdue(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path
    call_command("backup", verbosity=0)
    assert backup_overdue_alert(now=timezone.now()) is None


def _wait_for(predicate, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.django_db
def test_a_breaker_outage_is_kept_in_redis_and_mailed_once_the_database_is_back(ops, settings, smtp_server):
    settings.DB_BREAKER_PROBE_INTERVAL = 0.3  # the outage lasts until the first probe, about 0.3 s
    refused = None
    try:
        psycopg.connect(host="127.0.0.1", port=free_port(), connect_timeout=2)
    except psycopg.OperationalError as exc:
        refused = exc
    breaker = CircuitBreaker(alias="default")
    breaker.record_failure(refused)
    assert breaker.is_open()
    _wait_for(lambda: not breaker.is_open())
    _wait_for(lambda: outages.outages_pending(now=time.time()))
    [outage] = outages.outages_pending(now=time.time())
    assert outage.process.endswith(f":{os.getpid()}") and outage.error.startswith("OperationalError")
    assert 0.2 < outage.closed_at - outage.opened_at < 3

    alerts_check.enqueue(period="test-1")
    run_jobs()
    [message] = smtp_server.messages
    assert message["Subject"].startswith("[PrepNexus alert] The database was unreachable once")
    assert "seen by 1 process on" in _body(message) and "error: OperationalError" in _body(message)
    assert outages.outages_pending(now=time.time()) == []  # reported: forgotten
    alerts_check.enqueue(period="test-2")
    run_jobs()
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db
def test_an_outage_already_mailed_about_this_window_waits_for_the_next(ops, settings):
    now = time.time()
    outages.outage_closed(opened_at=now - 100, closed_at=now - 90, error="x")
    alerts_check.call(period="test-1")
    assert outages.outages_pending(now=now) == []
    outages.outage_closed(opened_at=now - 50, closed_at=now - 40, error="y")
    alerts_check.call(period="test-2")  # this window's db-unreachable mail is queued already
    assert len(outages.outages_pending(now=now)) == 1
    assert OutboundMail.objects.filter(kind="alert").count() == 1


def test_an_outage_whose_end_was_never_written_is_reported_after_a_while():
    opened = time.time() - outages.STALE_SECONDS - 5
    outages.outage_opened(opened_at=opened, error="OperationalError: refused")
    outages.outage_opened(opened_at=time.time(), error="OperationalError: refused")  # still going
    [stale] = outages.outages_pending(now=time.time())
    assert stale.closed_at is None and stale.opened_at == pytest.approx(opened)
    outages.outages_forget([stale])
    assert outages.outages_pending(now=time.time() + outages.STALE_SECONDS) != []
    # The end, written after the start was read, replaces it; a late start never overwrites an end.
    outages.outage_closed(opened_at=opened, closed_at=opened + 9, error="x")
    outages.outage_opened(opened_at=opened, error="x")
    ended = [o for o in outages.outages_pending(now=time.time()) if o.opened_at == pytest.approx(opened)]
    assert [o.closed_at for o in ended] == [pytest.approx(opened + 9)]
