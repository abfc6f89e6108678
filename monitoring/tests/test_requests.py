"""The per-request log line, request ids, the slow-request log, SQL_DEBUG and the performance figures."""

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from monitoring import metrics
from monitoring.metrics import LATENCY_BUCKETS_MS, percentile, performance_report
from practice.tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]


def _request_records(caplog):
    return [r for r in caplog.records if r.name == "prepnexus.request"]


@pytest.mark.django_db
def test_every_request_logs_one_structured_line_with_route_status_duration_queries_and_id(client, caplog):
    caplog.set_level(logging.INFO, logger="prepnexus.request")
    client.force_login(make_user(username="ops", is_staff=True))
    caplog.clear()
    response = client.get("/accounts/profile/")
    assert response.status_code == 200
    (record,) = _request_records(caplog)
    assert record.route == "profile"
    assert record.status == 200
    assert record.method == "GET"
    assert record.duration_ms > 0
    assert record.queries >= 1
    assert record.request_id == response["X-Request-ID"]
    assert len(record.request_id) == 32


@pytest.mark.django_db
def test_password_reset_tokens_are_masked_in_the_request_log(client, caplog, settings):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    settings.SLOW_REQUEST_MS = -1  # the slow-request line carries the path too
    user = make_user()
    uid, token = urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
    caplog.set_level(logging.INFO, logger="prepnexus.request")
    response = client.get(f"/accounts/reset/{uid}/{token}/")
    assert response.status_code == 302  # Django moves the token into the session
    records = [r for r in caplog.records if r.name.startswith("prepnexus.request")]
    assert len(records) == 2
    for record in records:
        assert token not in record.getMessage() and token not in record.path
        assert record.path == f"/accounts/reset/{uid}/********/"


@pytest.mark.django_db
def test_an_incoming_request_id_is_kept_and_a_malformed_one_replaced(client, caplog):
    caplog.set_level(logging.INFO, logger="prepnexus.request")
    kept = client.get("/", HTTP_X_REQUEST_ID="lb-7f3a.42")
    assert kept["X-Request-ID"] == "lb-7f3a.42"
    replaced = client.get("/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert replaced["X-Request-ID"] != "bad id\nwith newline" and len(replaced["X-Request-ID"]) == 32
    assert [r.request_id for r in _request_records(caplog)] == ["lb-7f3a.42", replaced["X-Request-ID"]]


@pytest.mark.django_db
def test_requests_over_the_threshold_get_a_slow_request_warning(client, caplog, settings):
    caplog.set_level(logging.INFO)
    settings.SLOW_REQUEST_MS = 10_000
    client.get("/")
    assert not [r for r in caplog.records if r.name == "prepnexus.request.slow"]
    settings.SLOW_REQUEST_MS = 0
    client.get("/")
    (slow,) = [r for r in caplog.records if r.name == "prepnexus.request.slow"]
    assert slow.levelname == "WARNING" and slow.route == "home" and slow.threshold_ms == 0


def test_sql_debug_logs_every_query_with_its_duration():
    env = {**__import__("os").environ, "SQL_DEBUG": "on", "LOG_LEVEL": "INFO"}
    out = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.db import connection\nwith connection.cursor() as c: c.execute('SELECT 42')",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    queries = [
        line for line in lines if line["logger"] == "django.db.backends" and "SELECT 42" in line["msg"]
    ]
    assert queries and "duration" in queries[0]


@pytest.mark.django_db
def test_performance_report_counts_requests_errors_latency_queries_and_cache_per_route(client, settings):
    settings.MONITORING_TOKEN = "perf-token-0123456789abcdef"
    for _ in range(3):
        client.get("/")
    client.get("/no-such-page/")
    client.force_login(make_user(is_staff=True))
    client.get("/accounts/profile/")
    client.get("/accounts/profile/")
    body = client.get("/api/monitoring/performance").json()
    five = body["windows"]["5m"]["routes"]
    assert five["home"]["requests"] == 3 and five["home"]["errors_5xx"] == 0
    assert five["unmatched"]["requests"] == 1
    profile = five["profile"]
    assert profile["requests"] == 2
    assert profile["queries_per_request_p95"] >= 1
    assert profile["latency_ms"]["p50"] > 0 and profile["latency_ms"]["p99"] >= profile["latency_ms"]["p50"]
    # Session reads go through the cache (cached_db), so a signed-in page counts hits or misses.
    assert profile["cache_hit_ratio"] is not None
    assert body["windows"]["60m"]["routes"]["home"]["requests"] == 3
    assert len(body["series"]) == 60 and body["series"][-1]["requests"] >= 6


def test_percentiles_come_from_the_fixed_histogram():
    counts = [0] * (len(LATENCY_BUCKETS_MS) + 1)
    counts[2] = 90  # 10-25 ms
    counts[6] = 10  # 250-500 ms
    assert 10 <= percentile(counts, LATENCY_BUCKETS_MS, 0.5) <= 25
    assert 250 <= percentile(counts, LATENCY_BUCKETS_MS, 0.99) <= 500
    assert percentile([0] * len(counts), LATENCY_BUCKETS_MS, 0.5) is None


def test_server_errors_count_in_the_5xx_column():
    minute = {100: {"x:y": {"n": 4, "e": 1, "l1": 4, "q0": 4}}}
    report = performance_report(minute)
    assert report["windows"]["5m"]["routes"]["x:y"]["errors_5xx"] == 1


@pytest.mark.django_db
def test_a_redis_failure_never_fails_the_request(client, monkeypatch):
    def broken():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(metrics.store, "_client", broken)
    monkeypatch.setattr(metrics.store, "_skip_until", 0.0)
    assert client.get("/").status_code == 200
    metrics.store.flush()  # what the background thread does every second
    assert metrics.store._skip_until > 0  # the buffer is dropped and writing pauses for a few seconds
