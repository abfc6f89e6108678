"""Answer submissions per second at 32 concurrent learners, against pgbench's tpcb-like TPS at 8 clients.

    .venv/bin/python bench/answers.py [--learners 32] [--seconds 20] [--workers 2] [--threads 16]

Everything runs on a throwaway PostgreSQL (max_connections=200) and Redis started for the run, never the
shared servers. Each learner is a thread with its own keep-alive HTTP connection and login cookie. By
default it measures the answer endpoint: each learner opens its session's first question page once, then
POSTs one answer after another with a fresh idempotency key each (a UUID, as the page would hand out),
without fetching the redirect target. With --pages it behaves like a browser instead: GET each question
page (the server stamps when it was shown and hands out the key), then POST. Every 10th answer is posted
twice with the same key, like a double click; both must redirect to the same place.
Afterwards the database is checked: one answer per (session, question), and each session's counters
equal its answer rows. Goal: ratio >= 0.10, 0 errors, 0 duplicates.
"""

import argparse
import http.client
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness.servers import Gunicorn, ThrowawayPostgres, ThrowawayRedis  # noqa: E402

SECRET = "bench-answers-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
CSRF = "b" * 32
KEY_RE = re.compile(rb'name="key" value="([0-9a-f-]{36})"')
QUESTIONS = 120
SESSION_LENGTH = 50
SESSIONS_PER_LEARNER = 4


def pgbench_tps(pg: ThrowawayPostgres, clients: int, seconds: int) -> float:
    url = pg.create_database("pgbench")
    env = {**os.environ, "PGHOST": "127.0.0.1", "PGPORT": str(pg.port), "PGUSER": "postgres"}
    subprocess.run(["pgbench", "-i", "-q", "-s", "10", "pgbench"], env=env, check=True, capture_output=True)
    run = subprocess.run(
        ["pgbench", "-c", str(clients), "-j", "2", "-T", str(seconds), "-b", "tpcb-like", "pgbench"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", run.stdout)
    if not match:
        raise RuntimeError(f"cannot read pgbench output from {url}:\n{run.stdout}\n{run.stderr}")
    return float(match.group(1))


def build_data(learners: int) -> list[tuple[str, list[int]]]:
    """Questions, learners, their login sessions and practice sessions; returns (cookie, session ids)."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.core.management import call_command
    from django.utils.module_loading import import_string

    from practice.models import Question, Section, Skill, User
    from practice.services.questions import question_save
    from practice.services.sessions import practice_session_start

    call_command("migrate", verbosity=0)
    math = Section.objects.get(name="Math")
    skills = list(Skill.objects.filter(domain__section=math))
    for n in range(QUESTIONS):
        question = Question(
            skill=skills[n % len(skills)],
            difficulty=("easy", "medium", "hard")[n % 3],
            type="mcq",
            stem=f"Bench question {n}: what is {n} + {n % 7}?",
            explanation=f"{n} + {n % 7} = {n + n % 7}.",
            status="published",
            external_id=f"bench-{n}",
        )
        options = [(str(n + n % 7 + delta), delta == 0) for delta in (-1, 0, 1, 2)]
        question_save(question=question, options=options)
    question_ids = list(Question.objects.values_list("pk", flat=True))
    # The backend that logs learners in: the first one that can load a user (Axes only guards logins).
    backend = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(import_string(path), "get_user")
    )
    plan = []
    for n in range(learners):
        user = User.objects.create_user(f"bench{n:03d}", f"bench{n:03d}@example.org", "unused-pass-9")
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions = []
        for s in range(SESSIONS_PER_LEARNER):
            offset = (n * 7 + s * 13) % len(question_ids)
            ids = (question_ids[offset:] + question_ids[:offset])[:SESSION_LENGTH]
            sessions.append(
                practice_session_start(learner=user, section=math, question_ids=ids, mode="practice").pk
            )
        plan.append((store.session_key, sessions))
    from django.db import connections

    connections.close_all()
    return plan


class Learner(threading.Thread):
    def __init__(self, port, cookie, sessions, stop_at, stats, pages):
        super().__init__(daemon=True)
        self.pages = pages
        self.port, self.sessions, self.stop_at, self.stats = port, sessions, stop_at, stats
        self.headers = {"Cookie": f"sessionid={cookie}; csrftoken={CSRF}"}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method, path, body=None):
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                with self.stats.lock:
                    self.stats.requests += 1
                return response.status, response.getheader("Location"), response.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def run(self):
        count = 0
        for session in self.sessions:
            for position in range(1, SESSION_LENGTH + 1):
                if time.monotonic() >= self.stop_at:
                    return
                try:
                    key = str(uuid.uuid4())
                    if self.pages or position == 1:
                        status, _, body = self.request("GET", f"/practice/sessions/{session}/q/{position}/")
                        match = KEY_RE.search(body) if status == 200 else None
                        if not match:
                            self.stats.error(f"GET q{position}: {status}")
                            continue
                        key = match.group(1).decode()
                    form = f"csrfmiddlewaretoken={CSRF}&given={'ABCD'[count % 4]}&key={key}"
                    path = f"/practice/sessions/{session}/q/{position}/answer/"
                    status, location, _ = self.request("POST", path, form)
                    if status != 302:
                        self.stats.error(f"POST q{position}: {status}")
                        continue
                    self.stats.answered()
                    count += 1
                    if count % 10 == 0:  # a double click: same key again
                        again, again_location, _ = self.request("POST", path, form)
                        if again != 302 or again_location != location:
                            self.stats.error(f"replay q{position}: {again} {again_location} != {location}")
                        self.stats.replayed()
                except Exception as exc:
                    self.stats.error(repr(exc))


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.answers = self.replays = self.requests = 0
        self.errors: list[str] = []

    def answered(self):
        with self.lock:
            self.answers += 1

    def replayed(self):
        with self.lock:
            self.replays += 1

    def error(self, message):
        with self.lock:
            self.errors.append(message)


def cpu_seconds(master_pid: int) -> float:
    """User + system CPU seconds of gunicorn's workers so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    children = subprocess.run(["ps", "--ppid", str(master_pid), "-o", "pid="], capture_output=True, text=True)
    total = 0
    for pid in children.stdout.split():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def check_database() -> tuple[int, int, int]:
    """(answers, duplicate answers, sessions whose counters disagree with their rows)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) - count(DISTINCT (session_id, question_id)) FROM practice_answer"
        )
        answers, duplicates = cursor.fetchone()
        cursor.execute(
            """SELECT count(*) FROM practice_practicesession s
               WHERE s.answered_count <> (SELECT count(*) FROM practice_answer a WHERE a.session_id = s.id)
                  OR s.correct_count <> (SELECT count(*) FROM practice_answer a
                                         WHERE a.session_id = s.id AND a.is_correct)"""
        )
        (mismatched,) = cursor.fetchone()
    return answers, duplicates, mismatched


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--pgbench-seconds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--pages", action="store_true", help="GET every question page before answering it.")
    args = parser.parse_args()

    pg = ThrowawayPostgres(extra_conf={"max_connections": 200}).start()
    redis = ThrowawayRedis().start()
    try:
        print(f"throwaway PostgreSQL on port {pg.port}")
        tps = pgbench_tps(pg, clients=8, seconds=args.pgbench_seconds)
        print(f"pgbench tpcb-like, 8 clients, {args.pgbench_seconds}s: {tps:.1f} TPS")

        env = {
            "DATABASE_URL": pg.create_database("prepnexus_bench"),
            "REDIS_URL": redis.url,
            "DJANGO_SECRET_KEY": SECRET,
            "CACHE_KEY_PREFIX": f"bench-answers-{uuid.uuid4().hex[:8]}",
            "DB_POOL_SIZE": "2",
            "DB_MAX_OVERFLOW": str(args.threads),
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "prepnexus.settings",
            # Each simulated learner answers far faster than a person can; the per-learner answer
            # limit (120/min) would turn the benchmark into a test of the rate limiter.
            "RATELIMIT_ANSWER": "100000/60",
        }
        os.environ.update(env)
        started = time.monotonic()
        plan = build_data(args.learners)
        print(
            f"built {QUESTIONS} questions, {args.learners} learners, "
            f"{args.learners * SESSIONS_PER_LEARNER} sessions in {time.monotonic() - started:.1f}s"
        )

        server = Gunicorn(env, workers=args.workers, threads=args.threads)
        server.manage("collectstatic", "--noinput", "-v", "0")  # the question page links hashed files
        server.start()
        try:
            stats = Stats()
            stop_at = time.monotonic() + args.seconds
            learners = [
                Learner(server.port, cookie, sessions, stop_at, stats, args.pages)
                for cookie, sessions in plan
            ]
            cpu_before = cpu_seconds(server.proc.pid)
            began = time.monotonic()
            for learner in learners:
                learner.start()
            for learner in learners:
                learner.join()
            elapsed = time.monotonic() - began
            cpu_used = cpu_seconds(server.proc.pid) - cpu_before
            load = os.getloadavg()[0]
        finally:
            server.stop()

        answers, duplicates, mismatched = check_database()
        rate = stats.answers / elapsed
        print(
            f"gunicorn {args.workers} workers x {args.threads} threads, {args.learners} concurrent learners, "
            f"{elapsed:.1f}s"
        )
        print(
            "mode: "
            + ("GET page + POST per answer" if args.pages else "POST answers (one page GET per session)")
        )
        print(f"answer submissions: {stats.answers} ({rate:.1f}/s), double-click replays: {stats.replays}")
        print(
            f"answers in the database: {answers}; duplicates: {duplicates}; "
            f"sessions with wrong counts: {mismatched}"
        )
        per_request = 1000 * cpu_used / max(stats.requests, 1)
        print(
            f"app CPU: {cpu_used:.1f}s in {elapsed:.1f}s for {stats.requests} requests "
            f"({per_request:.1f} ms each); load average {load:.1f} on {os.cpu_count()} CPUs"
        )
        print(f"errors: {len(stats.errors)}" + (f" (first: {stats.errors[:3]})" if stats.errors else ""))
        ratio = rate / tps if tps else 0.0
        print(f"ratio answers/s : pgbench TPS = {ratio:.3f} (goal >= 0.10)")
        ok = (
            ratio >= 0.10
            and not stats.errors
            and duplicates == 0
            and mismatched == 0
            and answers == stats.answers
        )
        print("RESULT: " + ("PASS" if ok else "FAIL"))
        return 0 if ok else 1
    finally:
        redis.stop()
        pg.destroy()


if __name__ == "__main__":
    sys.exit(main())
