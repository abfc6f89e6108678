import asyncio
import threading
import time

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from health_check.views import HealthCheckView, MediaType

from .health import CRITICAL, DEGRADED

RETRY_AFTER_SECONDS = 5
SHARE_SECONDS = 1.0  # a fleet of load balancers polling every 100 ms still costs one probe per second


class _SharedResults:
    """The last probe's results, shared by every thread of this process for SHARE_SECONDS."""

    def __init__(self):
        self.lock = threading.Lock()
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


class HealthView(HealthCheckView):
    """Database and migrations are critical (503 when they fail); the cache only degrades."""

    checks = [*CRITICAL, *DEGRADED]

    async def get(self, request, *args, **kwargs):
        results = _shared.fresh()
        if results is None:
            with self.get_executor() as executor:
                results = await asyncio.gather(*(check.get_result(executor) for check in self.get_checks()))
            _shared.store(results)
        self.results = results
        summary = _summary(results)
        status_code = 503 if summary["status"] == "unhealthy" else 200
        response = self._respond(request, summary, status_code)
        if status_code == 503:
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    def _wants_json(self, request) -> bool:
        if request.GET.get("format") == "json":
            return True
        try:
            media = next(MediaType.parse_header(request.headers.get("accept", "*/*")), None)
        except ValueError:
            return False
        return media is not None and media.mime_type in ("application/json", "application/*")

    def _respond(self, request, summary, status_code):
        if self._wants_json(request):
            return JsonResponse(summary, status=status_code)
        if request.GET.get("format") == "text":
            lines = [f"status: {summary['status']}"]
            lines += [f"{name}: {'OK' if c['ok'] else c['error']}" for name, c in summary["checks"].items()]
            return HttpResponse("\n".join(lines) + "\n", content_type="text/plain", status=status_code)
        return render(request, "monitoring/health.html", {"summary": summary}, status=status_code)


def live(request):
    """Liveness: the process answers. No database, no cache, no disk."""
    response = HttpResponse("ok\n", content_type="text/plain")
    add_never_cache_headers(response)
    patch_vary_headers(response, ["Accept"])
    return response
