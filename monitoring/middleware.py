"""Monitoring plugs into every request here (settings add both middlewares; no app imports them).

RequestObservationMiddleware (outermost): request id, one JSON log line per request, the slow-request
log, Prometheus series and the per-route figures in Redis.
DatabaseCircuitBreakerMiddleware (after whitenoise): the branded 503 while PostgreSQL is unreachable.
"""

import contextlib
import logging
import os
import re
import sys
import time
import uuid

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import DEFAULT_DB_ALIAS, connections
from django.urls import Resolver404, resolve

from . import context, metrics
from .breaker import breaker, is_database_unavailable
from .responses import database_unavailable

request_logger = logging.getLogger("prepnexus.request")
slow_logger = logging.getLogger("prepnexus.request.slow")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# URL parts that are credentials (the password-reset token): logged as MASK, never as sent.
SECRET_URL_KWARGS = ("token",)
MASK = "********"


def _resolved(request):
    match = getattr(request, "resolver_match", None)
    if match is None and not request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
    return match


def route_name(request) -> str:
    """The resolver's route name (`namespace:name`): a bounded label, unlike the path."""
    if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return "static"
    match = _resolved(request)
    return "unmatched" if match is None else (match.view_name or "unnamed")


def loggable_path(request) -> str:
    """The path with credential parts masked: a reset link in a log file must not reset a password."""
    path = request.path
    match = _resolved(request)
    if match is not None:
        for name in SECRET_URL_KWARGS:
            value = match.kwargs.get(name)
            if value:
                path = path.replace(f"/{value}/", f"/{MASK}/")
    return path


class RequestObservationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        incoming = request.headers.get("x-request-id", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        stats = context.RequestStats(request_id)
        token = context.current.set(stats)
        try:
            with contextlib.ExitStack() as stack:
                for alias in connections:
                    stack.enter_context(connections[alias].execute_wrapper(stats.count_query))
                response = self.get_response(request)
            response["X-Request-ID"] = request_id
            self._observe(request, response, stats, (time.perf_counter() - started) * 1000)
        finally:
            context.current.reset(token)
        return response

    def _observe(self, request, response, stats, duration_ms):
        route = route_name(request)
        path = loggable_path(request)
        status = response.status_code
        fields = {
            "request_id": stats.request_id,
            "route": route,
            "method": request.method,
            "path": path,
            "status": status,
            "duration_ms": round(duration_ms, 1),
            "queries": stats.queries,
            "cache_hits": stats.cache_hits,
            "cache_misses": stats.cache_misses,
            "pid": os.getpid(),
        }
        request_logger.info("%s %s %s", request.method, path, status, extra=fields)
        if duration_ms > settings.SLOW_REQUEST_MS:
            slow_logger.warning(
                "slow request: %s %s took %.0f ms",
                request.method,
                path,
                duration_ms,
                extra={**fields, "threshold_ms": settings.SLOW_REQUEST_MS},
            )
        method = request.method if request.method in metrics.METHODS else "OTHER"
        metrics.HTTP_REQUESTS.labels(route, method, str(status)).inc()
        metrics.HTTP_LATENCY.labels(route).observe(duration_ms / 1000)
        metrics.HTTP_QUERIES.labels(route).observe(stats.queries)
        metrics.store.record(
            route=route,
            status=status,
            duration_ms=duration_ms,
            queries=stats.queries,
            cache_hits=stats.cache_hits,
            cache_misses=stats.cache_misses,
        )


def _primary_failed(exc) -> bool:
    """The primary (default) database is unreachable, not just a read replica.

    A replica's outage is the replica router's to handle: it marks the replica down and retries the
    read on the primary. Django flags the connection an error went through (errors_occurred).
    """
    if not is_database_unavailable(exc):
        return False
    if connections[DEFAULT_DB_ALIAS].errors_occurred:
        return True
    return not any(
        conn.errors_occurred
        for conn in connections.all(initialized_only=True)
        if conn.alias != DEFAULT_DB_ALIAS
    )


def _note_database_exception(sender, request=None, **kwargs):
    # Errors raised outside the view (in other middleware) reach us only as a 500 and this signal.
    exc = sys.exc_info()[1]
    if request is not None and _primary_failed(exc):
        request._database_unavailable = exc


def _exempt(path: str) -> bool:
    # Liveness must never depend on the database; health pages and metrics report the outage themselves.
    return path.startswith(("/health/", "/metrics"))


class DatabaseCircuitBreakerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(_note_database_exception, dispatch_uid="monitoring-db-breaker")

    def __call__(self, request):
        if _exempt(request.path_info):
            return self.get_response(request)
        started = time.monotonic()
        if not breaker.allow(started):
            return self._unavailable(request)
        response = self._attempt(request)
        exc = request.__dict__.pop("_database_unavailable", None)
        if exc is None:
            return response
        breaker.record_failure(exc)
        # A GET caught by a restart is retried once if the database is back within the wait window.
        if request.method in SAFE_METHODS and breaker.allow(started):
            response = self._attempt(request)
            exc = request.__dict__.pop("_database_unavailable", None)
            if exc is None:
                return response
            breaker.record_failure(exc)
        return self._unavailable(request)

    def _attempt(self, request):
        response = self.get_response(request)
        if "_database_unavailable" in request.__dict__:
            for conn in connections.all(initialized_only=True):
                with contextlib.suppress(Exception):
                    conn.close()
                conn.connection = None
        return response

    def _unavailable(self, request):
        return database_unavailable(request, breaker.retry_after)

    def process_exception(self, request, exception):
        if _primary_failed(exception):
            request._database_unavailable = exception
            return database_unavailable(request, breaker.retry_after)
        return None
