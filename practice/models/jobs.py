"""The background-job machinery's own rows, beside django_tasks_db's queue table: which workers are alive
(so a dead worker's job is run again) and which periodic runs have been queued (so two workers queue
each once). See docs/tasks.md."""

from django.db import models


class WorkerBeat(models.Model):
    """A running `manage.py run_worker` process; `seen_at` moves while it lives."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    queues = models.CharField(max_length=255)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["seen_at"], name="workerbeat_seen_idx")]

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.hostname}:{self.pid}"


class PeriodicRun(models.Model):
    """One periodic job's run for one period (an hour, a day, a week): queued once, by whoever is first."""

    name = models.CharField(max_length=64)
    period = models.CharField(max_length=32)
    enqueued_at = models.DateTimeField()
    task_id = models.UUIDField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "period"], name="periodicrun_once_per_period")]

    def __str__(self) -> str:
        return f"{self.name} for {self.period}"
