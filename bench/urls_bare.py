"""The site's URLs plus /_bench/bare/<name>/, the baseline of bench/blog.py: a bare view returning the
very bytes of a cached page (<name>.html in BENCH_BARE_DIR) through the whole middleware stack, the
ceiling for a cached page. Mounted by bench/settings_bare.py only."""

from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from prepnexus.urls import handler400, handler403, handler404, handler500
from prepnexus.urls import urlpatterns as site_urlpatterns

_BODIES: dict[str, bytes] = {}


@require_safe
def bare(request, name):
    if not name.isidentifier():
        raise Http404
    body = _BODIES.get(name)
    if body is None:
        try:
            body = (Path(settings.BENCH_BARE_DIR) / f"{name}.html").read_bytes()
        except OSError as exc:
            raise Http404 from exc
        _BODIES[name] = body
    return HttpResponse(body, content_type="text/html; charset=utf-8")


# Last, as it was when the blog's URLs carried it: resolving it walks the site's patterns first.
urlpatterns = [*site_urlpatterns, path("_bench/bare/<str:name>/", bare, name="bench-bare")]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
