"""Mixed load: learners log in and browse; per-route throughput, p50/p95/p99 and errors, against a
bare-Django baseline (/health/live: the full middleware stack, no database) measured in the same run.

    .venv/bin/python bench/mixed.py [--learners 10000] [--vus 16] [--seconds 30] [--baseline-seconds 10]
                                    [--workers 2] [--threads 4]
                                    [--instances 2] [--pgbouncer] [--replica]

Starts its own PostgreSQL and Redis, migrates, generates the learners (bench/users.py), runs the app under
gunicorn (optionally several instances behind HAProxy, through PgBouncer, with a streaming replica:
the same helpers the scale-out tests use) and drives it with threads over keep-alive http.client
connections (no locust/wrk needed).
Results go to bench/results/mixed-<UTC time>.json; bench/README.md has the figures and what is pending.

Adding a route: append a Route to ROUTES. A route with a `probe` path runs only when that page exists
(GET answers something other than 404), so pages other branches are building join in once merged.
"""

import argparse
import contextlib
import dataclasses
import http.client
import importlib.metadata
import json
import os
import platform
import random
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.users import PASSWORD, username  # noqa: E402
from prepnexus.testing.servers import (  # noqa: E402
    Gunicorn,
    HAProxy,
    PgBouncer,
    ThrowawayPostgres,
    ThrowawayRedis,
)

RESULTS = ROOT / "bench" / "results"


class Visitor:
    """One browser: a keep-alive connection and its cookies."""

    def __init__(self, port: int, recorder: "Recorder"):
        self.port = port
        self.recorder = recorder
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def _send(self, method: str, path: str, body: str | None, headers: dict) -> tuple[int, bytes, list]:
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        return response.status, response.read(), response.headers.get_all("Set-Cookie") or []

    def request(self, route: str, method: str, path: str, form: dict | None = None, ok=(200,)) -> bytes:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            try:
                status, data, set_cookies = self._send(method, path, body, headers)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: reconnect once, as browsers do.
                self.conn.close()
                status, data, set_cookies = self._send(method, path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.recorder.record(route, time.perf_counter() - started, error=type(exc).__name__)
            return b""
        elapsed = time.perf_counter() - started
        for header in set_cookies:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value or morsel.value == '""':
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        self.recorder.record(route, elapsed, error=None if status in ok else f"HTTP {status}")
        return data


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {}
        self.errors: dict[str, dict[str, int]] = {}

    def record(self, route: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.setdefault(route, []).append(seconds)
            if error:
                by_kind = self.errors.setdefault(route, {})
                by_kind[error] = by_kind.get(error, 0) + 1

    def summary(self, seconds: float) -> dict:
        out = {}
        for route, values in sorted(self.latencies.items()):
            values = sorted(values)
            out[route] = {
                "requests": len(values),
                "rps": round(len(values) / seconds, 1),
                "p50_ms": round(_pct(values, 50) * 1000, 1),
                "p95_ms": round(_pct(values, 95) * 1000, 1),
                "p99_ms": round(_pct(values, 99) * 1000, 1),
                "errors": sum(self.errors.get(route, {}).values()),
                "error_kinds": self.errors.get(route, {}),
            }
        return out


def _pct(values: list[float], pct: float) -> float:
    return values[min(len(values) - 1, max(0, round(pct / 100 * len(values)) - 1))] if values else 0.0


@dataclasses.dataclass
class Route:
    name: str
    weight: int
    run: Callable[[Visitor], None]
    probe: str | None = None  # runs only when GET probe is not a 404


def _get(name: str, path: str) -> Callable[[Visitor], None]:
    return lambda v: v.request(name, "GET", path)


def _profile_save(v: Visitor) -> None:
    form = {"display_name": f"Bench {random.randrange(10**6)}", "target_score": "1400", "time_zone": "UTC"}
    v.request("profile-save", "POST", "/accounts/profile/", form, ok=(302,))


ROUTES = [
    Route("home", 15, _get("home", "/")),
    Route("profile", 15, _get("profile", "/accounts/profile/")),
    Route("profile-save", 5, _profile_save),
    # What the load balancer's probes add (database + migrations check, shared per process for 1 s).
    Route("health-ready", 2, _get("health-ready", "/health/ready")),
    # Pages other branches are building; they join the mix once they exist.
    Route("blog-list", 20, _get("blog-list", "/blog/"), probe="/blog/"),
    Route("practice-list", 20, _get("practice-list", "/practice/"), probe="/practice/"),
    Route("dashboard", 15, _get("dashboard", "/dashboard/"), probe="/dashboard/"),
]
# Not yet written: answering questions (start a session, GET an item, POST an answer) needs the practice
# pages' forms; add it here as Route("answer", 30, ...) once they are merged, plus 1M answers of data.
PENDING = ["practice answer POSTs (start session, item GET, answer POST)", "1M generated answers"]


def login(v: Visitor, learner: int) -> None:
    v.request("login-form", "GET", "/accounts/login/")
    v.request(
        "login", "POST", "/accounts/login/", {"username": username(learner), "password": PASSWORD}, ok=(302,)
    )


def learner_loop(v: Visitor, routes, learners, deadline, seed, visit=(20, 60)):
    """Browse as a logged-in learner; after each visit log out and log in as another learner.

    Logins cost a PBKDF2 hash each (about 0.3 s of CPU), so their share of the mix matters.
    """
    rng = random.Random(seed)
    weights = [r.weight for r in routes]
    while True:
        for _ in range(rng.randint(*visit)):
            if time.monotonic() >= deadline:
                v.conn.close()
                return
            rng.choices(routes, weights)[0].run(v)
        v.request("logout", "POST", "/accounts/logout/", {}, ok=(302,))
        v.conn.close()
        v = Visitor(v.port, v.recorder)
        login(v, rng.randint(1, learners))


def baseline_loop(port, recorder, deadline):
    v = Visitor(port, recorder)
    while time.monotonic() < deadline:
        v.request("bare-django", "GET", "/health/live")
    v.conn.close()


def run_threads(target: Callable[[int], None], count: int) -> float:
    """Run target(n) in `count` threads; return the wall time."""
    started = time.monotonic()
    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def machine(pg: ThrowawayPostgres) -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    versions = {
        name: importlib.metadata.version(name) for name in ("django", "gunicorn", "psycopg", "django-redis")
    }
    versions["python"] = platform.python_version()
    versions["postgresql"] = subprocess.run(
        [f"{pg.bindir}/postgres", "--version"], capture_output=True, text=True
    ).stdout.strip()
    versions["redis"] = subprocess.run(
        ["redis-server", "--version"], capture_output=True, text=True
    ).stdout.split()[2]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "os": platform.platform(),
        # Other work on the machine skews every figure; the load average says how much there was.
        "loadavg_1m_at_end": round(os.getloadavg()[0], 2),
        "versions": versions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Mixed-load benchmark (see the module docstring).")
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--vus", type=int, default=16, help="concurrent virtual learners")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--baseline-seconds", type=float, default=10)
    parser.add_argument("--visit-min", type=int, default=20, help="fewest page views per login")
    parser.add_argument("--visit-max", type=int, default=60, help="most page views per login")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--instances", type=int, default=1, help="app instances; 2+ puts HAProxy in front")
    parser.add_argument("--pgbouncer", action="store_true", help="app -> PgBouncer (transaction mode) -> PG")
    parser.add_argument("--replica", action="store_true", help="add a streaming replica for reads")
    args = parser.parse_args()

    pg = ThrowawayPostgres(extra_conf={"max_connections": 200, "shared_buffers": "256MB"}).start()
    redis = ThrowawayRedis().start()
    apps: list[Gunicorn] = []
    stoppable: list = []
    try:
        env = {
            "DATABASE_URL": pg.create_database("prepnexus"),
            "REDIS_URL": redis.url,
            "CACHE_KEY_PREFIX": "bench",
            "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "DB_POOL_SIZE": "2",
            "DB_MAX_OVERFLOW": str(max(0, args.threads - 2)),
            "LOG_LEVEL": "WARNING",
        }
        print("==> migrating a throwaway PostgreSQL")
        Gunicorn(env).manage("migrate", "--noinput")
        print(f"==> generating {args.learners} learners")
        subprocess.run(
            [sys.executable, str(ROOT / "bench/users.py"), "--count", str(args.learners)],
            env={**os.environ, **env},
            check=True,
            stdout=subprocess.DEVNULL,
        )
        app_env = dict(env)
        if args.replica:
            standby = pg.standby()
            stoppable.append(standby)
            standby.start()
            app_env["DATABASE_REPLICA_URLS"] = standby.url("prepnexus")
        if args.pgbouncer:
            bouncer = PgBouncer(pg, "prepnexus", pool_size=2 * (os.cpu_count() or 2))
            stoppable.append(bouncer)
            bouncer.start()
            app_env.update(DATABASE_URL=bouncer.url(), DATABASE_POOLER="pgbouncer")
        for _ in range(args.instances):
            apps.append(Gunicorn(app_env, workers=args.workers, threads=args.threads))
            apps[-1].start("/health/ready")
        port = apps[0].port
        if args.instances > 1:
            lb = HAProxy({f"app{n}": app.port for n, app in enumerate(apps, start=1)})
            stoppable.append(lb)
            lb.start().wait_all_up()
            port = lb.port
        topology = (
            f"{args.instances} x gunicorn {args.workers}w x {args.threads}t"
            + (" behind HAProxy" if args.instances > 1 else "")
            + (", PgBouncer" if args.pgbouncer else "")
            + (", 1 streaming replica" if args.replica else "")
        )
        print(f"==> topology: {topology}")
        routes = [r for r in ROUTES if r.probe is None or apps[0].get(r.probe)[0] != 404]
        skipped = [r.name for r in ROUTES if r not in routes]
        print(
            f"==> routes: {', '.join(r.name for r in routes)}; "
            f"not in this build yet: {', '.join(skipped) or '-'}"
        )

        load_at_start = round(os.getloadavg()[0], 2)
        base = Recorder()
        print(f"==> baseline: {args.vus} clients on /health/live for {args.baseline_seconds:.0f}s")
        deadline = time.monotonic() + args.baseline_seconds
        base_seconds = run_threads(lambda n: baseline_loop(port, base, deadline), args.vus)
        warmup, mixed = Recorder(), Recorder()
        visitors = [Visitor(port, warmup) for _ in range(args.vus)]
        print(f"==> warm-up: {args.vus} learners log in (measured apart)")
        run_threads(lambda n: login(visitors[n], random.Random(-n).randint(1, args.learners)), args.vus)
        for visitor in visitors:
            visitor.recorder = mixed
        print(f"==> mixed: {args.vus} learners for {args.seconds:.0f}s")
        deadline = time.monotonic() + args.seconds
        visit = (args.visit_min, args.visit_max)
        mixed_seconds = run_threads(
            lambda n: learner_loop(visitors[n], routes, args.learners, deadline, n, visit), args.vus
        )
        baseline = base.summary(base_seconds)["bare-django"]
        per_route = mixed.summary(mixed_seconds)
        for stats in per_route.values():
            stats["p50_vs_bare"] = (
                round(stats["p50_ms"] / baseline["p50_ms"], 1) if baseline["p50_ms"] else None
            )
        total = sum(s["requests"] for s in per_route.values())
        result = {
            "bench": "mixed",
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {**machine(pg), "loadavg_1m_at_start": load_at_start},
            "config": {**vars(args), "topology": topology},
            "baseline": baseline,
            "mixed": {
                "seconds": round(mixed_seconds, 1),
                "requests": total,
                "rps": round(total / mixed_seconds, 1),
                "errors": sum(s["errors"] for s in per_route.values()),
                "rps_vs_bare": round(total / mixed_seconds / baseline["rps"], 3),
            },
            "routes": per_route,
            "warmup_logins": {k: v for k, v in warmup.summary(1.0)["login"].items() if k != "rps"},
            "routes_not_in_this_build": skipped,
            "pending": PENDING,
        }
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / f"mixed-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
        out.write_text(json.dumps(result, indent=2) + "\n")
        print_table(result)
        print(f"==> results: {out.relative_to(ROOT)}")
    finally:
        for server in [*apps, *reversed(stoppable)]:
            with contextlib.suppress(Exception):
                getattr(server, "destroy", server.stop)()
        redis.stop()
        pg.destroy()


def print_table(result: dict) -> None:
    b = result["baseline"]
    load = (result["machine"]["loadavg_1m_at_start"], result["machine"]["loadavg_1m_at_end"])
    print(f"\n{result['config']['topology']}")
    print(f"{result['machine']['cores']} cores, load average {load[0]} at start, {load[1]} at end")
    print(f"bare Django (/health/live): {b['rps']} req/s, p50 {b['p50_ms']} ms, p99 {b['p99_ms']} ms")
    m = result["mixed"]
    print(
        f"mixed: {m['requests']} requests, {m['rps']} req/s "
        f"({m['rps_vs_bare']:.1%} of bare), {m['errors']} errors"
    )
    print(
        f"{'route':<16}{'req':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'err':>5}{'p50/bare':>10}"
    )
    for name, s in result["routes"].items():
        print(
            f"{name:<16}{s['requests']:>7}{s['rps']:>8}{s['p50_ms']:>9}{s['p95_ms']:>9}{s['p99_ms']:>9}"
            f"{s['errors']:>5}{s['p50_vs_bare']:>10}"
        )


if __name__ == "__main__":
    main()
