"""Blog benchmark: cached pages against a bare Django view and against uncached rendering.

    .venv/bin/python bench/blog.py [--seconds 5] [--rounds 3] [--posts 200] [--connections 8]

Starts its own PostgreSQL and Redis (never the shared ones), loads realistic posts through the
services, and runs the app under gunicorn. In one run it measures, on the same data and server:

- bare:     a bench-only Django view (bench/urls_bare.py) returning the very bytes of the cached page,
            through the whole middleware stack: the ceiling for a cached page;
- cached:   the blog index and a post, served to anonymous visitors from Redis;
- uncached: the same pages from a second server with BLOG_CACHE_ENABLED=off.

It prints req/s, p50 and p99 latency and the ratios cached/bare (goal >= 0.7) and cached/uncached
(goal >= 5).
"""

import argparse
import multiprocessing
import os
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness.servers import Gunicorn, ThrowawayPostgres, ThrowawayRedis  # noqa: E402

SECRET_KEY = "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
WORDS = [
    *("module", "pacing", "passage", "evidence", "inference", "equation", "linear", "quadratic"),
    *("function", "ratio", "percent", "data", "table", "graph", "transition", "punctuation"),
    *("boundary", "clause", "verb", "subject", "score", "practice", "review", "strategy"),
    *("question", "answer", "choice", "reading", "writing", "math", "geometry", "circle"),
]


def _paragraph(rng: random.Random, sentences: int = 5) -> str:
    out = []
    for _ in range(sentences):
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


def _body(rng: random.Random) -> str:
    parts = []
    for section in range(5):
        parts.append(f"## Section {section + 1}: {rng.choice(WORDS)} and {rng.choice(WORDS)}")
        parts.extend(_paragraph(rng) for _ in range(3))
        parts.append("\n".join(f"- **{rng.choice(WORDS)}**: {_paragraph(rng, 1)}" for _ in range(4)))
    parts.append("| Skill | Share | Minutes |\n|:--|--:|--:|\n" + "\n".join(
        f"| {rng.choice(WORDS)} | {rng.randint(5, 35)}% | {rng.randint(5, 40)} |" for _ in range(6)
    ))  # fmt: skip
    parts.append("```python\ndef pace(questions, minutes):\n    return minutes * 60 / questions\n```")
    return "\n\n".join(parts)


def load_data(database_url: str, redis_url: str, posts: int, tags: int) -> str:
    """Create posts and tags through the services; return the slug of a post in the middle."""
    os.environ.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CACHE_KEY_PREFIX="bench",
        DJANGO_SETTINGS_MODULE="prepnexus.settings",
        DJANGO_SECRET_KEY=SECRET_KEY,
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from blog import services
    from blog.models import Post
    from practice.models import User

    call_command("migrate", verbosity=0)
    rng = random.Random(5)
    author = User.objects.create(username="bench-author", email="bench@example.invalid", is_staff=True)
    tag_objects = [services.tag_create(name=f"Topic {n}") for n in range(tags)]
    now = timezone.now()
    for n in range(posts):
        services.post_create(
            author=author,
            title=f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)}: study note {n}",
            slug=f"study-note-{n}",
            summary=_paragraph(rng, 2),
            body=_body(rng),
            tags=rng.sample(tag_objects, 3),
            status=Post.Status.PUBLISHED,
            publish_at=now - timedelta(hours=n + 1),
        )
    # Something scheduled, so cache lifetimes are capped as in real use.
    services.post_create(
        author=author, title="Scheduled", slug="scheduled", summary="Later.", body="Later.",
        status=Post.Status.PUBLISHED, publish_at=now + timedelta(days=1),
    )  # fmt: skip
    from django.db import connections

    connections.close_all()
    return f"study-note-{posts // 2}"


def _read_response(sock: socket.socket, buffer: bytearray) -> tuple[int, bytes]:
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buffer += chunk
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = bytearray(rest)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        body += chunk
    buffer[:] = body[length:]
    return status, bytes(body[:length])


def _client_process(port: int, path: str, threads: int, warmup: float, seconds: float, queue) -> None:
    """Keep-alive HTTP/1.1 clients on raw sockets, so the client costs as little CPU as possible."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    start = time.monotonic() + warmup
    stop = start + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def run():
        mine: list[float] = []
        sock, buffer = None, bytearray()
        while (now := time.monotonic()) < stop:
            try:
                if sock is None:
                    sock = socket.create_connection(("127.0.0.1", port))
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    buffer = bytearray()
                sock.sendall(request)
                status, _ = _read_response(sock, buffer)
                if status != 200:
                    raise ConnectionError(status)
            except (OSError, ConnectionError):
                errors[0] += 1
                sock = None
                continue
            if now >= start:
                mine.append(time.monotonic() - now)
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put((latencies, errors[0]))


def measure(port: int, path: str, connections: int, seconds: float, warmup: float = 0.5) -> dict:
    processes = 2
    queue = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(
            target=_client_process, args=(port, path, connections // processes, warmup, seconds, queue)
        )
        for _ in range(processes)
    ]
    for proc in procs:
        proc.start()
    latencies, errors = [], 0
    for _ in procs:
        lat, err = queue.get(timeout=seconds + warmup + 60)
        latencies += lat
        errors += err
    for proc in procs:
        proc.join()
    return _summary(sorted(latencies), seconds, errors)


def _combine(parts: list[dict]) -> dict:
    latencies = sorted(lat for part in parts for lat in part["latencies"])
    seconds = sum(part["seconds"] for part in parts)
    return _summary(latencies, seconds, sum(part["errors"] for part in parts))


def _summary(latencies: list[float], seconds: float, errors: int) -> dict:
    return {
        "rps": len(latencies) / seconds,
        "p50": latencies[len(latencies) // 2] * 1000 if latencies else float("nan"),
        "p99": latencies[int(len(latencies) * 0.99)] * 1000 if latencies else float("nan"),
        "errors": errors,
        "latencies": latencies,
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per scenario and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the median round is reported")
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--tags", type=int, default=30)
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections")
    parser.add_argument(
        "--redis-nice",
        type=int,
        default=0,
        help="nice value for the benchmark's Redis (e.g. -10, as root): on a crowded machine, approximates "
        "production, where Redis has a core of its own instead of queueing behind every other process",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    args = parser.parse_args()

    load_at_start = os.getloadavg()[0]
    postgres = ThrowawayPostgres(extra_conf={"max_connections": 200}).start()
    redis = ThrowawayRedis().start()
    if args.redis_nice:
        os.setpriority(os.PRIO_PROCESS, redis.proc.pid, args.redis_nice)
    servers: list[Gunicorn] = []
    bare_dir = Path(tempfile.mkdtemp(prefix="prepnexus-bench-bare-"))
    try:
        database_url = postgres.create_database("bench")
        print(f"loading {args.posts} posts and {args.tags} tags ...", flush=True)
        slug = load_data(database_url, redis.url, args.posts, args.tags)
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis.url,
            "CACHE_KEY_PREFIX": "bench",
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DB_POOL_SIZE": "2",
            "DB_MAX_OVERFLOW": "4",
            "DJANGO_SETTINGS_MODULE": "bench.settings_bare",  # mounts /_bench/bare/<name>/
            "PREPNEXUS_TEST_SETTINGS": "on",  # which that settings module requires
            "BENCH_BARE_DIR": str(bare_dir),
            "LOG_LEVEL": "WARNING",
            "GUNICORN_LOG_LEVEL": "warning",
        }
        pages = {"index": "/blog/", "detail": f"/blog/{slug}/"}

        cached = Gunicorn(env, workers=args.workers, threads=args.threads)
        servers.append(cached)
        cached.start()
        for name, path in pages.items():
            status, _, body, _ = cached.get(path)
            assert status == 200, (path, status)
            (bare_dir / f"{name}.html").write_bytes(body)
            print(f"{name}: {path} is {len(body)} bytes", flush=True)
        for name in pages:
            status, _, body, _ = cached.get(f"/_bench/bare/{name}/")
            assert status == 200 and body == (bare_dir / f"{name}.html").read_bytes(), "bare bytes differ"

        uncached = Gunicorn({**env, "BLOG_CACHE_ENABLED": "off"}, workers=args.workers, threads=args.threads)
        servers.append(uncached)

        results: dict[tuple[str, str], list[dict]] = {}
        for round_number in range(args.rounds):
            print(f"round {round_number + 1}/{args.rounds}", flush=True)
            if uncached.proc:
                uncached.stop()
            if not cached.proc:
                cached.start()
            for name, path in pages.items():
                # Bare and cached alternate in ABBA halves, so load from elsewhere hits both alike.
                urls = {"bare": f"/_bench/bare/{name}/", "cached": path}
                halves: dict[str, list[dict]] = {"bare": [], "cached": []}
                for kind in ("bare", "cached", "cached", "bare"):
                    halves[kind].append(measure(cached.port, urls[kind], args.connections, args.seconds / 2))
                for kind, parts in halves.items():
                    results.setdefault((name, kind), []).append(_combine(parts))
            cached.stop()  # one server at a time: the machine has two cores
            uncached.start()
            for name, path in pages.items():
                results.setdefault((name, "uncached"), []).append(
                    measure(uncached.port, path, args.connections, args.seconds)
                )
        uncached.stop()

        def median(name, kind):
            rounds = sorted(results[(name, kind)], key=lambda r: r["rps"])
            return rounds[len(rounds) // 2]

        print()
        print(f"{'page':8} {'variant':9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for name in pages:
            for kind in ("bare", "cached", "uncached"):
                r = median(name, kind)
                print(f"{name:8} {kind:9} {r['rps']:9.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['errors']:7d}")
        print()
        # Ratios are taken within each round (bare, cached and uncached measured minutes apart at
        # most), then the median over rounds, so drifting load from elsewhere cancels out.
        for name in pages:
            rounds = zip(*(results[(name, kind)] for kind in ("bare", "cached", "uncached")), strict=True)
            to_bare, to_uncached = [], []
            for bare, hit, miss in rounds:
                to_bare.append(hit["rps"] / bare["rps"])
                to_uncached.append(hit["rps"] / miss["rps"])
            print(
                f"{name:8} cached/bare = {statistics.median(to_bare):.2f} (goal >= 0.70)   "
                f"cached/uncached = {statistics.median(to_uncached):.1f}x (goal >= 5x)   "
                f"per round: {', '.join(f'{r:.2f}' for r in to_bare)} / "
                f"{', '.join(f'{r:.0f}x' for r in to_uncached)}"
            )
        print(
            f"\n{args.workers} gunicorn workers x {args.threads} threads, "
            f"{args.connections} keep-alive connections, Redis nice {args.redis_nice}, "
            f"{args.seconds:g} s x {args.rounds} rounds (median), {args.posts} posts, {os.cpu_count()} CPUs, "
            f"load average {load_at_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
        )
    finally:
        for server in servers:
            server.stop()
        redis.stop()
        postgres.destroy()
        for file in bare_dir.glob("*"):
            file.unlink()
        bare_dir.rmdir()


if __name__ == "__main__":
    main()
