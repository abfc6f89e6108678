"""What the operators' alerts say, and the checks that decide whether one is due (docs/monitoring.md#alerts).

Each check returns an Alert or None; monitoring/alerts.py mails them, at most one per kind per
ALERT_RATE_MINUTES.
"""

import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings

from . import backups, selectors
from .outages import Outage


@dataclass(frozen=True)
class Alert:
    kind: str  # at most 18 characters: the kind and a time bucket make the mail's 32-character period
    title: str  # what happened, in one line (the subject)
    happened_at: datetime
    details: tuple[str, ...] = ()
    check: str = ""  # what the operator should look at


def when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def duration(seconds: float) -> str:
    """42 s, 3 min 5 s, 26 h 4 min."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def _backup_dbname() -> str:
    return settings.DATABASES["default"]["NAME"]


def _newest_backup_line(now: datetime) -> str:
    newest = backups.backup_newest(output=settings.BACKUP_DIR, dbname=_backup_dbname())
    if newest is None:
        return f"There is no backup of {_backup_dbname()} in {settings.BACKUP_DIR}."
    age = (now - newest).total_seconds()
    return (
        f"The newest backup of {_backup_dbname()} in {settings.BACKUP_DIR} was taken {when(newest)}, "
        f"{duration(age)} ago."
    )


def backup_failed_alert(*, error: str, now: datetime) -> Alert:
    return Alert(
        kind="backup-failed",
        title="A backup failed",
        happened_at=now,
        details=(
            f"manage.py backup on {socket.gethostname()} failed at {when(now)}:",
            error.strip()[:1500],
            _newest_backup_line(now),
        ),
        check="Run `manage.py backup` by hand on that host and read its error: space left in BACKUP_DIR, "
        "pg_dump's version against the server's (PG_BINDIR), the database connection.",
    )


def backup_overdue_alert(*, now: datetime) -> Alert | None:
    """No complete backup newer than BACKUP_MAX_AGE_HOURS in BACKUP_DIR (0 hours: not checked)."""
    if not settings.BACKUP_MAX_AGE_HOURS:
        return None
    newest = backups.backup_newest(output=settings.BACKUP_DIR, dbname=_backup_dbname())
    limit = timedelta(hours=settings.BACKUP_MAX_AGE_HOURS)
    if newest is not None and now - newest <= limit:
        return None
    title = (
        "No backup found" if newest is None else f"No backup for {duration((now - newest).total_seconds())}"
    )
    return Alert(
        kind="backup-overdue",
        title=title,
        happened_at=now,
        details=(
            _newest_backup_line(now),
            f"A backup is expected at least every {settings.BACKUP_MAX_AGE_HOURS:g} hours "
            "(BACKUP_MAX_AGE_HOURS).",
        ),
        check="Whether the nightly `manage.py backup` (cron or systemd timer) still runs and succeeds, and "
        "whether the worker that checks sees the same BACKUP_DIR.",
    )


def db_connections_alert(*, now: datetime, usage: dict | None = None) -> Alert | None:
    """Connections in use over ALERT_DB_CONNECTIONS_RATIO of those open to the app (max_connections less
    the superusers' reserve)."""
    usage = selectors.connections_in_use() if usage is None else usage
    available = max(usage["max"] - usage["reserved"], 1)
    ratio = usage["used"] / available
    if ratio < settings.ALERT_DB_CONNECTIONS_RATIO:
        return None
    return Alert(
        kind="db-connections",
        title=f"Database connections at {ratio:.0%} of the limit",
        happened_at=now,
        details=(
            f"{usage['used']} connections in use at {when(now)}, of the {available} open to the app "
            f"(max_connections {usage['max']}, {usage['reserved']} reserved for superusers).",
            f"The alert fires above {settings.ALERT_DB_CONNECTIONS_RATIO:.0%} (ALERT_DB_CONNECTIONS_RATIO). "
            "At the limit, new connections are refused and pages fail.",
        ),
        check="Long-running or idle-in-transaction sessions (the monitoring page lists long queries), and "
        "the pools against the budget: (DB_POOL_SIZE + DB_MAX_OVERFLOW) x GUNICORN_WORKERS x APP_INSTANCES, "
        "plus the workers, within DB_CONNECTION_BUDGET.",
    )


def replica_lag_alert(*, now: datetime, replicas: list[dict] | None = None) -> Alert | None:
    """A configured replica further behind than REPLICA_MAX_LAG_SECONDS, or unreachable."""
    if not settings.DATABASE_REPLICAS:
        return None
    replicas = selectors.replica_status() if replicas is None else replicas
    limit = settings.REPLICA_MAX_LAG_SECONDS
    bad = []
    for replica in replicas:
        if not replica["ok"]:
            bad.append(f"{replica['alias']}: unreachable ({replica['error']})")
        elif replica["lag_seconds"] is not None and replica["lag_seconds"] > limit:
            bad.append(f"{replica['alias']}: {duration(replica['lag_seconds'])} behind the primary")
    if not bad:
        return None
    return Alert(
        kind="replica-lag",
        title=f"Replica behind or unreachable: {', '.join(line.split(':')[0] for line in bad)}",
        happened_at=now,
        details=(
            *bad,
            f"Seen at {when(now)}; the limit is {limit:g} s (REPLICA_MAX_LAG_SECONDS). Reads skip such a "
            "replica and go to the primary until it catches up.",
        ),
        check="The replica's host and its network to the primary, pg_stat_replication on the primary, "
        "and long queries on the replica holding back replay.",
    )


def outage_alert(outages: list[Outage]) -> Alert | None:
    """The circuit breaker's outages, merged across processes: when the database was unreachable."""
    if not outages:
        return None
    spans: list[list] = []  # [opened, closed or None, processes, first error]
    for outage in sorted(outages, key=lambda o: o.opened_at):
        end = outage.closed_at
        if spans and outage.opened_at <= (spans[-1][1] or spans[-1][0]) + 1:
            span = spans[-1]
            span[1] = None if end is None or span[1] is None else max(span[1], end)
            span[2].add(outage.process)
        else:
            spans.append([outage.opened_at, end, {outage.process}, outage.error])
    lines = []
    total = 0.0
    for opened, closed, processes, error in spans:
        start = datetime.fromtimestamp(opened, UTC)
        hosts = sorted({process.rpartition(":")[0] for process in processes})
        seen = f"seen by {len(processes)} process{'es' if len(processes) > 1 else ''} on {', '.join(hosts)}"
        if closed is None:
            lines.append(
                f"From {when(start)}, end not reported (the process stopped while the database was "
                f"down), {seen}; error: {error or 'unknown'}"
            )
        else:
            total += closed - opened
            lines.append(
                f"From {when(start)} to {when(datetime.fromtimestamp(closed, UTC))} "
                f"({duration(closed - opened)}), {seen}; error: {error or 'unknown'}"
            )
    times = f"{len(spans)} times" if len(spans) > 1 else "once"
    return Alert(
        kind="db-unreachable",
        title=f"The database was unreachable {times} ({duration(total)} in all)",
        happened_at=datetime.fromtimestamp(spans[0][0], UTC),
        details=(
            *lines,
            "The circuit breaker opened: pages answered 503 at once until PostgreSQL came back.",
        ),
        check="PostgreSQL's log around those times (a restart, crash, failover, or too many connections) "
        "and its host's disk, memory and network.",
    )
