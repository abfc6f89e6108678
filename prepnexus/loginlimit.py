"""Login limits checked before any password is hashed: against spraying, and against burning CPU.

django-axes locks one (client address, account) pair. These limits, on the learner login and the
admin login, add what it leaves open:

- `login` (RATELIMIT_LOGIN): login POSTs per client address, successful or not. Every attempt costs a
  full password hash, so this bounds the CPU one address can spend.
- `login-failures` (RATELIMIT_LOGIN_FAILURES, COUNT/SECONDS): failed logins per client address, across
  all accounts. After COUNT, that address waits SECONDS (restarted by each later failure): one address
  can no longer try a few passwords on every account.
- `login-account` (RATELIMIT_LOGIN_ACCOUNT, COUNT/SECONDS): failed logins per account, from any
  address. After COUNT, each attempt for that account must wait 1 s, then 2 s, 4 s... up to SECONDS
  after the last failure. The account is slowed, never locked: its owner gets in after the wait.

A refused attempt answers 429 with Retry-After and never reaches the form, the backends or the hasher.
Like the other rate limits, they are skipped (and a warning logged) when Redis is unreachable.
"""

import functools
import hashlib
import logging
import math

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django_redis import get_redis_connection
from redis.commands.core import Script

from .auth import login_identifier
from .clientip import client_ip
from .ratelimit import ratelimit

logger = logging.getLogger("prepnexus.ratelimit")

# One failure: count it (the count is forgotten 2 x SECONDS after the last failure), and from the COUNT-th on,
# set the wait key for min(first_wait * 2 ** (count - COUNT), SECONDS) seconds.
_FAIL = Script(
    None,
    b"""
local count = redis.call('INCR', KEYS[1])
local limit, longest, first = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('EXPIRE', KEYS[1], longest * 2)
if count >= limit then
  local wait = math.min(first * 2 ^ math.min(count - limit, 30), longest)
  redis.call('SET', KEYS[2], '1', 'EX', math.ceil(wait))
end
return count
""",
)


def _keys(scope: str, ident: str) -> tuple[str, str]:
    # Hashed: a cache key must not carry whatever a visitor typed as their username, nor grow with it.
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    return tuple(
        cache.make_and_validate_key(f"loginlimit:{scope}:{digest}:{part}") for part in ("count", "wait")
    )


def subjects(request: HttpRequest) -> list[tuple[str, str, int]]:
    """(scope, identity, seconds of the first wait) for the address and the account a login is for."""
    found = [("login-failures", client_ip(request), settings.RATELIMITS["login-failures"][1])]
    account = login_identifier(request)
    if account:
        found.append(("login-account", account, 1))
    return found


def seconds_to_wait(request: HttpRequest) -> int:
    """How long this login attempt must wait (0: go ahead)."""
    try:
        redis = get_redis_connection("default")
        waits = [redis.ttl(_keys(scope, ident)[1]) for scope, ident, _ in subjects(request)]
    except Exception:
        logger.warning("login limits not enforced: the cache is unreachable", exc_info=True)
        return 0
    return max([0, *waits])


def record_failure(request: HttpRequest) -> None:
    try:
        redis = get_redis_connection("default")
        for scope, ident, first in subjects(request):
            limit, longest = settings.RATELIMITS[scope]
            _FAIL(keys=list(_keys(scope, ident)), args=[limit, longest, first], client=redis)
    except Exception:
        logger.warning("login failure not counted: the cache is unreachable", exc_info=True)


def login_paused(request: HttpRequest, seconds: int) -> HttpResponse:
    context = {"retry_after": seconds, "retry_minutes": max(1, math.ceil(seconds / 60))}
    body = loader.get_template("registration/login_paused.html").render(context, request)
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(seconds)
    return response


def login_limited(view):
    """Wrap a login view (ours or the admin's) in the limits above, once."""
    if getattr(view, "login_limited", False):
        return view  # already wrapped: counting twice would halve every limit

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (settings.RATELIMIT_ENABLED and request.method == "POST"):
            return view(request, *args, **kwargs)
        wait = seconds_to_wait(request)
        if wait > 0:
            logger.info("login paused for %s s", wait)
            return login_paused(request, wait)
        response = view(request, *args, **kwargs)
        # The form shown again (200) is a failed login; a success redirects, axes' refusal is a 429.
        if response.status_code == 200 and not request.user.is_authenticated:
            record_failure(request)
        return response

    limited = ratelimit("login")(wrapped)
    limited.login_limited = True
    return limited
