"""Dashboard latency with a large history, under gunicorn, on a private PostgreSQL and Redis.

    .venv/bin/python bench/dashboard.py [--answers 1000000] [--learner-answers 10000] [--requests 400]

Builds the data with `python -m bench.generate_load_data` (COPY), logs in as the learner with the long
history, and times GET /dashboard/: with its cached body dropped before every request (the first view
after practising), then as a learner normally sees it (body cached until their progress changes),
sequentially and with 4 concurrent clients. The baseline in the same
run is GET /health/live (no database, no template), so the ratio shows what the dashboard itself costs.
Goal: dashboard p95 < 50 ms.
"""

import argparse
import concurrent.futures
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis as redis_client

from tests.harness.servers import Gunicorn, ThrowawayPostgres, ThrowawayRedis

LOGIN = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore
from practice.models import User
user = User.objects.get(username="load-learner")
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = "practice.backends.EmailOrUsernameBackend"
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s.create()
print(s.session_key)
"""


def timed_get(url: str, cookie: str) -> tuple[int, float]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        response.read()
        status = response.status
    return status, (time.perf_counter() - started) * 1000


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(url: str, cookie: str, n: int, concurrency: int, before=None) -> list[float]:
    if concurrency == 1:
        results = []
        for _ in range(n):
            if before:
                before()  # outside the timed request
            results.append(timed_get(url, cookie))
    else:
        with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
            results = list(pool.map(lambda _: timed_get(url, cookie), range(n)))
    bad = [s for s, _ in results if s != 200]
    if bad:
        raise SystemExit(f"{len(bad)} requests failed: {bad[:5]}")
    return [ms for _, ms in results]


def report(label: str, ms: list[float]) -> None:
    print(
        f"  {label:<34} n={len(ms):<4} p50 {pct(ms, 50):6.1f} ms  p95 {pct(ms, 95):6.1f} ms  "
        f"p99 {pct(ms, 99):6.1f} ms  mean {statistics.fmean(ms):6.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--learner-answers", type=int, default=10_000)
    parser.add_argument("--learners", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()

    pg = ThrowawayPostgres(extra_conf={"max_connections": 200, "shared_buffers": "256MB"}).start()
    redis = ThrowawayRedis().start()
    server = None
    try:
        env = {
            "DATABASE_URL": pg.create_database("prepnexus_bench"),
            "REDIS_URL": redis.url,
            "CACHE_KEY_PREFIX": "bench",
            "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "DB_POOL_SIZE": "2",
            "DB_MAX_OVERFLOW": "2",
            "LOG_LEVEL": "WARNING",
            "GUNICORN_LOG_LEVEL": "warning",
        }
        server = Gunicorn(env, workers=2, threads=4)
        server.manage("migrate", "--noinput")
        server.manage("collectstatic", "--noinput", "-v", "0")
        started = time.monotonic()
        out = server.python(
            "-m",
            "bench.generate_load_data",
            f"--answers={args.answers}",
            f"--learner-answers={args.learner_answers}",
            f"--learners={args.learners}",
        )
        print(out.stdout.strip().splitlines()[-2])
        print(f"generate_load_data: {time.monotonic() - started:.1f} s")
        cookie = "sessionid=" + server.manage("shell", "-c", LOGIN).stdout.strip().splitlines()[-1]
        server.start()
        base = server.base_url
        run(base + "/dashboard/", cookie, 30, 1)  # warm up workers, pools and caches
        run(base + "/health/live", cookie, 30, 1)
        print(
            f"\nDashboard of a learner with {args.learner_answers:,} of {args.answers:,} answers "
            "(gunicorn, 2 workers x 4 threads):"
        )
        baseline = run(base + "/health/live", cookie, args.requests, 1)
        store = redis_client.Redis.from_url(redis.url)

        def forget_body():
            for key in store.scan_iter("bench:*learning:dashboard:*"):
                store.delete(key)

        cold = run(base + "/dashboard/", cookie, args.requests, 1, before=forget_body)
        dash = run(base + "/dashboard/", cookie, args.requests, 1)
        dash4 = run(base + "/dashboard/", cookie, args.requests, 4)
        report("baseline GET /health/live", baseline)
        report("GET /dashboard/ uncached body", cold)
        report("GET /dashboard/ (1 client)", dash)
        report("GET /dashboard/ (4 concurrent clients)", dash4)
        print(
            f"  dashboard p95 / baseline p95: {pct(dash, 95) / pct(baseline, 95):.1f}x "
            f"(uncached body: {pct(cold, 95) / pct(baseline, 95):.1f}x); "
            f"goal p95 < 50 ms: {'met' if pct(dash, 95) < 50 else 'MISSED'}"
            f" (uncached body: {'met' if pct(cold, 95) < 50 else 'missed'})"
        )
        return 0 if pct(dash, 95) < 50 else 1
    finally:
        if server:
            server.stop()
        redis.stop()
        pg.destroy()


if __name__ == "__main__":
    sys.exit(main())
