"""Test day: a school sits the full-length adaptive test at once; find how many test-takers one machine
carries with p95 <= 300 ms on every test page, 0 errors and 0 lost answers.

    .venv/bin/python -m bench.testday.run [--steps 500,1000,2000,3000,5000] [--step-seconds 120]
        [--ramp-seconds 60] [--time-scale 10] [--seed 1] [--workers 2 --threads 4] [--teachers 5]

Starts its own PostgreSQL (tuned for a 2-core machine, see PG_TUNING), Redis and gunicorn; builds the data
(bench/testday/data.py); then runs Locust headless (bench/testday/locustfile.py) three times:

1. `baseline`: closed-loop clients on /health/live (bare Django), for CPU per bare request;
2. `saves`: closed-loop learners saving answers with no think time, for CPU per answer-save;
3. `steps`: for each step, learners log in during the ramp window, start the test and sit it at the real
   pacing divided by --time-scale, while a few teachers refresh their class overview; then the steady
   window, whose figures decide the step.

A background worker (`manage.py run_worker`, at nice 10 as production runs it beside the app) records
each closed module's answers for the learning engine; after the steps the bench waits for it to drain the
queue and checks every closed module was recorded once. Afterwards it checks every acknowledged save
against practice_testresponse. Results go to
bench/results/testday-<UTC time>.json; bench/README.md explains them.
"""

import argparse
import contextlib
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.testday import data  # noqa: E402
from bench.testday.pacing import requests_per_second  # noqa: E402
from tests.harness.servers import Gunicorn, ThrowawayPostgres, ThrowawayRedis  # noqa: E402

RESULTS = ROOT / "bench" / "results"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
P95_LIMIT_MS = 300
# The pages of the test itself: the capacity asks p95 <= 300 ms of these. Logins (a password hash each)
# and the teacher's overview are reported, and must be error-free, but their latency is judged apart.
TEST_ROUTES = ("dashboard", "test-list", "start", "question", "save", "review", "submit")
TEST_ROUTES += ("break", "break-end", "report", "resume")
# PostgreSQL for one 2-core machine that also runs the app, Redis and the load generator (24 GB RAM here;
# sized as for a 4 GB tier-1 box so the figures carry over). Durability stays on (fsync, synchronous
# commit): a test day must not lose acknowledged answers.
PG_TUNING = {
    "max_connections": 100,
    "shared_buffers": "1GB",
    "effective_cache_size": "3GB",
    "work_mem": "8MB",
    "maintenance_work_mem": "256MB",
    "wal_buffers": "16MB",
    "checkpoint_timeout": "15min",
    "max_wal_size": "2GB",
    "random_page_cost": "1.1",
    "effective_io_concurrency": 200,
    "max_worker_processes": 2,
    "max_parallel_workers": 2,
    "max_parallel_workers_per_gather": 1,
    "fsync": "on",
    "synchronous_commit": "on",
}


def percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return 0.0
    return round(sorted_ms[min(len(sorted_ms) - 1, int(q * len(sorted_ms)))], 1)


def run_locust(phase: str, url: str, config: dict, env: dict, timeout: float) -> dict:
    """Run Locust headless on the locustfile for one phase; return what the locustfile recorded."""
    with tempfile.TemporaryDirectory(prefix="testday-") as tmp:
        config = {**config, "phase": phase, "out": f"{tmp}/out.json"}
        Path(tmp, "config.json").write_text(json.dumps(config))
        proc = subprocess.run(
            [
                *(sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", url),
                *(
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                    "--exit-code-on-error",
                    "0",
                    "--stop-timeout",
                    "0",
                ),
            ],
            env={**env, "TESTDAY_CONFIG": f"{tmp}/config.json", "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        out = Path(tmp, "out.json")
        if not out.exists():
            raise SystemExit(
                f"Locust ({phase}) wrote no results:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            )
        return json.loads(out.read_text())


def window_stats(recorded: dict, window: dict) -> dict:
    """Per route: requests, p50/p95/p99, errors (by kind); and the server's CPU ms per request."""
    name = window["name"]
    routes = {}
    for route, ms in sorted(recorded["times"].get(name, {}).items()):
        ms = sorted(ms)
        kinds = recorded["errors"].get(name, {}).get(route, {})
        routes[route] = {
            "requests": len(ms),
            "p50_ms": percentile(ms, 0.50),
            "p95_ms": percentile(ms, 0.95),
            "p99_ms": percentile(ms, 0.99),
            "errors": sum(kinds.values()),
            "error_kinds": kinds,
        }
    requests = sum(r["requests"] for r in routes.values())
    seconds = window["ended"] - window["started"]
    cpu = window["cpu_end"] - window["cpu_start"]
    return {
        "window": name,
        "step": window["step"],
        "users": window["users"],
        "ready": window.get("ready"),
        "seconds": round(seconds, 1),
        "requests": requests,
        "rps": round(requests / seconds, 1) if seconds else 0.0,
        "server_cpu_seconds": round(cpu, 2),
        "server_cpu_share": round(cpu / seconds / (os.cpu_count() or 1), 3) if seconds else 0.0,
        "cpu_ms_per_request": round(1000 * cpu / requests, 2) if requests else None,
        "routes": routes,
    }


def step_passes(steady: dict) -> bool:
    routes = steady["routes"]
    slow = [r for r in TEST_ROUTES if r in routes and routes[r]["p95_ms"] > P95_LIMIT_MS]
    failed = [r for r, s in routes.items() if s["errors"]]
    return not slow and not failed and bool(routes.get("save", {}).get("requests"))


def exactly_once(database_url: str, recorded: list[dict]) -> dict:
    """Compare every save the load generator saw acknowledged with what practice_testresponse holds."""
    acked, sent = {}, {}
    for run in recorded:
        for key, state in run["acked"].items():
            if key not in acked or acked[key][0] <= state[0]:
                acked[key] = state
        for key, states in run["sent"].items():
            sent.setdefault(key, []).extend(states)
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            """SELECT u.username || '|' || t.id || '|' || m.phase || '|' || r.position,
                      r.seq, r.given, r.flagged
                 FROM practice_testresponse r
                 JOIN practice_testmoduleattempt m ON m.id = r.module_attempt_id
                 JOIN practice_testattempt t ON t.id = m.attempt_id
                 JOIN practice_user u ON u.id = t.learner_id
                WHERE r.seq > 0"""
        ).fetchall()
        (doubled_rows,) = conn.execute(
            "SELECT count(*) - count(DISTINCT (module_attempt_id, position)) FROM practice_testresponse"
        ).fetchone()
        (doubled_modules,) = conn.execute(
            "SELECT count(*) - count(DISTINCT (attempt_id, phase)) FROM practice_testmoduleattempt"
        ).fetchone()
        (doubled_open,) = conn.execute(
            """SELECT count(*) - count(DISTINCT learner_id) FROM practice_testattempt
                WHERE status = 'in_progress'"""
        ).fetchone()
    stored = {key: (seq, given, flagged) for key, seq, given, flagged in rows}
    lost = stale = landed_unacknowledged = 0
    for key, (seq, given, flagged) in acked.items():
        held = stored.get(key)
        if held is None or held[0] < seq:
            lost += 1
        elif held[0] == seq:
            stale += (held[1], held[2]) != (given, flagged)
        elif [held[0], held[1], held[2]] in sent.get(key, []):
            landed_unacknowledged += 1  # a later save whose answer never reached the client: it landed
        else:
            stale += 1
    unaccounted = sum(
        1
        for key, held in stored.items()
        if key not in acked and [held[0], held[1], held[2]] not in sent.get(key, [])
    )
    doubled = doubled_rows + doubled_modules + doubled_open
    return {
        "acknowledged_items": len(acked),
        "stored_items": len(stored),
        "lost": lost,
        "doubled": doubled,
        "stale": stale + unaccounted,
        "landed_unacknowledged": landed_unacknowledged,
        "ok": lost == doubled == stale + unaccounted == 0,
    }


def start_worker(app: Gunicorn) -> subprocess.Popen:
    """One background worker beside gunicorn, at a lower priority: learners' requests come first."""
    return subprocess.Popen(
        ["nice", "-n", "10", sys.executable, str(ROOT / "manage.py"), "run_worker", "--interval", "0.5"],
        env=app.env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far (its /proc stat), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def learning_drain(database_url: str, worker: subprocess.Popen, timeout: float) -> dict:
    """Wait until the worker has run every queued job; then check each closed module was recorded once."""
    started = time.monotonic()
    backlog_at_end = None
    with psycopg.connect(database_url, autocommit=True) as conn:
        while True:
            (waiting,) = conn.execute(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')"
            ).fetchone()
            backlog_at_end = waiting if backlog_at_end is None else backlog_at_end
            if not waiting or time.monotonic() - started > timeout:
                break
            time.sleep(1)
        drained_s = round(time.monotonic() - started, 1)
        (jobs, failed) = conn.execute(
            """SELECT count(*), count(*) FILTER (WHERE status = 'FAILED')
                 FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '%%module_learning_record'"""
        ).fetchone()
        (closed, recorded) = conn.execute(
            "SELECT count(*), count(session_id) FROM practice_testmoduleattempt WHERE closed_at IS NOT NULL"
        ).fetchone()
        # A module recorded twice would leave a second full-test practice session beside the one it links.
        (sessions,) = conn.execute(
            "SELECT count(*) FROM practice_practicesession WHERE scope LIKE 'Full-length test:%%'"
        ).fetchone()
        doubled = sessions - recorded
    return {
        "backlog_at_end_of_load": backlog_at_end,
        "drained_seconds_after_load": drained_s,
        "drained": waiting == 0,
        "learning_jobs": jobs,
        "failed_jobs": failed,
        "modules_closed": closed,
        "modules_recorded": recorded,
        "answers_doubled": doubled,
        "worker_cpu_seconds": round(process_cpu_seconds(worker.pid), 1) if worker.poll() is None else None,
        "ok": waiting == 0 and failed == 0 and closed == recorded and not doubled,
    }


def machine(pg: ThrowawayPostgres) -> dict:
    versions = {
        name: importlib.metadata.version(name) for name in ("django", "gunicorn", "psycopg", "locust")
    }
    versions["python"] = platform.python_version()
    versions["postgresql"] = subprocess.run(
        [f"{pg.bindir}/postgres", "--version"], capture_output=True, text=True
    ).stdout.strip()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    return {"cpu": cpu, "cores": os.cpu_count(), "os": platform.platform(), "versions": versions}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="500,1000,2000,3000,5000", help="concurrent test-takers per step")
    parser.add_argument("--step-seconds", type=float, default=120, help="steady window of each step")
    parser.add_argument("--ramp-seconds", type=float, default=60, help="each step's new learners log in")
    parser.add_argument("--time-scale", type=float, default=10, help="real pacing divided by this")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--teachers", type=int, default=5, help="teachers refreshing their class overview")
    parser.add_argument("--baseline-seconds", type=float, default=15)
    parser.add_argument("--save-clients", type=int, default=8, help="closed-loop savers for CPU per save")
    parser.add_argument("--save-seconds", type=float, default=15)
    parser.add_argument(
        "--server-time-scale",
        type=float,
        default=None,
        help="FULL_TEST_TIME_SCALE for the app: shortens modules and the break (default 1 / --time-scale, "
        "at most 1: the clock shrinks with the pacing)",
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the JSON results go")
    args = parser.parse_args(argv)
    try:
        args.steps = [int(n) for n in args.steps.split(",")]
    except ValueError:
        parser.error("--steps is a comma-separated list of whole numbers")
    if not args.steps or min(args.steps) < 1 or args.steps != sorted(args.steps) or args.time_scale <= 0:
        parser.error("--steps must rise and be positive; --time-scale must be positive")
    if args.server_time_scale is None:
        args.server_time_scale = min(1.0, 1 / args.time_scale)
    if not 0 < args.server_time_scale <= 1:
        parser.error("--server-time-scale must be above 0 and at most 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    rates = requests_per_second(args.time_scale)
    print(
        f"==> time scale {args.time_scale:g} (the app's module times x {args.server_time_scale:g}): "
        f"a test-taker sends {rates['per_test_taker']:.3f} req/s "
        f"({rates['saves_per_test_taker']:.3f} saves/s; a test takes "
        f"{rates['seconds_per_test'] / 60:.1f} min); "
        f"a teacher {rates['per_teacher']:.3f} req/s"
    )
    for users in args.steps:
        rate = users * rates["per_test_taker"] + args.teachers * rates["per_teacher"]
        print(
            f"    {users:>6,} test-takers: {rate:.1f} "
            f"req/s in total ({users * rates['saves_per_test_taker']:.1f} saves/s)"
        )
    pg = ThrowawayPostgres(extra_conf=PG_TUNING).start()
    redis = ThrowawayRedis().start()
    app = worker = None
    try:
        env = {
            "DATABASE_URL": pg.create_database("prepnexus"),
            "REDIS_URL": redis.url,
            "CACHE_KEY_PREFIX": "testday",
            "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "DB_POOL_SIZE": str(args.threads),
            "DB_MAX_OVERFLOW": "0",
            "LOG_LEVEL": "WARNING",
            # Every learner comes from 127.0.0.1, as a school behind one NAT address would; the per-address
            # login limit (100 per 5 minutes) would otherwise refuse the school's morning.
            "RATELIMIT_LOGIN": "1000000/300",
            "FULL_TEST_TIME_SCALE": str(args.server_time_scale),
        }
        app = Gunicorn(env, workers=args.workers, threads=args.threads)
        built = data.build(app, max(args.steps) + args.save_clients, args.seed)
        if built["published_forms"] < 1:
            raise SystemExit("seed_demo published no test form")
        app.start("/health/ready")
        worker = start_worker(app)
        learners = built["learners"][: max(args.steps)]
        savers = built["learners"][max(args.steps) : max(args.steps) + args.save_clients]
        common = {
            "seed": args.seed,
            "time_scale": args.time_scale,
            "password": data.PASSWORD,
            "gunicorn_pid": app.proc.pid,
            "teachers": built["teachers"][: max(1, args.teachers)],
            "teachers_count": args.teachers,
            "learners": learners,
            "savers": savers,
            "progress": {name: built["progress"][name] for name in learners if name in built["progress"]},
        }
        locust_env = {**os.environ}
        load_at_start = round(os.getloadavg()[0], 2)
        print(f"==> baseline: {args.save_clients} clients on /health/live for {args.baseline_seconds:g} s")
        base = run_locust(
            "baseline",
            app.base_url,
            {
                **common,
                "clients": args.save_clients,
                "warmup_seconds": 3,
                "measure_seconds": args.baseline_seconds,
            },
            locust_env,
            timeout=args.baseline_seconds + 120,
        )
        print(
            f"==> saves: {args.save_clients} learners saving with no think time for {args.save_seconds:g} s"
        )
        saves = run_locust(
            "saves",
            app.base_url,
            {
                **common,
                "clients": args.save_clients,
                "warmup_seconds": 10,
                "measure_seconds": args.save_seconds,
            },
            locust_env,
            timeout=args.save_seconds + 300,
        )
        total = len(args.steps) * (args.ramp_seconds + args.step_seconds)
        print(
            f"==> steps: {', '.join(f'{n:,}' for n in args.steps)} test-takers, "
            f"{args.ramp_seconds:g} s ramp + "
            f"{args.step_seconds:g} s steady each ({total / 60:.1f} min), {args.teachers} teachers"
        )
        steps = run_locust(
            "steps",
            app.base_url,
            {
                **common,
                "steps": args.steps,
                "ramp_seconds": args.ramp_seconds,
                "step_seconds": args.step_seconds,
            },
            locust_env,
            timeout=len(args.steps) * (10 * args.ramp_seconds + args.step_seconds) + 600,
        )
        load_at_end = round(os.getloadavg()[0], 2)
        print("==> waiting for the background worker to drain the learning queue")
        learning = learning_drain(env["DATABASE_URL"], worker, timeout=900)
        check = exactly_once(env["DATABASE_URL"], [saves, steps])
        bare = window_stats(base, base["windows"][0])
        save_only = window_stats(saves, saves["windows"][0])
        windows = [window_stats(steps, w) for w in steps["windows"]]
        steady = [w for w in windows if w["window"].endswith("steady")]
        for w in steady:
            w["passes"] = step_passes(w)
        capacity = max((w["users"] for w in steady if w["passes"]), default=0) if check["ok"] else 0
        save_cpu = save_only["cpu_ms_per_request"]
        bare_cpu = bare["cpu_ms_per_request"]
        result = {
            "bench": "testday",
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                **machine(pg),
                "loadavg_1m_at_start": load_at_start,
                "loadavg_1m_at_end": load_at_end,
            },
            "config": {
                **vars(args),
                "results": str(args.results),
                "pg_tuning": PG_TUNING,
                "assignment": "each class is assigned the full test; learners start it from the assignment",
            },
            "rates": rates,
            "data": {k: v for k, v in built.items() if k not in ("learners", "teachers", "progress")},
            "baseline": bare,
            "save_only": save_only,
            "ratios": {
                "save_cpu_vs_bare": round(save_cpu / bare_cpu, 2) if save_cpu and bare_cpu else None,
                "save_cpu_ms": save_cpu,
                "bare_cpu_ms": bare_cpu,
            },
            "windows": windows,
            "late": steps["late"],
            "exactly_once": check,
            "learning": learning,
            "capacity": capacity,
            # At --time-scale X each simulated test-taker sends X times a real one's requests.
            "capacity_request_rate_equivalent": round(capacity * args.time_scale),
        }
        args.results.mkdir(parents=True, exist_ok=True)
        out = args.results / f"testday-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
        out.write_text(json.dumps(result, indent=2) + "\n")
        print_report(result)
        print(f"==> results: {out}")
        return 0 if check["ok"] and learning["ok"] else 1
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, 15)
            worker.wait(15)
        if app is not None:
            with contextlib.suppress(Exception):
                app.stop()
        redis.stop()
        pg.destroy()


def print_report(result: dict) -> None:
    m = result["machine"]
    print(
        f"\n{m['cores']} cores ({m['cpu']}), 1-minute load average {m['loadavg_1m_at_start']} at start, "
        f"{m['loadavg_1m_at_end']} at end; gunicorn {result['config']['workers']} workers x "
        f"{result['config']['threads']} threads"
    )
    header = f"{'route':<12}{'req':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'err':>6}"
    for w in [result["baseline"], result["save_only"], *result["windows"]]:
        verdict = ""
        ready = f" ({w['ready']} logged in and started)" if w.get("ready") is not None else ""
        if "passes" in w:
            verdict = "  PASS" if w["passes"] else "  FAIL"
        print(
            f"\n[{w['window']}] {w['users'] or ''} users{ready}, {w['seconds']} s, {w['requests']} requests "
            f"({w['rps']} req/s), server CPU {w['server_cpu_seconds']} s = {w['cpu_ms_per_request']} ms "
            f"per request{verdict}"
        )
        print(header)
        for route, s in w["routes"].items():
            print(
                f"{route:<12}{s['requests']:>8}{s['p50_ms']:>9}{s['p95_ms']:>9}{s['p99_ms']:>9}{s['errors']:>6}"
            )
            for kind, count in s["error_kinds"].items():
                print(f"    {count} x {kind}")
    r, c = result["ratios"], result["exactly_once"]
    print(
        f"\nCPU per answer-save {r['save_cpu_ms']} ms / CPU per bare-Django request {r['bare_cpu_ms']} ms "
        f"= {r['save_cpu_vs_bare']} (goal <= 3)"
    )
    print(
        f"exactly-once: {c['acknowledged_items']} items acknowledged, {c['stored_items']} stored; lost "
        f"{c['lost']}, doubled {c['doubled']}, stale {c['stale']} (landed unacknowledged: "
        f"{c['landed_unacknowledged']}); after the deadline: {result['late']['saves']} saves refused, "
        f"{result['late']['reviews']} review pages moved on, {result['late']['submits']} submits refused"
    )
    lr = result["learning"]
    print(
        f"learning queue: {lr['backlog_at_end_of_load']} jobs waiting when the load ended, drained "
        f"{lr['drained_seconds_after_load']} s later; {lr['modules_recorded']} of {lr['modules_closed']} "
        f"closed modules recorded, {lr['failed_jobs']} failed jobs, {lr['answers_doubled']} doubled; "
        f"worker CPU {lr['worker_cpu_seconds']} s"
    )
    print(
        f"capacity: {result['capacity']:,} concurrent test-takers (largest step with p95 <= "
        f"{P95_LIMIT_MS} ms on every test route, 0 errors, 0 lost answers); at time scale "
        f"{result['config']['time_scale']:g} that is the request rate of "
        f"{result['capacity_request_rate_equivalent']:,} test-takers at the real pace"
    )


if __name__ == "__main__":
    sys.exit(main())
