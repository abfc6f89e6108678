"""The background-job worker: retries with backoff, a killed worker's job run again, periodic jobs queued
once per period however many workers race, and the learning job of a module's end."""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from monitoring.postgres import default_database_url
from practice.models import PeriodicRun, WorkerBeat
from practice.selectors.jobs import queue_stats
from practice.services.jobs import jobs_reap, period_key, periodic_enqueue_due, retry_delay, worker_beat

from ..job_tasks import flaky, slow_first
from ..jobs import run_jobs

ROOT = Path(__file__).resolve().parents[3]


def _key() -> str:
    return f"job-test-{uuid.uuid4().hex}"


@pytest.mark.django_db
@override_settings(TASK_MAX_ATTEMPTS=3, TASK_RETRY_SECONDS=0)
def test_a_job_that_raises_runs_again_until_it_succeeds():
    key = _key()
    result = flaky.enqueue(key=key, fail_times=2)
    for _ in range(3):
        run_jobs()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL and row.return_value == 3 and len(row.worker_ids) == 3
    assert cache.get(key) == 3


@pytest.mark.django_db
@override_settings(TASK_MAX_ATTEMPTS=2, TASK_RETRY_SECONDS=0)
def test_a_job_out_of_attempts_is_failed_with_its_error():
    result = flaky.enqueue(key=_key(), fail_times=5)
    run_jobs()
    run_jobs()
    assert run_jobs() == 0
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED and row.exception_class_path == "builtins.RuntimeError"
    assert "run 2 fails on purpose" in row.traceback


@pytest.mark.django_db
@override_settings(TASK_MAX_ATTEMPTS=5, TASK_RETRY_SECONDS=10)
def test_a_retry_waits_its_backoff():
    result = flaky.enqueue(key=_key(), fail_times=1)
    before = timezone.now()
    run_jobs()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.READY and row.run_after >= before + timedelta(seconds=10)
    assert run_jobs() == 0  # not ready yet
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [10, 20, 40]


@pytest.mark.django_db
@override_settings(WORKER_DEAD_SECONDS=30, TASK_MAX_ATTEMPTS=2, TASK_RETRY_SECONDS=0)
def test_reaping_reruns_only_the_jobs_of_dead_workers():
    now = timezone.now()
    old = now - timedelta(minutes=5)
    worker_beat(worker_id="alive", hostname="h", pid=1, queues="*", now=now)
    worker_beat(worker_id="dead", hostname="h", pid=2, queues="*", now=old)
    jobs = {}
    for name, workers in (("alive", ["alive"]), ("dead", ["dead"]), ("last", ["x", "dead"])):
        result = flaky.enqueue(key=_key(), fail_times=0)
        DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", started_at=old, worker_ids=workers)
        jobs[name] = uuid.UUID(result.id)
    assert (lambda r: (r.requeued, r.failed))(jobs_reap(now=now)) == (1, 1)
    status = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert status[jobs["alive"]] == "RUNNING" and status[jobs["dead"]] == "READY"
    assert status[jobs["last"]] == "FAILED"


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_job_loses_nothing():
    """SIGKILL the worker while it runs a job: the job is run again by the next worker, and completes once."""
    key = _key()
    result = slow_first.enqueue(key=key, seconds=60)
    env = {
        **os.environ,
        "DATABASE_URL": default_database_url(),
        "WORKER_HEARTBEAT_SECONDS": "0.2",
    }
    worker = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "run_worker", "--interval", "0.1", "--no-periodic"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while cache.get(key) != 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    with override_settings(WORKER_DEAD_SECONDS=1, TASK_RETRY_SECONDS=0):
        time.sleep(1.5)
        assert jobs_reap().requeued == 1
    assert run_jobs() == 1
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL and row.return_value == 2 and len(row.worker_ids) == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_queue_a_periodic_job_once_per_period():
    jobs = {"test-flaky": ("practice.tests.job_tasks.flaky", "daily")}
    barrier = threading.Barrier(2)
    queued = []

    def race():
        barrier.wait()
        queued.extend(periodic_enqueue_due(jobs=jobs))
        connection.close()

    threads = [threading.Thread(target=race) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    period = period_key("daily", timezone.now())
    assert queued == [f"test-flaky:{period}"]
    assert PeriodicRun.objects.filter(name="test-flaky", period=period).count() == 1
    assert DBTaskResult.objects.filter(task_path="practice.tests.job_tasks.flaky").count() == 1
    assert periodic_enqueue_due(jobs=jobs) == []


def test_period_keys_are_utc_hours_days_and_iso_weeks():
    at = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert period_key("hourly", at) == "2026-12-31T23"
    assert period_key("daily", at) == "2026-12-31"
    assert period_key("weekly", at) == "2026-W53"


@pytest.mark.django_db
def test_the_daily_prune_jobs_are_registered_and_run():
    day = period_key("daily", timezone.now())
    assert periodic_enqueue_due() == [f"jobs-prune:{day}", f"mail-prune:{day}"]
    assert run_jobs() == 2
    assert DBTaskResult.objects.successful().count() == 2


@pytest.mark.django_db
def test_a_worker_records_its_heartbeat_and_clears_it_on_exit():
    call_command("run_worker", batch=True, worker_id="batch-1", verbosity=0)
    assert not WorkerBeat.objects.filter(worker_id="batch-1").exists()


@pytest.mark.django_db
def test_bad_worker_options_are_refused():
    with pytest.raises(CommandError, match="Unknown queue"):
        call_command("run_worker", batch=True, queues="nope")
    with pytest.raises(CommandError):
        call_command("run_worker", batch=True, interval=-1)


@pytest.mark.django_db
def test_check_worker_answers_for_this_hosts_heartbeat():
    with pytest.raises(CommandError, match="No background worker"):
        call_command("check_worker", hostname="box-1")
    worker_beat(worker_id="w1", hostname="box-1", pid=7, queues="*")
    call_command("check_worker", hostname="box-1")
    WorkerBeat.objects.filter(worker_id="w1").update(seen_at=timezone.now() - timedelta(minutes=5))
    with pytest.raises(CommandError):
        call_command("check_worker", hostname="box-1")


@pytest.mark.django_db
@override_settings(TASK_MAX_ATTEMPTS=1, TASK_RETRY_SECONDS=0)
def test_queue_stats_count_waiting_scheduled_running_and_failed_jobs(django_assert_max_num_queries):
    flaky.enqueue(key=_key(), fail_times=9)
    run_jobs()  # fails for good
    flaky.enqueue(key=_key(), fail_times=0)
    flaky.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(key=_key(), fail_times=0)
    DBTaskResult.objects.filter(status="READY").update(enqueued_at=timezone.now() - timedelta(minutes=3))
    worker_beat(worker_id="w2", hostname="box-2", pid=8, queues="*")
    with django_assert_max_num_queries(2):
        stats = queue_stats()
    assert (stats.ready, stats.scheduled, stats.running, stats.failed_24h, stats.workers) == (1, 1, 0, 1, 1)
    assert 170 < stats.oldest_ready_age_s < 200
