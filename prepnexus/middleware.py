"""Small security middleware that no library covers."""

from django.conf import settings
from django.http import HttpRequest

from .views import bad_request


class PermissionsPolicyMiddleware:
    """Send Permissions-Policy: the site needs no camera, microphone, location, payment or USB."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


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
