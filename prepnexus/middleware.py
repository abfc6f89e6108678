"""Small security middleware that no library covers."""

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest
from django.utils.cache import patch_cache_control

from .views import bad_request, payload_too_large


class PermissionsPolicyMiddleware:
    """Send Permissions-Policy: the site needs no camera, microphone, location, payment or USB."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class PrivateNoStoreMiddleware:
    """Mark signed-in HTML pages `private, no-store`.

    On a shared school computer the next pupil must not see the previous one's pages from the browser's
    cache (Back button, history) or from a proxy. Anonymous pages (the cached blog) keep their headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        try:
            signed_in = request.user.is_authenticated
        except DatabaseError:  # an outage page: it shows nobody's data
            return response
        if signed_in:
            patch_cache_control(response, private=True, no_store=True)
        return response


class RequestBodyLimitMiddleware:
    """Answer 413 to a body whose Content-Length is over REQUEST_BODY_MAX_BYTES, without reading it.

    The per-file cap (prepnexus/uploads.py) still reads every byte; this caps the whole request, all files
    and fields together, before the CSRF check or a view parses it. Django reads no more than
    Content-Length, and a body without one (chunked) as empty, so the header is the total.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return bad_request(request)
        if length > settings.REQUEST_BODY_MAX_BYTES:
            return payload_too_large(request, settings.REQUEST_BODY_MAX_BYTES)
        return self.get_response(request)


class RejectNulMiddleware:
    """Answer 400 to any path, query string or form value that contains a NUL character.

    PostgreSQL text cannot hold NUL, so such a value reaching a query or an INSERT would be a 500.
    Django's form fields already refuse it; this covers everything else (URL parts, query parameters,
    fields a view reads from request.POST directly, what django-axes records of a failed login).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if "\x00" in request.path or _has_nul(request.GET):
            return bad_request(request)
        if request.method == "POST" and _has_nul(request.POST):
            return bad_request(request)
        return self.get_response(request)


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())
