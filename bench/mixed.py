"""Mixed load: learners log in, practise, view the dashboard and read the blog; per-route throughput,
p50/p95/p99 and errors, against a bare-Django baseline (/health/live: the full middleware stack, no
database) measured in the same run.

    .venv/bin/python bench/mixed.py [--learners 10000] [--answers 1000000] [--vus 16] [--seconds 30]
                                    [--baseline-seconds 10] [--workers 2] [--threads 4]
                                    [--instances 2] [--pgbouncer] [--replica]

Starts its own PostgreSQL and Redis, migrates, loads the demo question bank and blog posts
(`manage.py seed_demo --no-accounts`), generates the learners with their history
(bench/generate_load_data.py: sessions and answers by COPY), gives those learners a password (bench/users.py),
runs the app under gunicorn (optionally several instances behind HAProxy, through PgBouncer, with a
streaming replica: the same helpers the scale-out tests use) and drives it with threads over keep-alive
http.client connections (no locust/wrk needed).

Practising is done as a browser does it: open /practice/, POST the start form, follow the redirects to
the first question, POST the answer with the idempotency key the page handed out, follow the redirect
to the feedback, open the next question; after the last one, the results. Every 10th answer is posted
twice with the same key (a double click). A failed answer POST, a replay that lands elsewhere, and any
difference the database shows afterwards (duplicate answers, counters that disagree with the answer
rows, rows that no accepted POST accounts for) count as errors.

Results go to bench/results/mixed-<UTC time>.json; bench/README.md has the figures.
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
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.users import PASSWORD, username  # noqa: E402
from tests.harness.servers import (  # noqa: E402
    Gunicorn,
    HAProxy,
    PgBouncer,
    ThrowawayPostgres,
    ThrowawayRedis,
)

RESULTS = ROOT / "bench" / "results"
SESSION_LENGTH = 10
SESSION_PATH = re.compile(r"^/practice/sessions/(\d+)/$")
ITEM_PATH = re.compile(r"^/practice/sessions/(\d+)/q/(\d+)/$")
KEY = re.compile(rb'name="key" value="([0-9a-f-]{36})"')
OPTION = re.compile(rb'type="radio" name="given" id="option-[A-Z]" value="([A-Z])"')
SECTION = re.compile(rb'type="radio" name="section" id="section-\d+" value="(\d+)"')
COUNT = re.compile(rb"Question (\d+) of (\d+)")
POST_LINK = re.compile(rb'href="/blog/([a-z0-9-]+)/"')


@dataclasses.dataclass
class Response:
    status: int
    location: str  # the path of the Location header, "" when there is none
    body: bytes


@dataclasses.dataclass
class Practice:
    """Where a learner is in their practice session: the question page open in the browser."""

    session: int
    position: int
    length: int
    key: str
    body: bytes

    @property
    def path(self) -> str:
        return f"/practice/sessions/{self.session}/q/{self.position}/"


class Visitor:
    """One browser: a keep-alive connection, its cookies, and the question it has open."""

    def __init__(self, port: int, recorder: "Recorder"):
        self.port = port
        self.recorder = recorder
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.practice: Practice | None = None
        self.answers = 0

    def _send(self, method: str, path: str, body: str | None, headers: dict) -> tuple[int, bytes, list, str]:
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        return (
            response.status,
            data,
            response.headers.get_all("Set-Cookie") or [],
            response.getheader("Location", ""),
        )

    def request(self, route: str, method: str, path: str, form: dict | None = None, ok=(200,)) -> Response:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            try:
                status, data, set_cookies, location = self._send(method, path, body, headers)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: reconnect once, as browsers do.
                self.conn.close()
                status, data, set_cookies, location = self._send(method, path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.recorder.record(route, time.perf_counter() - started, error=type(exc).__name__)
            return Response(0, "", b"")
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
        return Response(status, urllib.parse.urlsplit(location).path, data)


class Recorder:
    def __init__(self):
        self.lock = threading.RLock()
        self.latencies: dict[str, list[float]] = {}
        self.errors: dict[str, dict[str, int]] = {}
        self.accepted_answers = 0

    def record(self, route: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.setdefault(route, []).append(seconds)
            if error:
                self.error(route, error)

    def error(self, route: str, kind: str) -> None:
        """An error the status code alone does not show (a redirect elsewhere, a page without its form)."""
        with self.lock:
            by_kind = self.errors.setdefault(route, {})
            by_kind[kind] = by_kind.get(kind, 0) + 1

    def accepted(self) -> None:
        with self.lock:
            self.accepted_answers += 1

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


# --- What a learner does ---


def _open_question(v: Visitor, session: int, position: int) -> None:
    """GET a question page and keep its answer form (key, choices) as the open question."""
    page = v.request("question", "GET", f"/practice/sessions/{session}/q/{position}/")
    key, count = KEY.search(page.body), COUNT.search(page.body)
    if page.status == 200 and not (key and count):
        v.recorder.error("question", "page without its answer form")
    if page.status != 200 or not (key and count):
        v.practice = None
        return
    v.practice = Practice(session, position, int(count.group(2)), key.group(1).decode(), page.body)


def _session_start(v: Visitor) -> None:
    """Open /practice/, start a session of 10 questions, follow the redirects to the first question."""
    page = v.request("practice-list", "GET", "/practice/")
    sections = SECTION.findall(page.body)
    if page.status != 200:
        return
    if not sections:
        v.recorder.error("practice-list", "no sections in the start form")
        return
    form = {
        "section": random.choice(sections).decode(),
        "difficulty": "mixed",
        "length": str(SESSION_LENGTH),
        "mode": "practice",
    }
    started = v.request("practice-start", "POST", "/practice/start/", form, ok=(302,))
    if started.status != 302:
        return
    if not SESSION_PATH.match(started.location):
        v.recorder.error("practice-start", "redirect elsewhere")
        return
    resume = v.request("session-resume", "GET", started.location, ok=(302,))
    item = ITEM_PATH.match(resume.location)
    if resume.status == 302 and not item:
        v.recorder.error("session-resume", "redirect elsewhere")
    if item:
        _open_question(v, int(item.group(1)), int(item.group(2)))


def _given(body: bytes) -> str:
    options = OPTION.findall(body)
    return random.choice(options).decode() if options else str(random.randint(1, 9))  # grid-in: a number


def practise(v: Visitor) -> None:
    """Answer the open question (starting a session first if none is open), as a browser does."""
    if v.practice is None:
        _session_start(v)
        if v.practice is None:
            return
    p, v.practice = v.practice, None
    action = p.path + "answer/"
    form = {"given": _given(p.body), "key": p.key}
    answered = v.request("answer", "POST", action, form, ok=(302,))
    if answered.status != 302:
        return
    if answered.location != p.path:
        v.recorder.error("answer", "redirect elsewhere")
        return
    v.recorder.accepted()
    v.answers += 1
    if v.answers % 10 == 0:  # a double click: the same key again must land on the same page
        again = v.request("answer-replay", "POST", action, form, ok=(302,))
        if again.status == 302 and again.location != p.path:
            v.recorder.error("answer-replay", "redirect elsewhere")
    v.request("answer-feedback", "GET", p.path)
    if p.position < p.length:
        _open_question(v, p.session, p.position + 1)  # "Next question"
        return
    # "See your results": the session page redirects to the results once the last answer is in.
    resume = v.request("session-resume", "GET", f"/practice/sessions/{p.session}/", ok=(302,))
    if resume.status == 302:
        v.request("session-results", "GET", resume.location)


def _profile_save(v: Visitor) -> None:
    form = {"display_name": f"Bench {random.randrange(10**6)}", "target_score": "1400", "time_zone": "UTC"}
    v.request("profile-save", "POST", "/accounts/profile/", form, ok=(302,))


@dataclasses.dataclass
class Route:
    name: str
    weight: int
    run: Callable[[Visitor], None]


def _get(name: str, path: str) -> Callable[[Visitor], None]:
    return lambda v: v.request(name, "GET", path)


def routes(post_slugs: list[str]) -> list[Route]:
    """The mix, by weight (each pick of `answer` is 3 to 4 requests: POST, replay, feedback, next page)."""

    def blog_post(v: Visitor) -> None:
        v.request("blog-post", "GET", f"/blog/{random.choice(post_slugs)}/")

    return [
        Route("answer", 30, practise),
        Route("dashboard", 15, _get("dashboard", "/dashboard/")),
        Route("blog-list", 10, _get("blog-list", "/blog/")),
        Route("blog-post", 15, blog_post),
        Route("practice-list", 10, _get("practice-list", "/practice/")),
        Route("home", 10, _get("home", "/")),
        Route("profile", 5, _get("profile", "/accounts/profile/")),
        Route("profile-save", 2, _profile_save),
        # What the load balancer's probes add (database + migrations check, shared per process for 1 s).
        Route("health-ready", 2, _get("health-ready", "/health/ready")),
    ]


def login(v: Visitor, learner: int) -> None:
    v.request("login-form", "GET", "/accounts/login/")
    v.request(
        "login", "POST", "/accounts/login/", {"username": username(learner), "password": PASSWORD}, ok=(302,)
    )


def learner_loop(v: Visitor, mix, learners, deadline, seed, visit=(20, 60)):
    """Browse as a logged-in learner; after each visit log out and log in as another learner.

    Logins cost a password hash each (Argon2id ~30 ms of CPU, PBKDF2 ~0.4 s): their share of the mix counts.
    """
    rng = random.Random(seed)
    weights = [r.weight for r in mix]
    while True:
        for _ in range(rng.randint(*visit)):
            if time.monotonic() >= deadline:
                v.conn.close()
                return
            rng.choices(mix, weights)[0].run(v)
        v.request("logout", "POST", "/accounts/logout/", {}, ok=(302,))
        v.conn.close()
        v = Visitor(v.port, v.recorder)
        login(v, rng.randrange(learners))


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


class LoadSampler(threading.Thread):
    """The machine's 1-minute load average every 5 s while the benchmark runs."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            self.samples.append(round(os.getloadavg()[0], 2))
            self.done.wait(5)

    def stop(self) -> dict:
        self.done.set()
        self.join()
        return {"min": min(self.samples), "max": max(self.samples), "samples": self.samples}


# --- Data ---


def build_data(env: dict, learners: int, answers: int) -> dict:
    """Question bank and blog posts, then `learners` learners with `answers` answers between them."""
    app = Gunicorn(env)  # used only for its runners; no server is started
    manage = app.manage
    started = time.monotonic()
    manage("migrate", "--noinput")
    manage("collectstatic", "--noinput", "-v", "0")
    print("==> seed_demo --no-accounts: question bank and blog posts")
    for line in manage("seed_demo", "--no-accounts").stdout.strip().splitlines():
        print(f"    {line}")
    # The generator's long-history learner gets an even share too, so every learner looks alike.
    share = max(SESSION_LENGTH, answers // (learners + 1) // SESSION_LENGTH * SESSION_LENGTH)
    print(f"==> bench/generate_load_data.py: {learners:,} learners, {answers:,} answers")
    out = app.python(
        "-m",
        "bench.generate_load_data",
        f"--learners={learners}",
        f"--answers={answers}",
        f"--learner-answers={min(share, answers)}",
    )
    for line in out.stdout.strip().splitlines()[-2:]:
        print(f"    {line}")
    print("==> bench/users.py: the generated learners get the bench password")
    subprocess.run(
        [sys.executable, str(ROOT / "bench/users.py"), "--count", str(learners)],
        env={**os.environ, **env},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        counts = conn.execute(
            """SELECT (SELECT count(*) FROM practice_user WHERE username LIKE 'load-user%'),
                      (SELECT count(*) FROM practice_answer),
                      (SELECT count(*) FROM practice_practicesession),
                      (SELECT count(*) FROM practice_question WHERE status = 'published'),
                      (SELECT count(*) FROM blog_post WHERE status = 'published' AND publish_at <= now())"""
        ).fetchone()
    data = dict(zip(("learners", "answers", "sessions", "questions", "blog_posts"), counts, strict=True))
    data["seconds"] = round(time.monotonic() - started, 1)
    print(
        f"    {data['learners']:,} learners, {data['answers']:,} answers in {data['sessions']:,} sessions, "
        f"{data['questions']:,} published questions, {data['blog_posts']} live blog posts "
        f"({data['seconds']:.0f} s)"
    )
    return data


def last_session_id(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        return conn.execute("SELECT COALESCE(MAX(id), 0) FROM practice_practicesession").fetchone()[0]


def check_answers(database_url: str, first_session: int, accepted: int) -> dict:
    """What the run's sessions hold: one answer per question, counters equal to the rows."""
    with psycopg.connect(database_url) as conn:
        rows, duplicates, sessions = conn.execute(
            """SELECT count(*), count(*) - count(DISTINCT (session_id, question_id)),
                      count(DISTINCT session_id)
               FROM practice_answer WHERE session_id > %s""",
            [first_session],
        ).fetchone()
        (mismatched,) = conn.execute(
            """SELECT count(*) FROM practice_practicesession s
               WHERE s.id > %s AND (
                   s.answered_count <> (SELECT count(*) FROM practice_answer a WHERE a.session_id = s.id)
                   OR s.correct_count <> (SELECT count(*) FROM practice_answer a
                                          WHERE a.session_id = s.id AND a.is_correct))""",
            [first_session],
        ).fetchone()
        (started,) = conn.execute(
            "SELECT count(*) FROM practice_practicesession WHERE id > %s", [first_session]
        ).fetchone()
    return {
        "accepted_posts": accepted,
        "rows": rows,
        "unaccounted_rows": abs(rows - accepted),
        "duplicates": duplicates,
        "sessions_started": started,
        "sessions_answered": sessions,
        "sessions_with_wrong_counters": mismatched,
        "errors": abs(rows - accepted) + duplicates + mismatched,
    }


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


def main() -> int:
    parser = argparse.ArgumentParser(description="Mixed-load benchmark (see the module docstring).")
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--answers", type=int, default=1_000_000, help="answers generated before the run")
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
    if args.learners < 1 or args.answers < SESSION_LENGTH * (args.learners + 1):
        parser.error(f"--answers must be at least {SESSION_LENGTH} per learner (one session each)")

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
            # A virtual learner answers with no think time, far faster than a person; the per-learner
            # answer limit (120/min) would turn the benchmark into a test of the rate limiter.
            "RATELIMIT_ANSWER": "100000/60",
        }
        data = build_data(env, args.learners, args.answers)
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
        status, _, index, _ = apps[0].get("/blog/")
        slugs = sorted({s.decode() for s in POST_LINK.findall(index)} - {"feed", "atom"})
        if status != 200 or not slugs:
            raise SystemExit(f"/blog/ answered {status} with {len(slugs)} posts; cannot read the blog")
        mix = routes(slugs)
        print(f"==> mix: {', '.join(f'{r.name} {r.weight}' for r in mix)}; {len(slugs)} blog posts")

        first_session = last_session_id(env["DATABASE_URL"])
        sampler = LoadSampler()
        sampler.start()
        load_at_start = round(os.getloadavg()[0], 2)
        base = Recorder()
        print(f"==> baseline: {args.vus} clients on /health/live for {args.baseline_seconds:.0f}s")
        deadline = time.monotonic() + args.baseline_seconds
        base_seconds = run_threads(lambda n: baseline_loop(port, base, deadline), args.vus)
        warmup, mixed = Recorder(), Recorder()
        visitors = [Visitor(port, warmup) for _ in range(args.vus)]
        print(f"==> warm-up: {args.vus} learners log in (measured apart)")
        run_threads(lambda n: login(visitors[n], random.Random(-n).randrange(args.learners)), args.vus)
        for visitor in visitors:
            visitor.recorder = mixed
        print(f"==> mixed: {args.vus} learners for {args.seconds:.0f}s")
        deadline = time.monotonic() + args.seconds
        visit = (args.visit_min, args.visit_max)
        mixed_seconds = run_threads(
            lambda n: learner_loop(visitors[n], mix, args.learners, deadline, n, visit), args.vus
        )
        load = sampler.stop()
        answers = check_answers(env["DATABASE_URL"], first_session, mixed.accepted_answers)
        baseline = base.summary(base_seconds)["bare-django"]
        per_route = mixed.summary(mixed_seconds)
        for stats in per_route.values():
            stats["p50_vs_bare"] = (
                round(stats["p50_ms"] / baseline["p50_ms"], 1) if baseline["p50_ms"] else None
            )
        total = sum(s["requests"] for s in per_route.values())
        route_errors = sum(s["errors"] for s in per_route.values())
        result = {
            "bench": "mixed",
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {**machine(pg), "loadavg_1m_at_start": load_at_start, "loadavg_1m_during": load},
            "config": {**vars(args), "topology": topology},
            "data": data,
            "baseline": baseline,
            "mixed": {
                "seconds": round(mixed_seconds, 1),
                "requests": total,
                "rps": round(total / mixed_seconds, 1),
                "answers_per_second": round(mixed.accepted_answers / mixed_seconds, 1),
                "errors": route_errors + answers["errors"],
                "rps_vs_bare": round(total / mixed_seconds / baseline["rps"], 3),
            },
            "answers": answers,
            "routes": per_route,
            "warmup_logins": {k: v for k, v in warmup.summary(1.0)["login"].items() if k != "rps"},
        }
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / f"mixed-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
        out.write_text(json.dumps(result, indent=2) + "\n")
        print_table(result)
        print(f"==> results: {out.relative_to(ROOT)}")
        return 0 if result["mixed"]["errors"] == 0 else 1
    finally:
        for server in [*apps, *reversed(stoppable)]:
            with contextlib.suppress(Exception):
                getattr(server, "destroy", server.stop)()
        redis.stop()
        pg.destroy()


def print_table(result: dict) -> None:
    b, d, a = result["baseline"], result["data"], result["answers"]
    load = result["machine"]["loadavg_1m_during"]
    print(f"\n{result['config']['topology']}")
    print(
        f"data: {d['learners']:,} learners, {d['answers']:,} answers, {d['questions']:,} questions, "
        f"{d['blog_posts']} blog posts"
    )
    cores = result["machine"]["cores"]
    print(f"{cores} cores, 1-minute load average {load['min']} to {load['max']} during the run")
    print(f"bare Django (/health/live): {b['rps']} req/s, p50 {b['p50_ms']} ms, p99 {b['p99_ms']} ms")
    m = result["mixed"]
    print(
        f"mixed: {m['requests']} requests, {m['rps']} req/s "
        f"({m['rps_vs_bare']:.1%} of bare), {m['answers_per_second']} answers/s, {m['errors']} errors"
    )
    print(
        f"answers: {a['accepted_posts']} accepted POSTs, {a['rows']} rows in {a['sessions_started']} new "
        f"sessions, {a['duplicates']} duplicates, {a['sessions_with_wrong_counters']} sessions with wrong "
        f"counters, {a['unaccounted_rows']} rows unaccounted for"
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
        for kind, count in s["error_kinds"].items():
            print(f"    {count} x {kind}")
    w = result["warmup_logins"]
    print(
        f"warm-up logins ({w['requests']} at once): p50 {w['p50_ms']} ms, p99 {w['p99_ms']} ms, "
        f"{w['errors']} errors"
    )


if __name__ == "__main__":
    sys.exit(main())
