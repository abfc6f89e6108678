"""The 503 answer while the database is unreachable: JSON for API clients, the branded page otherwise."""

from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from health_check.views import MediaType

from prepnexus.views import service_unavailable


def wants_json(request) -> bool:
    """JSON for /api/ paths, ?format=json, or an Accept header that prefers JSON."""
    if request.path_info.startswith("/api/") or request.GET.get("format") == "json":
        return True
    try:
        media = next(MediaType.parse_header(request.headers.get("accept", "*/*")), None)
    except ValueError:
        return False
    return media is not None and media.mime_type in ("application/json", "application/*")


def database_unavailable(request, retry_after: int):
    if wants_json(request):
        response = JsonResponse(
            {"status": "unavailable", "error": "database unavailable", "retry_after": retry_after},
            status=503,
        )
        response["Retry-After"] = str(retry_after)
    else:
        response = service_unavailable(request, retry_after=retry_after)
    add_never_cache_headers(response)
    # Handled and logged by the request log line; Django must not log it as a server error (or mail it).
    response._has_been_logged = True
    return response
