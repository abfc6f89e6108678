"""Figures summed over gunicorn workers, and health polls that cost the database nothing extra."""

import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families

from .conftest import bearer

pytestmark = pytest.mark.servers


def _served_by(log_path: str, route: str) -> set[int]:
    pids = set()
    for line in Path(log_path).read_text().splitlines():
        if line.startswith("{") and f'"route": "{route}"' in line:
            pids.add(json.loads(line)["pid"])
    return pids


def _fan_out(stack, path, count, threads=8):
    with ThreadPoolExecutor(threads) as pool:
        # Connection: close spreads the requests over the workers' accept loops.
        return list(pool.map(lambda _: stack.get(path, {"Connection": "close"})[0], range(count)))


def test_metrics_and_performance_sum_every_gunicorn_worker(stack):
    s = stack(workers=3, threads=2)
    statuses = _fan_out(s, "/", 120)
    assert statuses == [200] * 120
    assert len(_served_by(s.app.log.name, "home")) >= 2, "the requests did not reach several workers"

    status, headers, body, _ = s.get("/metrics", bearer())
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=")
    families = {family.name: family for family in text_string_to_metric_families(body.decode())}
    home = [
        sample
        for sample in families["prepnexus_http_requests"].samples
        if sample.name == "prepnexus_http_requests_total" and sample.labels["route"] == "home"
    ]
    assert sum(sample.value for sample in home) == 120
    latency = families["prepnexus_http_request_duration_seconds"].samples
    count = [x for x in latency if x.name.endswith("_count") and x.labels["route"] == "home"]
    assert sum(x.value for x in count) == 120
    assert "prepnexus_db_circuit_open" in families

    # Each worker writes its counts to Redis once a second.
    deadline = time.monotonic() + 5
    while True:
        perf = json.loads(s.get("/api/monitoring/performance", bearer())[2])
        counted = perf["windows"]["5m"]["routes"]["home"]["requests"]
        if counted == 120 or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    assert counted == 120
    assert perf["windows"]["60m"]["routes"]["home"]["requests"] == 120


def _pg_clients(stack) -> int:
    with psycopg.connect(stack.postgres.url(), autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
            "AND pid <> pg_backend_pid()"
        ).fetchone()[0]


def _redis_clients(stack) -> int:
    client = redis.Redis.from_url(stack.redis.url)
    try:
        return int(client.info("clients")["connected_clients"]) - 1  # not counting this one
    finally:
        client.close()


def test_a_thousand_health_polls_leave_database_and_redis_connections_flat(stack):
    s = stack(workers=2, threads=4)
    _fan_out(s, "/health/ready?format=json", 300, threads=4)  # warm every worker's pools
    before = (_pg_clients(s), _redis_clients(s))
    statuses = _fan_out(s, "/health/ready?format=json", 1000, threads=4)
    after = (_pg_clients(s), _redis_clients(s))
    assert statuses == [200] * 1000
    assert after[0] <= before[0], f"PostgreSQL clients grew from {before[0]} to {after[0]}"
    # Redis may gain one connection in all when a worker's once-a-second metrics flush happens to run
    # beside its request threads for the first time; polls themselves add none.
    assert after[1] <= before[1] + 1, f"Redis clients grew from {before[1]} to {after[1]}"
    # Shared results: far fewer database probes than polls (one per worker per second at most).
    log = Path(s.app.log.name).read_text()
    polls = len(re.findall(r'"route": "monitoring:health-ready"', log))
    assert polls >= 1000
    print(
        f"\n1,000 health polls: PostgreSQL clients {before[0]} -> {after[0]}, Redis {before[1]} -> {after[1]}"
    )


def test_health_polls_hit_the_database_about_once_a_second_per_worker(stack):
    s = stack(workers=1, threads=4)
    with psycopg.connect(s.postgres.url("prepnexus"), autocommit=True) as conn:

        def commits():
            return conn.execute(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = 'prepnexus'"
            ).fetchone()[0]

        start = commits()
        stop = threading.Event()
        threading.Timer(2.0, stop.set).start()
        polls = 0
        while not stop.is_set():
            assert s.get("/health/ready?format=json")[0] == 200
            polls += 1
        transactions = commits() - start
    # Each probe is a few transactions (SELECT 1, the migration check); 2 s of polling is ~2-3 probes.
    assert polls > 20
    assert transactions < polls, f"{transactions} transactions for {polls} polls"
