import asyncio
import os
import threading
import time

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django_redis import get_redis_connection
from health_check.views import HealthCheckView
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess

from practice.selectors.jobs import queue_stats

from . import charts, metrics, selectors
from .alerts import alert_recipients
from .auth import has_valid_token, token_or_staff_required
from .breaker import breaker
from .health import CRITICAL, DEGRADED
from .queue_metrics import queue_exposition
from .responses import wants_json

RETRY_AFTER_SECONDS = 5
SHARE_SECONDS = 1.0  # a fleet of load balancers polling every 100 ms still costs one probe per second


class _SharedResults:
    """The last probe's results, shared by every thread of this process for SHARE_SECONDS.

    Single flight: when they expire, one thread probes again and the others wait for its answer (at most
    the 2 s check box), so concurrent polls never open extra connections and never see a stale "ok".
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.refreshing = threading.Lock()
        self.at = 0.0
        self.results = None

    def fresh(self):
        with self.lock:
            if self.results is not None and time.monotonic() - self.at < SHARE_SECONDS:
                return self.results
        return None

    def store(self, results):
        with self.lock:
            self.at = time.monotonic()
            self.results = results


_shared = _SharedResults()


def _summary(results) -> dict:
    checks = {}
    critical_failed = degraded = False
    for result in results:
        critical = isinstance(result.check, CRITICAL)
        checks[type(result.check).__name__.removeprefix("Timed").lower()] = {
            "ok": result.error is None,
            "critical": critical,
            "error": None if result.error is None else str(result.error),
            "ms": round(result.time_taken * 1000, 1),
        }
        if result.error is not None:
            critical_failed |= critical
            degraded |= not critical
    status = "unhealthy" if critical_failed else ("degraded" if degraded else "ok")
    return {"status": status, "checks": checks}


def _public(summary: dict) -> dict:
    """Status only: a database error names the host, port and user, which anonymous callers must not see."""
    return {
        "status": summary["status"],
        "checks": {name: {"ok": c["ok"], "critical": c["critical"]} for name, c in summary["checks"].items()},
    }


async def _may_see_detail(request) -> bool:
    """Token holders, and staff while the database can still say who is signed in."""
    if has_valid_token(request):
        return True
    try:
        user = await request.auser()
    except Exception:  # the database is down: nobody can be recognised as staff, so status only
        return False
    return user.is_active and user.is_staff


class HealthView(HealthCheckView):
    """Database and migrations are critical (503 when they fail); the cache only degrades."""

    checks = [*CRITICAL, *DEGRADED]

    async def get(self, request, *args, **kwargs):
        if breaker.is_open():
            # The breaker already knows: answer at once, and check only what does not need PostgreSQL.
            summary = await self._summary_while_database_unreachable()
        else:
            results = await self._shared_results()
            self.results = results
            summary = _summary(results)
        status_code = 503 if summary["status"] == "unhealthy" else 200
        if not await _may_see_detail(request):
            summary = _public(summary)
        response = self._respond(request, summary, status_code)
        if status_code == 503:
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            # An unhealthy probe is an answer, not a server error: no error log line, no admin mail.
            response._has_been_logged = True
        return response

    async def _shared_results(self):
        results = _shared.fresh()
        if results is not None:
            return results
        if not _shared.refreshing.acquire(blocking=False):
            # Another thread is probing: wait for its answer rather than probe in parallel.
            deadline = time.monotonic() + 3.0
            while _shared.refreshing.locked() and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            results = _shared.fresh()
            if results is not None:
                return results
            if not _shared.refreshing.acquire(blocking=False):
                return await self._probe()  # the other probe is stuck: do not wait forever
        try:
            results = await self._probe()
            _shared.store(results)
            return results
        finally:
            _shared.refreshing.release()

    async def _probe(self):
        with self.get_executor() as executor:
            return await asyncio.gather(*(check.get_result(executor) for check in self.get_checks()))

    async def _summary_while_database_unreachable(self) -> dict:
        cached = _shared.fresh()
        if cached is not None:
            results = [r for r in cached if isinstance(r.check, DEGRADED)]
        else:
            with self.get_executor() as executor:
                results = await asyncio.gather(*(check().get_result(executor) for check in DEGRADED))
        summary = _summary(results)
        error = f"circuit breaker open: {breaker.last_error or 'database unreachable'}"
        summary["checks"] = {
            "database": {"ok": False, "critical": True, "error": error, "ms": 0.0},
            "migrations": {"ok": False, "critical": True, "error": "not checked", "ms": 0.0},
            **summary["checks"],
        }
        summary["status"] = "unhealthy"
        return summary

    def _respond(self, request, summary, status_code):
        if wants_json(request):
            return JsonResponse(summary, status=status_code)
        if request.GET.get("format") == "text":
            lines = [f"status: {summary['status']}"]
            checks = summary["checks"].items()
            lines += [f"{name}: {'OK' if c['ok'] else c.get('error', 'failed')}" for name, c in checks]
            return HttpResponse("\n".join(lines) + "\n", content_type="text/plain", status=status_code)
        # No request context: context processors would load the session and user, which is database
        # work (and this view is async). The health page shows no one's data.
        html = loader.render_to_string("monitoring/health.html", {"summary": summary})
        return HttpResponse(html, status=status_code)


def live(request):
    """Liveness: the process answers. No database, no cache, no disk."""
    response = HttpResponse("ok\n", content_type="text/plain")
    add_never_cache_headers(response)
    patch_vary_headers(response, ["Accept"])
    return response


def _json(payload, status=200):
    response = JsonResponse(payload, status=status, json_dumps_params={"default": str})
    add_never_cache_headers(response)
    return response


@token_or_staff_required
def database_health(request):
    """PostgreSQL as the app sees it: latency, version, pool, connections, size, replicas."""
    return _json(selectors.database_health())


@token_or_staff_required
def performance(request):
    """Per-route request figures over the last 5 and 60 minutes, summed over every worker (Redis)."""
    try:
        report = metrics.performance_report()
    except Exception as exc:  # Redis holds these figures; without it there is nothing to report
        return _json({"error": "metrics store unavailable", "detail": type(exc).__name__}, status=503)
    return _json({"generated_at": timezone.now().isoformat(), **report})


@token_or_staff_required
def prometheus_metrics(request):
    """Prometheus exposition, merged over every gunicorn worker in multiprocess mode, plus the job queue's
    figures read from PostgreSQL now."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    body = generate_latest(registry) + queue_exposition()
    response = HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
    add_never_cache_headers(response)
    return response


def _cache_status() -> dict:
    started = time.perf_counter()
    try:
        get_redis_connection("default").ping()
    except Exception as exc:  # the cache being down is what this reports
        return {"ok": False, "error": type(exc).__name__, "ms": None}
    return {"ok": True, "error": None, "ms": round((time.perf_counter() - started) * 1000, 1)}


def dashboard(request):
    """The staff monitoring page: dependencies, the job queue, request charts, slowest routes."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_staff:
        raise PermissionDenied
    database = selectors.database_health()
    try:
        report = metrics.performance_report()
    except Exception:  # Redis down: show the page without the charts
        report = None
    context = {
        "database": database,
        "cache": _cache_status(),
        "report": report,
        "jobs": queue_stats(),
        "alert_recipients": len(alert_recipients()),
        "alert_minutes": settings.ALERT_RATE_MINUTES,
    }
    if report is not None:
        context |= charts.dashboard_charts(report)
    response = render(request, "monitoring/dashboard.html", context)
    add_never_cache_headers(response)
    return response
