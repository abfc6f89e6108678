"""A crash mid-test: learners sit the full test while a gunicorn worker is SIGKILLed and PostgreSQL restarts.

    .venv/bin/python bench/testday_crash.py [--learners 40] [--seconds 120] [--think 2.0] [--ramp 10]
                                            [--kill-at 0.3] [--pg-restart-at 0.6] [--workers 2] [--threads 4]

Starts its own PostgreSQL and Redis, migrates, loads the demo question bank and its published test forms
(`manage.py seed_demo --no-accounts`), creates the learners (bench/users.py) and serves the app with
gunicorn. Every learner logs in, starts the full test and works through Reading and Writing module 1 as
the page does (static/js/fulltest.js): GET the question, think (`--think` seconds on average, seeded),
save the item's state as JSON (`given`, `flagged`, `eliminated`, `seq` = the learner's clock in ms, the
CSRF token in `X-CSRFToken`); a quarter of the time they change their mind and save again with a newer
seq; then the next question, round the module again. A save that fails (no connection, a 5xx) is retried
with the same body and seq after 1 s, 2 s, 4 s ... up to 15 s, as the page does; a page GET that fails is
reloaded after 1 s (a learner pressing reload), up to 5 times. A request whose keep-alive connection
the server closed (a killed worker's) is sent again once on a new connection, as browsers do; the
report counts those.

The learners arrive over `--ramp` seconds; the run's `--seconds` count from then. At `--kill-at` of
the run one gunicorn worker gets SIGKILL (gunicorn starts a new one); at
`--pg-restart-at` PostgreSQL is restarted fast (`pg_ctl stop -m fast`, then start), through the harness.

It reports what learners saw: saves acknowledged, saves that needed retries, saves given up on (the goal:
none), page loads that needed a reload and ones that failed for good. Then the database check: every
acknowledged save is stored exactly once (one practice_testresponse row per module and position) with
the value and seq last acknowledged; rows changed without an acknowledgement (a save that landed but
whose answer was lost, later superseded by its retry, is the same value). And the clock: every module's
deadline is unchanged from before the crash, and the seconds-left each page showed agree with the first
page's (within 2 s: whole seconds and the request's own time). Exits 1 on any lost or wrong save, a moved
deadline or a clock jump. Results go to bench/results/testday-crash-<UTC time>.json.
"""

import argparse
import http.client
import json
import os
import random
import re
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.login_storm import CSRF_INPUT, Browser, base_env, pct, prepare  # noqa: E402
from tests.harness.servers import Gunicorn, ThrowawayPostgres, ThrowawayRedis  # noqa: E402

RESULTS = ROOT / "bench" / "results"
QUESTION_PATH = re.compile(r"^/full-test/(\d+)/(rw1)/(\d+)/$")
SAVE_URL = re.compile(rb'data-save-url="([^"]+)"')
COUNT = re.compile(rb'data-count="(\d+)"')
SECONDS_LEFT = re.compile(rb'data-seconds-left="(-?\d+)"')
OPTION = re.compile(rb'type="radio" name="given" id="option-([A-D])"')
CLOCK_TOLERANCE = 2.0


class Learner(threading.Thread):
    def __init__(self, n: int, port: int, deadline: float, think: float, report: "Report"):
        super().__init__(daemon=True)
        self.n, self.port, self.deadline, self.think, self.report = n, port, deadline, think, report
        self.rng = random.Random(n)
        self.browser = Browser(port, timeout=60)
        self.attempt = 0
        self.last_seq = 0
        self.acked: dict[int, tuple[str, int]] = {}  # position -> (given, seq) last acknowledged
        self.first_end: float | None = None  # monotonic moment the first page said the module ends

    def next_seq(self) -> int:
        self.last_seq = max(int(time.time() * 1000), self.last_seq + 1)
        return self.last_seq

    def get(self, path: str):
        """A page load; reloaded after 1 s when it fails, up to 5 times (what a learner would do)."""
        for reload in range(6):
            started = time.perf_counter()
            try:
                status, body, location = self.browser.request("GET", path)
            except (OSError, http.client.HTTPException) as exc:
                status, body, location = 0, b"", type(exc).__name__
            self.report.latency("question" if "/rw1/" in path else "page", time.perf_counter() - started)
            if status == 200 or (status == 302 and location):
                if reload:
                    self.report.count("page loads that needed a reload")
                return status, body, location
            self.report.count(f"page load failed ({status or location})")
            time.sleep(1)
        self.report.count("page loads failed for good")
        return 0, b"", ""

    def save(self, url: str, token: str, body: dict) -> bool:
        """POST the item's state; retry the same body with backoff as fulltest.js does. True when acked."""
        payload = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token}
        delay, retries, waited = 1.0, 0, 0.0
        while True:
            started = time.perf_counter()
            try:
                status, data, _ = self.browser.request("POST", url, payload, headers)
            except (OSError, http.client.HTTPException):
                status, data = 0, b""
            self.report.latency("save", time.perf_counter() - started)
            if status == 200:
                self.report.count("saves acknowledged")
                if retries:
                    self.report.count("saves acknowledged after a retry")
                return True
            if status in (409, 422, 403, 404):  # the page shows these; they are not retried
                self.report.count(f"saves refused ({status}: {data[:80]!r})")
                return False
            self.report.count(f"save attempts failed ({status or 'no connection'})")
            if time.monotonic() + delay > self.deadline + 120 or waited > 120:
                self.report.count("saves given up (seen by the learner)")
                return False
            time.sleep(delay)
            waited += delay
            retries += 1
            delay = min(delay * 2, 15.0)

    def run(self):
        try:
            self.sit()
        except Exception as exc:  # reported, never hidden
            self.report.count(f"learner crashed: {type(exc).__name__}: {exc}")

    def sit(self):
        if not self.browser.login(self.n)[0]:
            self.report.count("logins failed")
            return
        _, page, _ = self.get("/full-test/")
        token = CSRF_INPUT.search(page)
        status, _, location = self.browser.form("/full-test/start/", {}, token[1].decode() if token else "")
        match = QUESTION_PATH.match(location)
        if status != 302 or not match:
            self.report.count(f"test start failed ({status} -> {location})")
            return
        self.attempt = int(match[1])
        position = 1
        while time.monotonic() < self.deadline:
            path = f"/full-test/{self.attempt}/rw1/{position}/"
            status, page, _ = self.get(path)
            if status != 200:
                break
            ends = time.monotonic() + int(SECONDS_LEFT.search(page)[1])
            self.report.clock(self, ends)
            count = int(COUNT.search(page)[1])
            url, token = SAVE_URL.search(page)[1].decode(), CSRF_INPUT.search(page)[1].decode()
            options = [m.decode() for m in OPTION.findall(page)] or ["A", "B", "C", "D"]
            for _ in range(2 if self.rng.random() < 0.25 else 1):  # sometimes they change their mind
                time.sleep(self.rng.expovariate(1 / self.think))
                body = {
                    "given": self.rng.choice(options),
                    "flagged": self.rng.random() < 0.1,
                    "eliminated": "",
                    "seq": self.next_seq(),
                }
                if self.save(url, token, body):
                    self.acked[position] = (body["given"], body["seq"])
            position = position % count + 1
        self.browser.close()
        for _ in range(self.browser.resent):  # mostly idle keep-alive connections gunicorn closed after 5 s
            self.report.count("requests re-sent on a new connection (the server had closed the old one)")


class Report:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts: dict[str, int] = {}
        self.latencies: dict[str, list[float]] = {}
        self.max_clock_jump = 0.0
        self.clock_readings = 0

    def count(self, what: str) -> None:
        with self.lock:
            self.counts[what] = self.counts.get(what, 0) + 1

    def latency(self, route: str, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(route, []).append(seconds)

    def clock(self, learner: Learner, ends: float) -> None:
        with self.lock:
            self.clock_readings += 1
            if learner.first_end is None:
                learner.first_end = ends
            self.max_clock_jump = max(self.max_clock_jump, abs(ends - learner.first_end))


def gunicorn_workers(master: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if ppid == master:
                out.append(int(entry))
    return sorted(out)


def check_database(database_url: str, learners: list[Learner], deadlines_before: dict) -> dict:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            """SELECT m.attempt_id, r.position, r.given, r.seq,
                      count(*) OVER (PARTITION BY r.module_attempt_id, r.position)
                 FROM practice_testresponse r JOIN practice_testmoduleattempt m ON m.id = r.module_attempt_id
                WHERE m.phase = 'rw1'"""
        ).fetchall()
        deadlines_after = dict(conn.execute("SELECT id, deadline FROM practice_testmoduleattempt").fetchall())
        closed = conn.execute(
            "SELECT count(*) FROM practice_testmoduleattempt WHERE closed_at IS NOT NULL"
        ).fetchone()[0]
    stored = {(a, p): (g, s, c) for a, p, g, s, c in rows}
    acked = sum(len(learner.acked) for learner in learners)
    missing = wrong = doubled = 0
    for learner in learners:
        for position, (given, seq) in learner.acked.items():
            row = stored.get((learner.attempt, position))
            if row is None:
                missing += 1
            elif (row[0], row[1]) != (given, seq):
                wrong += 1
            if row and row[2] != 1:
                doubled += 1
    by_learner = {learner.attempt: learner.acked for learner in learners if learner.attempt}
    unacked = sum(
        1
        for (attempt, position), (_, seq, _) in stored.items()
        if attempt in by_learner and seq > 0 and position not in by_learner[attempt]
    )
    moved = sum(1 for pk, deadline in deadlines_before.items() if deadlines_after.get(pk) != deadline)
    return {
        "acknowledged_items": acked,
        "missing": missing,
        "wrong_value_or_seq": wrong,
        "doubled": doubled,
        "stored_without_acknowledgement": unacked,
        "modules": len(deadlines_before),
        "deadlines_moved": moved,
        "modules_closed": closed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=120, help="length of the run")
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds before each save")
    parser.add_argument("--ramp", type=float, default=10, help="seconds over which the learners arrive")
    parser.add_argument("--kill-at", type=float, default=0.3, help="fraction of the run: SIGKILL a worker")
    parser.add_argument("--pg-restart-at", type=float, default=0.6, help="fraction of the run: restart PG")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    pg = ThrowawayPostgres(extra_conf={"max_connections": 100}).start()
    redis = ThrowawayRedis().start()
    app = None
    try:
        env = base_env(pg, redis, args.threads)
        prepare(env, args.learners)
        seeded = Gunicorn(env).manage("seed_demo", "--no-accounts").stdout.strip().splitlines()
        print("==> seed_demo --no-accounts: " + "; ".join(seeded[-3:]))
        app = Gunicorn(env, workers=args.workers, threads=args.threads).start("/health/ready")
        report = Report()
        deadline = time.monotonic() + args.ramp + args.seconds
        learners = [Learner(n, app.port, deadline, args.think, report) for n in range(args.learners)]
        for learner in learners:
            learner.start()
            time.sleep(args.ramp / len(learners))
        events = []
        settle = time.monotonic() + 60  # every learner has started their test (or failed to)
        while time.monotonic() < settle and any(not x.attempt and x.is_alive() for x in learners):
            time.sleep(0.5)
        with psycopg.connect(env["DATABASE_URL"]) as conn:
            deadlines_before = dict(
                conn.execute("SELECT id, deadline FROM practice_testmoduleattempt").fetchall()
            )
        kill_at, restart_at = (
            deadline - args.seconds * (1 - args.kill_at),
            deadline - args.seconds * (1 - args.pg_restart_at),
        )
        time.sleep(max(0.0, kill_at - time.monotonic()))
        workers = gunicorn_workers(app.proc.pid)
        os.kill(workers[0], signal.SIGKILL)
        events.append(
            f"SIGKILL gunicorn worker {workers[0]} of {len(workers)} at {args.kill_at:.0%} of the run"
        )
        print(f"==> {events[-1]}")
        time.sleep(max(0.0, restart_at - time.monotonic()))
        down = time.monotonic()
        pg.stop("fast")
        pg.start()
        events.append(
            f"PostgreSQL restarted fast at {args.pg_restart_at:.0%} of the run: "
            f"down {time.monotonic() - down:.1f} s"
        )
        print(f"==> {events[-1]}")
        for learner in learners:
            learner.join(args.seconds + 300)
        database = check_database(env["DATABASE_URL"], learners, deadlines_before)
    finally:
        if app:
            app.stop()
        redis.stop()
        pg.destroy()

    latencies = {
        route: {
            "requests": len(v),
            "p50_ms": round(pct(v, 50) * 1000, 1),
            "p95_ms": round(pct(v, 95) * 1000, 1),
            "p99_ms": round(pct(v, 99) * 1000, 1),
        }
        for route, v in sorted(report.latencies.items())
    }
    given_up = report.counts.get("saves given up (seen by the learner)", 0)
    failed_pages = report.counts.get("page loads failed for good", 0)
    bad = (
        given_up
        + failed_pages
        + database["missing"]
        + database["wrong_value_or_seq"]
        + database["doubled"]
        + database["deadlines_moved"]
        + (report.max_clock_jump > CLOCK_TOLERANCE)
    )
    print(
        f"\nCrash mid-test: {args.learners} learners for {args.seconds:.0f} s, "
        f"gunicorn {args.workers}w x {args.threads}t"
    )
    for event in events:
        print(f"  event: {event}")
    for what, n in sorted(report.counts.items()):
        print(f"  {what}: {n}")
    for route, r in latencies.items():
        print(
            f"  {route:9} n={r['requests']:<6} p50 {r['p50_ms']:7.1f} ms  p95 {r['p95_ms']:7.1f} ms  "
            f"p99 {r['p99_ms']:7.1f} ms"
        )
    print(
        f"  database: {database['acknowledged_items']} acknowledged items; missing {database['missing']}, "
        f"wrong value or seq {database['wrong_value_or_seq']}, doubled {database['doubled']}, stored without "
        f"an acknowledgement {database['stored_without_acknowledgement']}"
    )
    print(
        f"  clock: {database['deadlines_moved']} of {database['modules']} module deadlines moved; "
        f"seconds-left on {report.clock_readings} pages within {report.max_clock_jump:.1f} s "
        "of each learner's first page "
        f"(tolerance {CLOCK_TOLERANCE:.0f} s); {database['modules_closed']} modules closed"
    )
    print(f"  errors seen by learners after the page's retry: {given_up + failed_pages}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"testday-crash-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    out.write_text(
        json.dumps(
            {
                "bench": "testday-crash",
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {"cpus": os.cpu_count(), "loadavg_1m": round(os.getloadavg()[0], 2)},
                "config": vars(args),
                "events": events,
                "seen": report.counts,
                "latencies": latencies,
                "database": database,
                "max_clock_jump_s": round(report.max_clock_jump, 2),
            },
            indent=2,
            default=str,
        )
        + "\n"
    )
    print(f"==> results: {out.relative_to(ROOT)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
