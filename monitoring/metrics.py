"""Request metrics: Prometheus series (per process, merged by prometheus-client's multiprocess mode)
and per-route, per-minute figures in Redis that every gunicorn worker adds to.

Redis layout: one hash per minute, `<cache prefix>:1:monitoring:perf:<unix minute>`, with fields
`<route>|<kind>`: n (requests), e (5xx), ms (latency sum), l<i> and q<i> (latency and query-count
histogram buckets), ch/cm (cache hits and misses). Each process writes its buffered counts once a second
in one pipelined round trip; reading an hour is one pipelined HGETALL of 60 keys.
"""

import logging
import os
import threading
import time
from collections import defaultdict

from django.core.cache import caches
from django_redis import get_redis_connection
from prometheus_client import Counter, Gauge, Histogram

logger = logging.getLogger("prepnexus.metrics")

LATENCY_BUCKETS_MS = (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
QUERY_BUCKETS = (0, 1, 2, 3, 5, 10, 20, 50, 100)
KEY_TTL_SECONDS = 2 * 3600
REDIS_BACKOFF_SECONDS = 5.0
WINDOWS_MINUTES = (5, 60)
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

HTTP_REQUESTS = Counter(
    "prepnexus_http_requests",
    "HTTP requests answered, by route, method and status code.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "prepnexus_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it.",
    ["route"],
    buckets=[ms / 1000 for ms in LATENCY_BUCKETS_MS],
)
HTTP_QUERIES = Histogram(
    "prepnexus_http_request_db_queries",
    "Database queries run by one request.",
    ["route"],
    buckets=QUERY_BUCKETS,
)
CACHE_LOOKUPS = Counter("prepnexus_cache_lookups", "Cache reads by result.", ["result"])
DB_CIRCUIT_OPEN = Gauge(
    "prepnexus_db_circuit_open",
    "1 while a process's database circuit breaker is open.",
    multiprocess_mode="livemax",
)
DB_CIRCUIT_TRIPS = Counter("prepnexus_db_circuit_trips", "Times a database circuit breaker opened.")


def _bucket(value: float, bounds: tuple) -> int:
    for index, bound in enumerate(bounds):
        if value <= bound:
            return index
    return len(bounds)


def _perf_key(minute: int) -> str:
    return caches["default"].make_key(f"monitoring:perf:{minute}")


class PerformanceStore:
    """Per-route figures in Redis, summed over every process.

    A request only adds to an in-process buffer (a few dictionary updates); a background thread writes
    the buffer to Redis once a second in one pipelined round trip, and whoever reads the figures flushes
    its own process first. Redis being down never fails a request: the buffer is dropped and writing
    pauses for a few seconds.
    """

    FLUSH_SECONDS = 1.0

    def __init__(self):
        self._skip_until = 0.0
        self._lock = threading.Lock()
        self._buffer: dict[tuple[int, str], dict[str, int]] = {}
        self._flusher: threading.Thread | None = None
        self._pid = None

    def _client(self):
        return get_redis_connection("default")

    def record(self, *, route, status, duration_ms, queries, cache_hits, cache_misses) -> None:
        fields = {
            "n": 1,
            "ms": round(duration_ms),
            f"l{_bucket(duration_ms, LATENCY_BUCKETS_MS)}": 1,
            f"q{_bucket(queries, QUERY_BUCKETS)}": 1,
        }
        if status >= 500:
            fields["e"] = 1
        if cache_hits:
            fields["ch"] = cache_hits
        if cache_misses:
            fields["cm"] = cache_misses
        key = (int(time.time() // 60), route)
        with self._lock:
            bucket = self._buffer.setdefault(key, {})
            for field, amount in fields.items():
                bucket[field] = bucket.get(field, 0) + amount
            if self._pid != os.getpid():  # first request in this (forked) process
                self._pid = os.getpid()
                self._flusher = threading.Thread(target=self._flush_forever, name="perf-flush", daemon=True)
                self._flusher.start()

    def _flush_forever(self) -> None:
        while True:
            time.sleep(self.FLUSH_SECONDS)
            self.flush()

    def flush(self) -> None:
        with self._lock:
            buffer, self._buffer = self._buffer, {}
        if not buffer or time.monotonic() < self._skip_until:
            return
        try:
            pipe = self._client().pipeline(transaction=False)
            for (minute, route), fields in buffer.items():
                key = _perf_key(minute)
                for field, amount in fields.items():
                    pipe.hincrby(key, f"{route}|{field}", amount)
                pipe.expire(key, KEY_TTL_SECONDS)
            pipe.execute()
        except Exception as exc:  # Redis down or slow: metrics are best effort, requests are not
            self._skip_until = time.monotonic() + REDIS_BACKOFF_SECONDS
            logger.warning("performance metrics not recorded: %s", exc.__class__.__name__)

    def read_minutes(self, minutes: int = 60, now: float | None = None) -> dict[int, dict[str, dict]]:
        """{minute: {route: {kind: int}}} for the last `minutes` minutes, the current one included."""
        self.flush()
        current = int((now or time.time()) // 60)
        wanted = list(range(current - minutes + 1, current + 1))
        pipe = self._client().pipeline(transaction=False)
        for minute in wanted:
            pipe.hgetall(_perf_key(minute))
        out: dict[int, dict[str, dict]] = {}
        for minute, raw in zip(wanted, pipe.execute(), strict=True):
            routes: dict[str, dict] = defaultdict(dict)
            for field, value in raw.items():
                route, _, kind = field.decode().rpartition("|")
                routes[route][kind] = int(value)
            out[minute] = dict(routes)
        return out


store = PerformanceStore()


def percentile(counts: list[int], bounds: tuple, fraction: float, interpolate: bool = True):
    """Estimate a percentile from histogram bucket counts (the last bucket is the overflow)."""
    total = sum(counts)
    if not total:
        return None
    target = fraction * total
    seen = 0
    for index, count in enumerate(counts):
        if count and seen + count >= target:
            upper = bounds[min(index, len(bounds) - 1)]
            if not interpolate or index >= len(bounds):
                return upper
            lower = bounds[index - 1] if index else 0
            return round(lower + (upper - lower) * (target - seen) / count, 1)
        seen += count
    return bounds[-1]


def _summarise(parts: list[dict]) -> dict:
    n = sum(p.get("n", 0) for p in parts)
    errors = sum(p.get("e", 0) for p in parts)
    latency = [sum(p.get(f"l{i}", 0) for p in parts) for i in range(len(LATENCY_BUCKETS_MS) + 1)]
    queries = [sum(p.get(f"q{i}", 0) for p in parts) for i in range(len(QUERY_BUCKETS) + 1)]
    hits = sum(p.get("ch", 0) for p in parts)
    misses = sum(p.get("cm", 0) for p in parts)
    return {
        "requests": n,
        "errors_5xx": errors,
        "latency_ms": {
            "mean": round(sum(p.get("ms", 0) for p in parts) / n, 1) if n else None,
            "p50": percentile(latency, LATENCY_BUCKETS_MS, 0.50),
            "p95": percentile(latency, LATENCY_BUCKETS_MS, 0.95),
            "p99": percentile(latency, LATENCY_BUCKETS_MS, 0.99),
        },
        "queries_per_request_p95": percentile(queries, QUERY_BUCKETS, 0.95, interpolate=False),
        "cache_hit_ratio": round(hits / (hits + misses), 3) if hits + misses else None,
    }


def performance_report(minutes: dict[int, dict[str, dict]] | None = None) -> dict:
    """Per route and in total, over the last 5 and 60 minutes, plus a per-minute series for charts."""
    minutes = store.read_minutes(60) if minutes is None else minutes
    ordered = sorted(minutes)
    windows = {}
    for window in WINDOWS_MINUTES:
        recent = [minutes[m] for m in ordered[-window:]]
        routes = sorted({route for minute in recent for route in minute})
        windows[f"{window}m"] = {
            "total": _summarise([part for minute in recent for part in minute.values()]),
            "routes": {route: _summarise([m[route] for m in recent if route in m]) for route in routes},
        }
    series = []
    for minute in ordered:
        summary = _summarise(list(minutes[minute].values()))
        series.append(
            {
                "minute": minute * 60,
                "requests": summary["requests"],
                "errors_5xx": summary["errors_5xx"],
                "p95_ms": summary["latency_ms"]["p95"],
            }
        )
    return {"windows": windows, "series": series}
