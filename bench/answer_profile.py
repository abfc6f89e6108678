"""CPU per answer POST, measured in one process through Django's WSGI handler, with a profile.

    .venv/bin/python bench/answer_profile.py [--rounds 5] [--posts 150] [--top 35] [--log-level INFO]

Wall time on a shared machine says little; CPU time per request (time.process_time(), every thread of
the process) is what decides how many answers two cores can take, and it repeats within a few percent
however busy the machine is. The script starts a throwaway PostgreSQL and Redis, builds the data of
bench/answers.py (questions, learners logged in through the session store, practice sessions), and
then calls the production WSGI application directly: DEBUG off, the whole middleware stack of
prepnexus/settings.py (monitoring, security, CSP, axes, rate limit), Prometheus in multiprocess mode,
the JSON request log at the given level (formatted, then discarded). No HTTP server, no load client.

Each POST carries a fresh idempotency key and the CSRF cookie and token a browser sends; every 10th is
posted again with the same key (a double click), timed apart. It prints, per round and as the median of
the rounds, the CPU per first post, per replay and per bare `GET /health/live` (the floor: the middleware
alone), the SQL statements and Redis commands per post, and then a cProfile (CPU time) of one more round.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tests.harness.servers import ThrowawayPostgres, ThrowawayRedis  # noqa: E402

CSRF = "c" * 32
SESSION_LENGTH = 50
SESSIONS_PER_LEARNER = 4


class Driver:
    """Calls the WSGI application the way gunicorn does, one request at a time."""

    def __init__(self, app):
        self.app = app
        self.status = ""
        self.headers: list[tuple[str, str]] = []

    def _start_response(self, status, headers, exc_info=None):
        self.status, self.headers = status, headers

    def call(self, method: str, path: str, cookie: str = "", body: bytes = b"") -> tuple[int, str]:
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_USER_AGENT": "answer-profile",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if cookie:
            environ["HTTP_COOKIE"] = cookie
        if body:
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
            environ["CONTENT_LENGTH"] = str(len(body))
        result = self.app(environ, self._start_response)
        try:
            for _chunk in result:
                pass
        finally:
            if hasattr(result, "close"):
                result.close()  # request_finished: the connection goes back to the pool
        location = next((value for name, value in self.headers if name.lower() == "location"), "")
        return int(self.status.split()[0]), location


class Counter:
    """SQL statements run through Django (an execute wrapper on this thread's connection)."""

    def __init__(self):
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


def answer_slots(plan):
    """(cookie, path) for every question of every session, learner by learner."""
    for cookie, sessions in plan:
        for session in sessions:
            for position in range(1, SESSION_LENGTH + 1):
                yield cookie, f"/practice/sessions/{session}/q/{position}/answer/"


def run_round(driver, slots, posts, redis_client, counter):
    """POST `posts` answers (every 10th replayed); CPU ms per post, per replay, SQL and Redis per post."""
    post_cpu, replay_cpu = [], []
    queries_before = counter.queries
    commands_before = int(redis_client.info("stats")["total_commands_processed"])
    for n in range(1, posts + 1):
        cookie, path = next(slots)
        body = f"csrfmiddlewaretoken={CSRF}&given={'ABCD'[n % 4]}&key={uuid.uuid4()}".encode()
        cookie = f"sessionid={cookie}; csrftoken={CSRF}"
        started = time.process_time()
        status, location = driver.call("POST", path, cookie, body)
        post_cpu.append(time.process_time() - started)
        if status != 302:
            raise RuntimeError(f"POST {path}: {status}")
        if n % 10 == 0:
            started = time.process_time()
            again, again_location = driver.call("POST", path, cookie, body)
            replay_cpu.append(time.process_time() - started)
            if again != 302 or again_location != location:
                raise RuntimeError(f"replay {path}: {again} {again_location} != {location}")
    commands = int(redis_client.info("stats")["total_commands_processed"]) - commands_before - 1
    requests = posts + len(replay_cpu)
    return (
        1000 * statistics.mean(post_cpu),
        1000 * statistics.mean(replay_cpu) if replay_cpu else 0.0,
        (counter.queries - queries_before) / requests,
        commands / requests,
    )


def show_sql(driver, slots) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cookie, path = next(slots)
    body = f"csrfmiddlewaretoken={CSRF}&given=A&key={uuid.uuid4()}".encode()
    with CaptureQueriesContext(connection) as captured:
        driver.call("POST", path, f"sessionid={cookie}; csrftoken={CSRF}", body)
    print(f"\n== the {len(captured)} SQL statements of POST {path}")
    for query in captured:
        print(f"  {' '.join(query['sql'].split())[:400]}")


def health_round(driver, requests):
    started = time.process_time()
    for _ in range(requests):
        status, _ = driver.call("GET", "/health/live")
        if status != 200:
            raise RuntimeError(f"GET /health/live: {status}")
    return 1000 * (time.process_time() - started) / requests


def quiet_stdout_logging(stream) -> None:
    """Point the log handlers that write to stdout at `stream`: the lines are still formatted."""
    import logging

    loggers = [logging.getLogger(), *map(logging.getLogger, logging.root.manager.loggerDict)]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stdout:
                handler.setStream(stream)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--posts", type=int, default=150, help="answers POSTed per round")
    parser.add_argument("--warmup", type=int, default=60)
    parser.add_argument("--top", type=int, default=35, help="functions shown in the profile")
    parser.add_argument("--log-level", default="INFO", help="LOG_LEVEL (INFO: production's request log line)")
    parser.add_argument("--show-sql", action="store_true", help="print the SQL of one answer POST")
    parser.add_argument("--profile-out", help="also write the profile's pstats to this file")
    args = parser.parse_args()

    total = args.warmup + args.posts * (args.rounds + 1)
    learners = -(-total // (SESSIONS_PER_LEARNER * SESSION_LENGTH))
    pg = ThrowawayPostgres().start()
    redis = ThrowawayRedis().start()
    multiproc = tempfile.mkdtemp(prefix="prepnexus-prometheus-")
    devnull = open(os.devnull, "w")  # noqa: SIM115  the request log (and the metrics thread) write here to the end
    try:
        os.environ.update(
            {
                "DATABASE_URL": pg.create_database("prepnexus_profile"),
                "REDIS_URL": redis.url,
                "DJANGO_SECRET_KEY": "answer-profile-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
                "DJANGO_DEBUG": "off",
                "CACHE_KEY_PREFIX": "answer-profile",
                "LOG_LEVEL": args.log_level,
                "DJANGO_SETTINGS_MODULE": "prepnexus.settings",
                "PROMETHEUS_MULTIPROC_DIR": multiproc,  # as under gunicorn (prepnexus/gunicorn.conf.py)
                # One learner answers far faster than the per-learner limit allows; the limit is still
                # counted in Redis on every POST.
                "RATELIMIT_ANSWER": "100000/60",
            }
        )
        from answers import build_data

        plan = build_data(learners)  # django.setup() and migrate happen in there
        from django.core.management import call_command

        call_command("collectstatic", "--noinput", "-v", "0")
        from django.conf import settings
        from django.core.wsgi import get_wsgi_application
        from django.db import connection
        from django_redis import get_redis_connection

        assert not settings.DEBUG
        driver = Driver(get_wsgi_application())  # sets Django up again, logging included
        quiet_stdout_logging(devnull)
        redis_client = get_redis_connection("default")
        counter = Counter()
        slots = answer_slots(plan)
        print(
            f"{len(plan)} learners, {len(settings.MIDDLEWARE)} middleware classes, "
            f"LOG_LEVEL={args.log_level}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        with connection.execute_wrapper(counter):
            run_round(driver, slots, args.warmup, redis_client, counter)
            health_round(driver, 50)
            rows = []
            for number in range(1, args.rounds + 1):
                post, replay, queries, commands = run_round(driver, slots, args.posts, redis_client, counter)
                health = health_round(driver, args.posts)
                rows.append((post, replay, health, queries, commands))
                print(
                    f"round {number}: answer POST {post:.2f} ms CPU, replay {replay:.2f} ms, "
                    f"GET /health/live {health:.2f} ms; {queries:.1f} SQL and {commands:.1f} Redis "
                    "commands per POST"
                )
            medians = [statistics.median(column) for column in zip(*rows, strict=True)]
            print(
                f"median of {args.rounds} rounds of {args.posts} POSTs: answer POST {medians[0]:.2f} ms CPU "
                f"per request, replay {medians[1]:.2f} ms, bare GET /health/live {medians[2]:.2f} ms; "
                f"{medians[3]:.1f} SQL statements and {medians[4]:.1f} Redis commands per POST"
            )
            if args.show_sql:
                show_sql(driver, slots)
            # CPU time of this thread, so waiting on PostgreSQL or Redis does not count.
            profiler = cProfile.Profile(time.thread_time)
            profiler.enable()
            run_round(driver, slots, args.posts, redis_client, counter)
            profiler.disable()
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
            print(f"\n== profile of {args.posts} more POSTs, by {order}")
            print(out.getvalue())
        if args.profile_out:
            profiler.dump_stats(args.profile_out)
        from django.db import connections

        connections.close_all()
    finally:
        redis.stop()
        pg.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
