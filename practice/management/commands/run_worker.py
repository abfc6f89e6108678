"""`manage.py run_worker`: run background jobs (docs/tasks.md)."""

import contextlib
import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections, connection, connections
from django.utils.crypto import get_random_string
from django_tasks import TaskContext, task_backends
from django_tasks.signals import task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from practice.services.jobs import (
    job_retry_or_fail,
    jobs_reap,
    periodic_enqueue_due,
    worker_beat,
    worker_gone,
)

logger = logging.getLogger("practice.jobs")


class JobWorker(Worker):
    """django_tasks_db's worker, plus: a heartbeat, rerunning a dead worker's job, retrying a job that
    raised (with backoff), and queueing the periodic jobs."""

    def __init__(self, *, periodic: bool, **kwargs):
        super().__init__(**kwargs)
        self.periodic = periodic
        self.hostname, self.pid = socket.gethostname()[:255], os.getpid()
        self._stop = threading.Event()
        self._next_upkeep = 0.0

    def beat_forever(self) -> None:
        """The heartbeat thread: alive while the process is, whatever job the main thread is running."""
        while not self._stop.wait(settings.WORKER_HEARTBEAT_SECONDS):
            self.beat()
        connections.close_all()

    def beat(self) -> None:
        try:
            worker_beat(
                worker_id=self.worker_id,
                hostname=self.hostname,
                pid=self.pid,
                queues=",".join(self.queue_names),
            )
        except DatabaseError:
            logger.warning("worker %s: heartbeat failed (database unavailable)", self.worker_id)

    def upkeep(self) -> None:
        """Every heartbeat interval: rerun dead workers' jobs and queue the periodic ones that are due."""
        if time.monotonic() < self._next_upkeep:
            return
        self._next_upkeep = time.monotonic() + settings.WORKER_HEARTBEAT_SECONDS
        try:
            reaped = jobs_reap()
            if reaped.requeued or reaped.failed:
                logger.warning("jobs of dead workers: %s requeued, %s failed", reaped.requeued, reaped.failed)
            if self.periodic:
                for queued in periodic_enqueue_due():
                    logger.info("periodic job queued: %s", queued)
        except DatabaseError:
            if self.batch:
                raise
            logger.warning("worker %s: upkeep skipped (database unavailable)", self.worker_id)

    def claim_next(self) -> DBTaskResult | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        with exclusive_transaction(tasks.db):
            result = tasks.get_locked()
            if result is not None:
                result.claim(self.worker_id)
        return result

    def run(self) -> None:
        self.beat()
        heart = threading.Thread(target=self.beat_forever, name="heartbeat", daemon=True)
        heart.start()
        logger.info(
            "worker %s started on %s, queues %s", self.worker_id, self.hostname, ",".join(self.queue_names)
        )
        try:
            while self.running:
                if not connection.in_atomic_block:  # (only a test runs the worker inside a transaction)
                    close_old_connections()
                self.upkeep()
                try:
                    result = self.claim_next()
                except DatabaseError:
                    if self.batch:
                        raise  # a one-off run reports the fault rather than waiting it out
                    logger.warning("worker %s: cannot reach the database; waiting", self.worker_id)
                    connections.close_all()
                    time.sleep(max(self.interval, 1))
                    continue
                if result is not None:
                    self.run_task(result)
                elif self.batch:
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    return
                if self.running and result is None:
                    time.sleep(self.interval)
        finally:
            self._stop.set()
            heart.join(timeout=settings.WORKER_HEARTBEAT_SECONDS + 1)
            with contextlib.suppress(DatabaseError):
                worker_gone(worker_id=self.worker_id)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run one job. An exception queues it again after the backoff (job_retry_or_fail); a job whose
        code is gone fails at once; an interrupted one is left running for jobs_reap to rerun."""
        self.running_task = True
        try:
            try:
                task = db_task_result.task
            except (ImportError, SuspiciousOperation) as exc:
                db_task_result.set_failed(exc)
                logger.error("job %s: no such task %s", db_task_result.id, db_task_result.task_path)
                return
            task_result = db_task_result.task_result
            backend_type = type(task.get_backend())
            task_started.send(sender=backend_type, task_result=task_result)
            try:
                if task.takes_context:
                    value = task.call(
                        TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
                    )
                else:
                    value = task.call(*task_result.args, **task_result.kwargs)
            except Exception as exc:
                again = job_retry_or_fail(result=db_task_result, exc=exc)
                logger.warning(
                    "job %s (%s) raised %r; %s",
                    db_task_result.id,
                    db_task_result.task_path,
                    exc,
                    "queued again" if again else "no attempts left: failed",
                )
                return
            db_task_result.set_successful(value)
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        finally:
            self.running_task = False
            self._run_tasks += 1


class Command(BaseCommand):
    help = (
        "Run background jobs from the queue in PostgreSQL; run several for more throughput (docs/tasks.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queues", default="*", help="Comma-separated queues to run, or * for all (default)."
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds to wait when the queue is empty."
        )
        parser.add_argument("--batch", action="store_true", help="Run every job that is ready, then exit.")
        parser.add_argument("--max-tasks", type=int, default=None, help="Exit after this many jobs.")
        parser.add_argument(
            "--no-periodic", action="store_false", dest="periodic", help="Do not queue the periodic jobs."
        )
        parser.add_argument("--worker-id", default="", help="Unique per worker (default: a random one).")

    def handle(self, *, queues, interval, batch, max_tasks, periodic, worker_id, verbosity, **options):
        if interval < 0 or (max_tasks is not None and max_tasks < 1):
            raise CommandError("--interval must be >= 0 and --max-tasks >= 1.")
        worker_id = worker_id or get_random_string(32)
        if len(worker_id) > 64:
            raise CommandError("--worker-id is at most 64 characters.")
        names = [q.strip() for q in queues.split(",") if q.strip()]
        known = set(task_backends["default"].queues)
        if "*" not in names and not set(names) <= known:
            raise CommandError(f"Unknown queue(s): {', '.join(sorted(set(names) - known))}.")
        logging.getLogger("practice.jobs").setLevel(logging.WARNING if verbosity < 1 else logging.INFO)
        worker = JobWorker(
            queue_names=names or ["*"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=[],
            periodic=periodic and not batch,
        )
        if not batch:
            worker.configure_signals()
        worker.run()
