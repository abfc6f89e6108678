"""Error pages. They render from templates alone: no database, no session, no user lookup."""

from django.conf import settings
from django.core.exceptions import TooManyFilesSent
from django.http import HttpResponse
from django.template import loader


def _render(
    template: str, status: int, headers: dict | None = None, context: dict | None = None
) -> HttpResponse:
    response = HttpResponse(loader.get_template(template).render(context or {}), status=status)
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def bad_request(request, exception=None):
    reason = ""
    if isinstance(exception, TooManyFilesSent):
        reason = f"Too many files in one form: send at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES}."
    return _render("400.html", 400, context={"reason": reason})


def payload_too_large(request, limit: int):
    return _render("413.html", 413, context={"limit_mb": f"{limit / (1024 * 1024):g}"})


def permission_denied(request, exception=None):
    return _render("403.html", 403)


def page_not_found(request, exception=None):
    return _render("404.html", 404)


def server_error(request):
    return _render("500.html", 500)


def service_unavailable(request=None, retry_after: int = 5):
    return _render("503.html", 503, {"Retry-After": str(retry_after)})
