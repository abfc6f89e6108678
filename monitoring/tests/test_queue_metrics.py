"""The job queue's figures on /metrics and the monitoring page, read from the real queue at scrape time."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from practice.services.jobs import worker_beat
from practice.tests.factories import make_user
from practice.tests.job_tasks import flaky
from practice.tests.jobs import run_jobs

TOKEN = "queue-metrics-token-abcdefghijkl"  # only for these tests
QUEUE_SERIES = {
    "prepnexus_jobs_ready",
    "prepnexus_jobs_scheduled",
    "prepnexus_jobs_running",
    "prepnexus_jobs_failed_24h",
    "prepnexus_jobs_oldest_ready_age_seconds",
    "prepnexus_jobs_workers",
}


@pytest.fixture(autouse=True)
def _token(settings):
    settings.MONITORING_TOKEN = TOKEN


def _scrape(client) -> dict[str, float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


@pytest.mark.django_db
@override_settings(TASK_MAX_ATTEMPTS=1, TASK_RETRY_SECONDS=0)
def test_metrics_follow_the_queue_as_jobs_are_queued_fail_and_workers_beat(
    client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):  # the queue's figures, whatever its size; the token needs none
        empty = _scrape(client)
    assert set(empty) >= QUEUE_SERIES
    assert {name: empty[name] for name in QUEUE_SERIES} == dict.fromkeys(QUEUE_SERIES, 0.0)

    for n in range(3):
        flaky.enqueue(key=f"queue-metrics-{n}", fail_times=0)
    flaky.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(
        key="queue-metrics-later", fail_times=0
    )
    DBTaskResult.objects.filter(status="READY").update(enqueued_at=timezone.now() - timedelta(minutes=2))
    queued = _scrape(client)
    assert queued["prepnexus_jobs_ready"] == 3 and queued["prepnexus_jobs_scheduled"] == 1
    assert 110 < queued["prepnexus_jobs_oldest_ready_age_seconds"] < 200

    run_jobs()
    flaky.enqueue(key="queue-metrics-fails", fail_times=5)
    run_jobs()  # one attempt allowed: failed for good
    worker_beat(worker_id="metrics-w1", hostname="box-1", pid=11, queues="*")
    after = _scrape(client)
    assert after["prepnexus_jobs_ready"] == 0 and after["prepnexus_jobs_oldest_ready_age_seconds"] == 0
    assert after["prepnexus_jobs_failed_24h"] == 1
    assert after["prepnexus_jobs_workers"] == 1
    assert after["prepnexus_jobs_scheduled"] == 1


@pytest.fixture
def open_breaker(settings):
    from monitoring.breaker import breaker

    settings.DB_BREAKER_PROBE_INTERVAL = 30
    saved = (breaker.state, breaker.opened_at, breaker._probe_thread)
    breaker.state, breaker.opened_at = "open", 0.0
    breaker._probe_thread = None
    yield breaker
    breaker.state, breaker.opened_at, breaker._probe_thread = saved


@pytest.mark.django_db
def test_metrics_leave_the_queue_out_while_the_database_is_unreachable(
    client, open_breaker, django_assert_num_queries
):
    with django_assert_num_queries(0):
        samples = _scrape(client)
    assert not QUEUE_SERIES & set(samples)
    assert "prepnexus_db_circuit_open" in samples


@pytest.mark.django_db
def test_monitoring_page_shows_the_queue(client):
    client.force_login(make_user(is_staff=True))
    html = client.get("/monitoring/").content.decode()
    assert "Background jobs" in html and "no worker" in html
    flaky.enqueue(key="queue-page", fail_times=0)
    worker_beat(worker_id="page-w1", hostname="box-1", pid=12, queues="*")
    html = client.get("/monitoring/").content.decode()
    assert "<dt>Ready</dt><dd>1</dd>" in html and "<dt>Workers alive</dt><dd>1</dd>" in html
    assert "no worker" not in html
    assert "No alert recipients are set" in html


@pytest.mark.django_db
def test_monitoring_page_says_where_alerts_go(client, settings):
    settings.ALERT_EMAILS, settings.ALERT_RATE_MINUTES = ["ops@example.org", "pager@example.org"], 30
    client.force_login(make_user(is_staff=True))
    html = client.get("/monitoring/").content.decode()
    assert "mailed to 2 addresses, each kind at most once per 30 minutes" in html
