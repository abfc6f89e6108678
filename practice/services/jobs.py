"""The background-job machinery around django_tasks_db's queue: workers' heartbeats, rerunning the job of
a worker that died, retrying a failed job with backoff, and queueing periodic jobs once per period
however many workers run (docs/tasks.md). `manage.py run_worker` calls these."""

import traceback as tb
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ..models import PeriodicRun, WorkerBeat

# A job whose worker vanished is failed with this as its exception when it has no attempts left.
WORKER_DIED = "practice.services.jobs.WorkerDied"


def retry_delay(attempt: int) -> timedelta:
    """How long a job waits before its run number attempt + 1: TASK_RETRY_SECONDS doubling per attempt."""
    return timedelta(seconds=settings.TASK_RETRY_SECONDS * 2 ** max(0, attempt - 1))


def worker_beat(*, worker_id: str, hostname: str, pid: int, queues: str, now: datetime | None = None) -> None:
    """Mark the worker alive (a row per worker, updated in place)."""
    now = now or timezone.now()
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": now},
        create_defaults={
            "hostname": hostname,
            "pid": pid,
            "queues": queues,
            "started_at": now,
            "seen_at": now,
        },
    )


def worker_gone(*, worker_id: str) -> None:
    """A worker that stops cleanly removes its row."""
    WorkerBeat.objects.filter(worker_id=worker_id).delete()


@transaction.atomic
def job_retry_or_fail(*, result: DBTaskResult, exc: BaseException, now: datetime | None = None) -> bool:
    """After a job raised: queue it again after the backoff while it has attempts left (True), else fail."""
    now = now or timezone.now()
    attempts = len(result.worker_ids)
    if attempts >= settings.TASK_MAX_ATTEMPTS:
        result.set_failed(exc)
        return False
    result.status = TaskResultStatus.READY
    result.run_after = now + retry_delay(attempts)
    result.exception_class_path = f"{type(exc).__module__}.{type(exc).__qualname__}"
    result.traceback = "".join(tb.format_exception(exc))
    result.save(update_fields=["status", "run_after", "exception_class_path", "traceback"])
    return True


@dataclass(frozen=True)
class Reaped:
    requeued: int
    failed: int


@transaction.atomic
def jobs_reap(*, now: datetime | None = None) -> Reaped:
    """Jobs left running by a worker that is no longer alive (killed, its machine gone) run again, with
    the same backoff as a failure; after the last attempt they fail. Alive means seen within
    WORKER_DEAD_SECONDS; a job started less than that ago is left alone whatever ran it."""
    now = now or timezone.now()
    dead_before = now - timedelta(seconds=settings.WORKER_DEAD_SECONDS)
    alive = set(WorkerBeat.objects.filter(seen_at__gte=dead_before).values_list("worker_id", flat=True))
    requeued = failed = 0
    running = (
        DBTaskResult.objects.running().filter(started_at__lt=dead_before).select_for_update(skip_locked=True)
    )
    for result in running:
        if result.worker_ids and result.worker_ids[-1] in alive:
            continue
        attempts = len(result.worker_ids)
        if attempts >= settings.TASK_MAX_ATTEMPTS:
            result.status, result.finished_at = TaskResultStatus.FAILED, now
            result.exception_class_path = WORKER_DIED
            result.traceback = (
                f"The worker {result.worker_ids[-1] if result.worker_ids else '?'} died running it."
            )
            result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
            failed += 1
        else:
            result.status, result.run_after = TaskResultStatus.READY, now + retry_delay(attempts)
            result.exception_class_path = WORKER_DIED
            result.traceback = (
                f"The worker {result.worker_ids[-1] if result.worker_ids else '?'} died running it."
            )
            result.save(update_fields=["status", "run_after", "exception_class_path", "traceback"])
            requeued += 1
    WorkerBeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()
    return Reaped(requeued=requeued, failed=failed)


# --- Periodic jobs -------------------------------------------------------------------------------------

# name -> (the task's dotted path, its cadence). Each is queued once per period with `period=<key>`; the
# task decides what that period means for each recipient (a learner's own time zone, for instance).
PERIODIC_JOBS: dict[str, tuple[str, str]] = {
    "jobs-prune": ("practice.services.jobs.jobs_prune", "daily"),
    "mail-prune": ("practice.services.mail.mail_prune", "daily"),
}
_PERIOD_FORMATS = {"hourly": "%Y-%m-%dT%H", "daily": "%Y-%m-%d", "weekly": "%G-W%V"}


def period_key(cadence: str, now: datetime) -> str:
    """The UTC period `now` falls in: 2026-12-03T17 (hourly), 2026-12-03 (daily), 2026-W49 (weekly)."""
    return now.astimezone(UTC).strftime(_PERIOD_FORMATS[cadence])


def periodic_enqueue_due(*, now: datetime | None = None, jobs: dict | None = None) -> list[str]:
    """Queue each periodic job not yet queued for the current period. The unique (name, period) row is
    inserted in the transaction that queues the job, so of two workers racing, one queues it."""
    now = now or timezone.now()
    queued = []
    for name, (path, cadence) in (PERIODIC_JOBS if jobs is None else jobs).items():
        period = period_key(cadence, now)
        if PeriodicRun.objects.filter(name=name, period=period).exists():
            continue
        try:
            with transaction.atomic():
                result = import_string(path).enqueue(period=period)
                PeriodicRun.objects.create(name=name, period=period, enqueued_at=now, task_id=result.id)
        except IntegrityError:
            continue  # another worker queued it first; its transaction holds the only copy of the job
        queued.append(f"{name}:{period}")
    return queued


# Finished jobs are kept this many days for the admin and the monitoring page, failures longer.
_KEEP_SUCCEEDED_DAYS, _KEEP_FAILED_DAYS, _KEEP_PERIODIC_DAYS = 7, 30, 60


@task()
def jobs_prune(*, period: str) -> dict:
    """Daily: delete old finished jobs and periodic-run records."""
    now = timezone.now()
    with transaction.atomic():
        succeeded, _ = (
            DBTaskResult.objects.successful()
            .filter(finished_at__lt=now - timedelta(days=_KEEP_SUCCEEDED_DAYS))
            .delete()
        )
        failed, _ = (
            DBTaskResult.objects.failed()
            .filter(finished_at__lt=now - timedelta(days=_KEEP_FAILED_DAYS))
            .delete()
        )
        periodic, _ = PeriodicRun.objects.filter(
            enqueued_at__lt=now - timedelta(days=_KEEP_PERIODIC_DAYS)
        ).delete()
    return {"period": period, "succeeded": succeeded, "failed": failed, "periodic": periodic}
