"""Error pages. They render from templates alone: no database, no session, no user lookup."""

from django.http import HttpResponse
from django.template import loader


def _render(template: str, status: int, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(loader.get_template(template).render({}), status=status)
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def bad_request(request, exception=None):
    return _render("400.html", 400)


def permission_denied(request, exception=None):
    return _render("403.html", 403)


def page_not_found(request, exception=None):
    return _render("404.html", 404)


def server_error(request):
    return _render("500.html", 500)


def service_unavailable(request=None, retry_after: int = 5):
    return _render("503.html", 503, {"Retry-After": str(retry_after)})
