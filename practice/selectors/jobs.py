"""Reads about the background-job queue: its depth, failures, the oldest waiting job, the live workers."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from ..models import WorkerBeat


@dataclass(frozen=True)
class QueueStats:
    ready: int  # waiting to run now
    scheduled: int  # waiting for their time (retries in backoff, delayed jobs)
    running: int
    failed_24h: int
    oldest_ready_age_s: float  # 0 when nothing waits
    workers: int  # alive


def queue_stats(*, now: datetime | None = None) -> QueueStats:
    """The queue in two queries, whatever its size (the monitoring page and /metrics)."""
    now = now or timezone.now()
    # django_tasks_db stores "no time set" as the year 9999: those are ready now too.
    due = Q(status="READY") & (Q(run_after__lte=now) | Q(run_after=get_date_max()))
    rows = DBTaskResult.objects.aggregate(
        ready=Count("pk", filter=due),
        scheduled=Count("pk", filter=Q(status="READY") & ~due),
        running=Count("pk", filter=Q(status="RUNNING")),
        failed=Count("pk", filter=Q(status="FAILED", finished_at__gte=now - timedelta(days=1))),
        oldest=Min("enqueued_at", filter=due),
    )
    alive = WorkerBeat.objects.filter(
        seen_at__gte=now - timedelta(seconds=settings.WORKER_DEAD_SECONDS)
    ).count()
    return QueueStats(
        ready=rows["ready"],
        scheduled=rows["scheduled"],
        running=rows["running"],
        failed_24h=rows["failed"],
        oldest_ready_age_s=(now - rows["oldest"]).total_seconds() if rows["oldest"] else 0.0,
        workers=alive,
    )


def worker_alive(*, hostname: str, now: datetime | None = None) -> bool:
    """Whether a worker on this host has marked itself alive recently (the container's health check)."""
    now = now or timezone.now()
    since = now - timedelta(seconds=settings.WORKER_DEAD_SECONDS)
    return WorkerBeat.objects.filter(hostname=hostname, seen_at__gte=since).exists()
