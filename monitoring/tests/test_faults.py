"""Fault tests: the app under gunicorn with its own PostgreSQL and Redis, stopped and started mid-test."""

import json
import threading
import time
from pathlib import Path

import pytest

from .conftest import bearer, record_timings

pytestmark = pytest.mark.servers

PROFILE = "/accounts/profile/"


def _until(stack, path, headers, want, limit):
    """Poll until `want(status)`; return seconds taken (fails after `limit`)."""
    started = time.monotonic()
    while True:
        status = stack.get(path, headers=headers, timeout=5)[0]
        if want(status):
            return time.monotonic() - started
        assert time.monotonic() - started < limit, f"{path} still {status} after {limit}s"
        time.sleep(0.05)


def test_database_outage_gives_fast_branded_503s_and_recovers_without_restart(stack):
    s = stack()
    cookie = {"Cookie": s.session_cookie("learner")}
    assert s.get(PROFILE, cookie)[0] == 200
    assert s.get("/health/ready?format=json")[0] == 200

    s.postgres.stop()
    stopped = time.monotonic()
    answers = {
        "page": s.get(PROFILE, cookie),
        "api": s.get("/api/monitoring/database/health", bearer()),
    }
    # Health results are shared for 1 s per process, so a worker may repeat its last "ok" that long.
    health_polls = []
    while not health_polls or health_polls[-1][0] != 503:
        health_polls.append(s.get("/health/ready?format=json"))
        assert time.monotonic() - stopped < 2, "health still 200 two seconds into the outage"
    health_turned_503 = time.monotonic() - stopped
    assert max(poll[3] for poll in health_polls) < 1.0
    answers["health_ready"] = health_polls[-1]
    answers["health"] = s.get("/health/", {"Accept": "application/json"})
    for name, (status, headers, body, seconds) in answers.items():
        assert status == 503, (name, status, body[:300])
        assert headers["Retry-After"].isdigit(), name
        assert seconds < 1.0, f"{name} took {seconds:.3f}s to answer 503"
        assert b"Traceback" not in body
    assert b"Back shortly" in answers["page"][2]
    assert json.loads(answers["health_ready"][2])["checks"]["database"]["ok"] is False
    assert json.loads(answers["api"][2])["error"] == "database unavailable"
    # More requests while it stays down (both workers): still fast, nothing hangs.
    later = [s.get(PROFILE, cookie) for _ in range(10)]
    assert {answer[0] for answer in later} == {503}
    assert max(answer[3] for answer in later) < 1.0
    # Once a worker's breaker is open it answers every page with the 503, without trying PostgreSQL.
    home = [s.get("/") for _ in range(6)]
    assert {answer[0] for answer in home} == {503}
    assert all(b"Back shortly" in answer[2] for answer in home)
    # Liveness and metrics do not depend on PostgreSQL: no restart loop, scrapes keep working.
    assert s.get("/health/live")[0] == 200
    assert s.get("/metrics", bearer())[0] == 200
    time.sleep(max(0.0, 3 - (time.monotonic() - stopped)))

    s.postgres.start()
    recover_page = _until(s, PROFILE, cookie, lambda status: status == 200, 5)
    recover_health = _until(s, "/health/ready?format=json", {}, lambda status: status == 200, 5)
    # Both workers are back, not just the one that answered first.
    assert all(s.get(PROFILE, cookie)[0] == 200 for _ in range(10))
    log = Path(s.app.log.name).read_text()
    assert "Traceback" not in log
    assert '"level": "ERROR"' not in log
    record_timings(
        "database_outage",
        {
            "time_to_503_max_s": round(max(a[3] for a in [*answers.values(), *later]), 3),
            "time_to_503_first_page_s": round(answers["page"][3], 3),
            "time_to_503_health_s": round(answers["health_ready"][3], 3),
            "health_503_after_outage_began_s": round(health_turned_503, 3),
            "time_to_recover_page_s": round(recover_page, 3),
            "time_to_recover_health_s": round(recover_health, 3),
        },
    )


def test_fast_postgres_restart_under_steady_load_fails_at_most_one_request_in_a_thousand(stack):
    s = stack()
    cookie = {"Cookie": s.session_cookie("learner")}
    assert s.get(PROFILE, cookie)[0] == 200
    results: list[tuple[int, float, float]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client():
        while not stop.is_set():
            started = time.monotonic()
            status, _, _, seconds = s.get(PROFILE, cookie, timeout=10)
            with lock:
                results.append((status, seconds, started))

    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(4)
    restart_started = time.monotonic()
    s.postgres.stop("fast")
    s.postgres.start()
    restart_seconds = time.monotonic() - restart_started
    time.sleep(6)
    stop.set()
    for thread in threads:
        thread.join(15)
    failed = [status for status, _, _ in results if status != 200]
    rate = len(failed) / len(results)
    # When each failure started, relative to the restart, and how long it took: for diagnosis.
    failures = [(round(at - restart_started, 3), round(sec, 3)) for st, sec, at in results if st != 200]
    record_timings(
        "fast_restart_under_load",
        {
            "requests": len(results),
            "failed": len(failed),
            "failure_rate": round(rate, 5),
            "restart_s": round(restart_seconds, 3),
            "slowest_request_s": round(max(seconds for _, seconds, _ in results), 3),
            "failures_started_at_s_and_took_s": failures,
        },
    )
    assert len(results) >= 40, "too few requests to judge"
    # At most 0.1 %: below 1,000 requests that means none at all.
    assert len(failed) <= len(results) // 1000, f"{len(failed)} of {len(results)} failed: {set(failed)}"


def test_redis_outage_keeps_pages_2xx_and_nobody_logged_out(stack):
    s = stack()
    cookie = {"Cookie": s.session_cookie("learner")}
    status, _, body, _ = s.get(PROFILE, cookie)
    assert status == 200 and b"learner" in body
    s.redis.stop()
    started = time.monotonic()
    answers = [s.get(PROFILE, cookie) for _ in range(5)] + [s.get("/") for _ in range(5)]
    assert [a[0] for a in answers] == [200] * 10
    # Still signed in: the page is the profile form, not a redirect to the login page.
    assert all(b"learner" in a[2] and b'name="password"' not in a[2] for a in answers[:5])
    time.sleep(1.1)
    health = s.get("/health/ready?format=json")
    assert health[0] == 200 and json.loads(health[2])["status"] == "degraded"
    down = time.monotonic() - started
    s.redis.start()
    assert s.get(PROFILE, cookie)[0] == 200
    record_timings(
        "redis_outage",
        {
            "statuses": sorted({a[0] for a in answers}),
            "slowest_request_s": round(max(a[3] for a in answers), 3),
            "checked_for_s": round(down, 3),
        },
    )
