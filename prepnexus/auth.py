"""Login throttling glue for django-axes: who is locked out, and what they are told."""

import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.template import loader


class AxesBackend(AxesStandaloneBackend):
    """django-axes' gate, first in AUTHENTICATION_BACKENDS: a locked-out client is refused before any
    password is checked.

    authenticate() calls without a request (management commands, the test client's login()) have no
    client to key a lockout on; they pass through to the real backends. Every web login form (ours and
    the admin's) passes the request, and the lockout tests exercise both.
    """

    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_identifier(request: HttpRequest, credentials: dict | None = None) -> str:
    """The account a login attempt is for, so its failures share one counter however it is typed.

    Logins accept the username or the email, in any case: an email that belongs to an account counts
    as that account's username, and anything else is counted as typed, trimmed and lower-cased. NUL
    characters are dropped (the attempt is stored in PostgreSQL text, which refuses them).
    """
    value = (credentials or {}).get("username")
    if value is None:
        value = request.POST.get("username", "")
    typed = str(value).replace("\x00", "").strip().lower()[:254]
    if "@" in typed:
        username = (
            get_user_model()._default_manager.filter(email__iexact=typed).values_list("username", flat=True)
        ).first()
        if username:
            return username.lower()
    return typed


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """429 with a page that says why and when to try again; Retry-After says the same to machines."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    context = {"retry_after": seconds, "retry_minutes": max(1, math.ceil(seconds / 60))}
    body = loader.get_template("registration/lockout.html").render(context, request)
    response = HttpResponse(body, status=429)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
