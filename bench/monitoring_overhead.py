"""What monitoring costs each request: the app under gunicorn with and without monitoring's middleware.

Runs its own PostgreSQL and Redis, then alternates rounds against two gunicorn servers (2 workers x 4
threads each): one with the normal settings (request log line, Prometheus series, one pipelined Redis
round trip per request, circuit breaker) and one with bench/settings_without_monitoring.py. Prints
requests per second and latency percentiles for each, and the ratio.

    .venv/bin/python bench/monitoring_overhead.py [--requests 1500] [--rounds 3]
"""

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness.servers import Gunicorn, ThrowawayPostgres, ThrowawayRedis  # noqa: E402

PATHS = ["/", "/accounts/login/"]


def _round(app: Gunicorn, count: int, threads: int) -> tuple[float, list[float]]:
    def one(i):
        status, _, _, seconds = app.get(PATHS[i % len(PATHS)])
        if status != 200:
            raise RuntimeError(f"status {status}")
        return seconds

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        latencies = list(pool.map(one, range(count)))
    return count / (time.perf_counter() - started), latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    postgres = ThrowawayPostgres().start()
    redis = ThrowawayRedis().start()
    env = {
        "DATABASE_URL": postgres.create_database("prepnexus"),
        "REDIS_URL": redis.url,
        "DB_POOL_SIZE": "1",
        "DB_MAX_OVERFLOW": "3",
        "DJANGO_SECRET_KEY": "bench-only-key-0123456789abcdefghijklmnopqrstuvwxyz-0123",
    }
    servers = {
        "with monitoring": Gunicorn(env),
        "without (baseline)": Gunicorn(
            {**env, "DJANGO_SETTINGS_MODULE": "bench.settings_without_monitoring"}
        ),
    }
    try:
        next(iter(servers.values())).manage("migrate", "--noinput")
        for server in servers.values():
            server.start()
            _round(server, 200, args.threads)  # warm up
        results = {name: {"rps": [], "lat": []} for name in servers}
        for _ in range(args.rounds):
            for name, server in servers.items():
                rps, latencies = _round(server, args.requests, args.threads)
                results[name]["rps"].append(rps)
                results[name]["lat"].extend(latencies)
        print(
            f"{args.rounds} rounds x {args.requests} requests, {args.threads} client threads, paths {PATHS}"
        )
        for name, result in results.items():
            lat = sorted(result["lat"])
            p50, p95 = lat[len(lat) // 2] * 1000, lat[int(len(lat) * 0.95)] * 1000
            print(
                f"  {name:<20} {statistics.median(result['rps']):8.1f} req/s (median of rounds)"
                f"   p50 {p50:6.2f} ms   p95 {p95:6.2f} ms"
            )
        base = statistics.median(results["without (baseline)"]["rps"])
        mon = statistics.median(results["with monitoring"]["rps"])
        print(f"  throughput with monitoring / baseline: {mon / base:.3f}")
    finally:
        for server in servers.values():
            server.stop()
        redis.destroy()
        postgres.destroy()


if __name__ == "__main__":
    main()
