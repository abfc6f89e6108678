"""Who may read monitoring data: staff sessions, or machines holding MONITORING_TOKEN."""

import functools
import hmac

from django.conf import settings
from django.http import JsonResponse


def _bearer(request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip()


def has_valid_token(request) -> bool:
    """True when the request carries `Authorization: Bearer <MONITORING_TOKEN>` (never the database)."""
    token = _bearer(request)
    expected = settings.MONITORING_TOKEN
    return bool(token and expected and hmac.compare_digest(token.encode(), expected.encode()))


def token_or_staff_required(view):
    """401 without credentials or with a wrong token, 403 for signed-in non-staff; JSON either way.

    A valid token never touches the database, so Prometheus can scrape while PostgreSQL is down.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        token = _bearer(request)
        expected = settings.MONITORING_TOKEN
        if token is not None:
            if expected and hmac.compare_digest(token.encode(), expected.encode()):
                return view(request, *args, **kwargs)
            return _denied(401, "invalid token")
        if request.user.is_authenticated:
            if request.user.is_staff:
                return view(request, *args, **kwargs)
            return _denied(403, "staff only")
        return _denied(401, "authentication required")

    return wrapped


def _denied(status: int, message: str):
    response = JsonResponse({"error": message}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="monitoring"'
    return response
