"""Test-day login storm: N learners log in within W seconds, once per password hasher, in one run.

    .venv/bin/python bench/login_storm.py [--learners 3000] [--window 300] [--scale 1.0]
                                          [--hashers pbkdf2,argon2id,upgrade] [--clients 64]
                                          [--workers 2] [--threads 4]

Starts its own PostgreSQL and Redis, migrates, creates the learners (bench/users.py) and, per phase,
gives them all one shared hash made with that phase's hasher, then serves the app with gunicorn and
lets the learners arrive at evenly spread, seeded-random moments in `window * scale` seconds (open
loop: a learner arrives when their moment comes, whether or not earlier ones are in yet). Each learner
GETs the login page and POSTs the login form, as a browser does. Phases:

- `pbkdf2`: the app as before the switch (bench/settings_pbkdf2.py: Django's default PBKDF2,
  1,000,000 iterations, preferred), learners with PBKDF2 hashes;
- `argon2id`: the app as it is (Argon2id, m=19 MiB, t=2, p=1, preferred), learners with Argon2id hashes;
- `upgrade`: the first test day after the switch: the app as it is, learners still holding PBKDF2
  hashes, so every login verifies PBKDF2 and writes the new Argon2id hash.

Per phase it prints the time from the first arrival to the last learner in, login latency p50/p95/p99
(from the learner's arrival, so waiting for a free connection counts) and of the POST alone, errors, and
the CPU ms per login of the app (gunicorn workers) and of PostgreSQL, from their process times; then the
ratio of each phase's CPU per login to PBKDF2's. `--scale 0.1` shortens the window for a development run
(the arrival rate stays N / (W * scale)). The login rate limits are raised for the run: every learner
comes from 127.0.0.1, as a school behind one address would without TRUSTED_PROXY_IPS.
Results go to bench/results/login-storm-<UTC time>.json.
"""

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.users import PASSWORD, username  # noqa: E402
from tests.harness.servers import Gunicorn, ThrowawayPostgres, ThrowawayRedis  # noqa: E402

RESULTS = ROOT / "bench" / "results"
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
CLK_TCK = os.sysconf("SC_CLK_TCK")
PHASES = {
    # name: (settings module of the app, hasher of the learners' stored hashes)
    "pbkdf2": ("bench.settings_pbkdf2", "django.contrib.auth.hashers.PBKDF2PasswordHasher"),
    "argon2id": ("prepnexus.settings", "prepnexus.hashers.Argon2idPasswordHasher"),
    "upgrade": ("prepnexus.settings", "django.contrib.auth.hashers.PBKDF2PasswordHasher"),
}


class Browser:
    """One learner's browser: a keep-alive connection and its cookies."""

    def __init__(self, port: int, timeout: float = 120):
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.resent = 0  # requests sent again on a new connection after the server closed the old one

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        """Send one request (reconnecting once if the server closed an idle connection); return
        (status, body, location). Raises OSError or HTTPException when the server cannot be reached."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        for again in (True, False):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                if not again:
                    raise
                self.resent += 1
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, data, urllib.parse.urlsplit(response.getheader("Location", "")).path

    def form(self, path: str, fields: dict, token: str):
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def login(self, learner: int) -> tuple[bool, float, str]:
        """GET the login page, POST the form; return (logged in, seconds of the POST, error)."""
        status, page, _ = self.request("GET", "/accounts/login/")
        token = CSRF_INPUT.search(page)
        if status != 200 or not token:
            return False, 0.0, f"login page {status}"
        started = time.perf_counter()
        status, _, location = self.form(
            "/accounts/login/", {"username": username(learner), "password": PASSWORD}, token[1].decode()
        )
        seconds = time.perf_counter() - started
        if status != 302 or location.startswith("/accounts/login"):
            return False, seconds, f"login POST {status}"
        return True, seconds, ""

    def close(self) -> None:
        self.conn.close()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values)) - 1))] if values else 0.0


def process_tree_cpu(root_pid: int) -> float:
    """CPU seconds of a process and its live descendants, plus what its reaped children used."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            stats[int(entry)] = fields
            children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0.0, [root_pid]
    while todo:
        pid = todo.pop()
        if pid in stats:
            f = stats[pid]
            total += sum(int(x) for x in f[11:15]) / CLK_TCK  # utime stime cutime cstime
        todo.extend(children.get(pid, []))
    return total


def postmaster_pid(pg: ThrowawayPostgres) -> int:
    return int(Path(pg.data, "postmaster.pid").read_text().split()[0])


def stored_hash(env: dict, hasher: str) -> str:
    """One hash of the bench password made by `hasher` (a child process with the project's settings)."""
    code = (
        "import django; django.setup()\n"
        "from django.contrib.auth.hashers import make_password\n"
        "from django.utils.module_loading import import_string\n"
        f"print(make_password({PASSWORD!r}, hasher=import_string({hasher!r})()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def base_env(pg: ThrowawayPostgres, redis: ThrowawayRedis, threads: int) -> dict:
    return {
        "DATABASE_URL": pg.create_database("prepnexus"),
        "REDIS_URL": redis.url,
        "CACHE_KEY_PREFIX": "bench",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DJANGO_SETTINGS_MODULE": "prepnexus.settings",
        "PREPNEXUS_TEST_SETTINGS": "on",
        "DB_POOL_SIZE": "2",
        "DB_MAX_OVERFLOW": str(max(0, threads - 2)),
        "LOG_LEVEL": "WARNING",
        # One client address for the whole school: the per-address login limits would refuse the storm.
        "RATELIMIT_LOGIN": "10000000/300",
        "RATELIMIT_LOGIN_FAILURES": "10000000/900",
        "RATELIMIT_ANSWER": "100000/60",
    }


def prepare(env: dict, learners: int) -> None:
    app = Gunicorn(env)  # for its runners only
    app.manage("migrate", "--noinput")
    app.manage("collectstatic", "--noinput", "-v", "0")
    subprocess.run(
        [sys.executable, str(ROOT / "bench/users.py"), "--count", str(learners)],
        env={**os.environ, **env},
        check=True,
        stdout=subprocess.DEVNULL,
    )


def storm(port: int, learners: list[int], window: float, clients: int, seed: int) -> dict:
    """Each learner arrives at a seeded-random moment in `window`; `clients` threads serve the arrivals."""
    rng = random.Random(seed)
    arrivals = sorted(rng.uniform(0, window) for _ in learners)
    queue = list(zip(arrivals, learners, strict=True))
    lock = threading.Lock()
    latencies, posts, errors, done_at = [], [], {}, []
    t0 = time.monotonic() + 0.5

    def work():
        while True:
            with lock:
                if not queue:
                    return
                at, learner = queue.pop(0)
            delay = t0 + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            browser = Browser(port)
            try:
                ok, post_seconds, error = browser.login(learner)
            except (OSError, http.client.HTTPException) as exc:
                ok, post_seconds, error = False, 0.0, type(exc).__name__
            finally:
                browser.close()
            finished = time.monotonic()
            with lock:
                if ok:
                    latencies.append(finished - (t0 + at))
                    posts.append(post_seconds)
                    done_at.append(finished - t0)
                else:
                    errors[error] = errors.get(error, 0) + 1

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ms = lambda values, p: round(pct(values, p) * 1000, 1)  # noqa: E731
    return {
        "logged_in": len(latencies),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "window_s": round(window, 1),
        "all_in_s": round(max(done_at), 1) if done_at else None,
        "login_p50_ms": ms(latencies, 50),
        "login_p95_ms": ms(latencies, 95),
        "login_p99_ms": ms(latencies, 99),
        "post_p50_ms": ms(posts, 50),
        "post_p95_ms": ms(posts, 95),
        "post_p99_ms": ms(posts, 99),
    }


def run_phase(name: str, env: dict, pg: ThrowawayPostgres, args, learners: list[int]) -> dict:
    settings_module, hasher = PHASES[name]
    app_env = {**env, "DJANGO_SETTINGS_MODULE": settings_module}
    encoded = stored_hash(app_env, hasher)
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        conn.execute("UPDATE practice_user SET password = %s WHERE username LIKE 'load-user%%'", [encoded])
        conn.execute("DELETE FROM django_session")
    app = Gunicorn(app_env, workers=args.workers, threads=args.threads).start("/health/ready")
    try:
        app_cpu, db_cpu = process_tree_cpu(app.proc.pid), process_tree_cpu(postmaster_pid(pg))
        print(
            f"==> {name}: {len(learners):,} learners in {args.window * args.scale:.0f} s ({encoded[:40]}...)"
        )
        result = storm(app.port, learners, args.window * args.scale, args.clients, args.seed)
        app_cpu = process_tree_cpu(app.proc.pid) - app_cpu
        db_cpu = process_tree_cpu(postmaster_pid(pg)) - db_cpu
    finally:
        app.stop()
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        kinds = dict(
            conn.execute(
                "SELECT split_part(password, '$', 1), count(*) FROM practice_user "
                "WHERE username LIKE 'load-user%%' GROUP BY 1"
            ).fetchall()
        )
    logins = max(1, result["logged_in"])
    return {
        **result,
        "settings": settings_module,
        "stored_hash": encoded.rsplit("$", 2)[0],
        "hashes_after": kinds,
        "app_cpu_ms_per_login": round(app_cpu * 1000 / logins, 1),
        "db_cpu_ms_per_login": round(db_cpu * 1000 / logins, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=3000)
    parser.add_argument("--window", type=float, default=300, help="seconds in which the learners arrive")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies the window (0.1: a dev run)")
    parser.add_argument(
        "--hashers", default="pbkdf2,argon2id,upgrade", help=f"phases, of {', '.join(PHASES)}"
    )
    parser.add_argument("--clients", type=int, default=64, help="load generator threads")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    phases = [p.strip() for p in args.hashers.split(",") if p.strip()]
    if unknown := set(phases) - set(PHASES):
        parser.error(f"unknown phase(s): {', '.join(sorted(unknown))}")

    pg = ThrowawayPostgres(extra_conf={"max_connections": 100}).start()
    redis = ThrowawayRedis().start()
    try:
        env = base_env(pg, redis, args.threads)
        started = time.monotonic()
        prepare(env, args.learners)
        print(f"==> {args.learners:,} learners ready ({time.monotonic() - started:.0f} s)")
        load_at_start = os.getloadavg()[0]
        results = {name: run_phase(name, env, pg, args, list(range(args.learners))) for name in phases}
        load_at_end = os.getloadavg()[0]
    finally:
        redis.stop()
        pg.destroy()

    base = results.get("pbkdf2")
    print(
        f"\nLogin storm: {args.learners:,} learners arriving in {args.window * args.scale:.0f} s "
        f"({args.learners / (args.window * args.scale):.1f}/s), gunicorn {args.workers}w x {args.threads}t, "
        f"{os.cpu_count()} cores, load average {load_at_start:.1f} -> {load_at_end:.1f}"
    )
    print(
        f"{'phase':10} {'in':>6} {'err':>4} {'all in':>8} {'p50':>9} {'p95':>9} {'p99':>9} "
        f"{'POST p95':>9} {'app CPU/login':>14} {'PG CPU/login':>13} {'CPU vs pbkdf2':>13}"
    )
    for name, r in results.items():
        ratio = (
            f"{r['app_cpu_ms_per_login'] / base['app_cpu_ms_per_login']:.2f}x"
            if base and base["app_cpu_ms_per_login"]
            else "-"
        )
        r["app_cpu_vs_pbkdf2"] = ratio
        print(
            f"{name:10} {r['logged_in']:>6} {r['errors']:>4} {r['all_in_s'] or 0:>6.1f} s "
            f"{r['login_p50_ms']:>6.0f} ms {r['login_p95_ms']:>6.0f} ms {r['login_p99_ms']:>6.0f} ms "
            f"{r['post_p95_ms']:>6.0f} ms {r['app_cpu_ms_per_login']:>11.1f} ms "
            f"{r['db_cpu_ms_per_login']:>10.1f} ms {ratio:>13}"
        )
        print(f"{'':10} stored hashes afterwards: {r['hashes_after']}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"login-storm-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    out.write_text(
        json.dumps(
            {
                "bench": "login-storm",
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {
                    "cpus": os.cpu_count(),
                    "loadavg_1m": [round(load_at_start, 2), round(load_at_end, 2)],
                },
                "config": vars(args),
                "phases": results,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"==> results: {out.relative_to(ROOT)}")
    return 0 if all(r["errors"] == 0 for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
