"""A cache-based rate limit for views: a fixed window counted with one atomic Redis INCR (a Lua script).

Usage (limits come from settings.RATELIMITS, read from the environment)::

    from prepnexus.ratelimit import ratelimit

    @ratelimit("answer", key="user")        # per signed-in learner (falls back to the client IP)
    @login_required
    @require_POST
    def answer_create(request, session_pk): ...

Add the scope to RATELIMITS in settings ("answer": (120, 60) means 120 requests per 60 seconds).
Over the limit the view is not called; the visitor gets 429 with a page that says when to retry and a
Retry-After header. Only the methods in `methods` (POST by default) are counted. If Redis cannot be
reached the request is allowed and the failure is logged: a cache outage must not lock everyone out.
"""

import functools
import hashlib
import logging
import math
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django_redis import get_redis_connection
from redis.commands.core import Script

from .clientip import client_ip

logger = logging.getLogger("prepnexus.ratelimit")

KeyFunc = Callable[[HttpRequest], str]


def key_ip(request: HttpRequest) -> str:
    return f"ip:{client_ip(request)}"


def key_user(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return key_ip(request)


def key_post_field(name: str) -> KeyFunc:
    """Key on a submitted field, e.g. the email a password reset is sent to (case-insensitive)."""

    def key(request: HttpRequest) -> str:
        value = request.POST.get(name, "").strip().lower()
        # Hashed: a cache key must not carry whatever bytes a visitor typed, nor grow with them.
        return f"{name}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"

    return key


KEYS: dict[str, KeyFunc] = {"ip": key_ip, "user": key_user}


# INCR, and the window's expiry on the first count, as one atomic command with one reply (EVALSHA);
# the same as a MULTI/INCR/EXPIRE NX/EXEC pipeline at a third of the replies to parse.
_COUNT = Script(
    None,
    b"""
local count = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1], 'NX')
return count
""",
)


def hit(scope: str, ident: str, limit: int, window: int) -> tuple[bool, int]:
    """Count one request; return (allowed, seconds until the window resets). Fails open."""
    now = time.time()
    window_start = int(now // window) * window
    retry_after = max(1, math.ceil(window_start + window - now))
    key = cache.make_and_validate_key(f"ratelimit:{scope}:{ident}:{window_start}")
    try:
        count = _COUNT(keys=[key], args=[window + 1], client=get_redis_connection("default"))
    except Exception:
        logger.warning("rate limit %s not enforced: the cache is unreachable", scope, exc_info=True)
        return True, retry_after
    return count <= limit, retry_after


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    minutes = max(1, math.ceil(retry_after / 60))
    body = loader.get_template("429.html").render(
        {"retry_after": retry_after, "retry_minutes": minutes}, request
    )
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def ratelimit(scope: str, key: str | KeyFunc = "ip", methods: tuple[str, ...] = ("POST",)):
    """Refuse a view with 429 once `scope`'s limit (settings.RATELIMITS[scope]) is used up for `key`."""
    key_func = KEYS[key] if isinstance(key, str) else key

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if settings.RATELIMIT_ENABLED and request.method in methods:
                limit, window = settings.RATELIMITS[scope]
                allowed, retry_after = hit(scope, key_func(request), limit, window)
                if not allowed:
                    logger.info("rate limit %s reached", scope)
                    return too_many_requests(request, retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
