from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from . import selectors
from .cache import Rendered, cached_page
from .feeds import LatestPostsAtomFeed, LatestPostsFeed
from .models import Tag
from .sitemaps import SITEMAPS


def _shared(request) -> dict:
    # Anonymous pages are cached and shared by every visitor: they must not carry one visitor's messages.
    return {} if request.user.is_authenticated else {"messages": ()}


def _canonical(request, path: str, number: str = "1") -> str:
    return request.build_absolute_uri(path if number == "1" else f"{path}?page={number}")


def _page_number(request) -> str:
    number = request.GET.get("page", "1")
    if not number.isdigit() or len(number) > 6:
        raise Http404("No such page.")
    return str(int(number))


@require_safe
def post_list(request):
    number = _page_number(request)

    def render_page() -> Rendered:
        result = selectors.post_page(page_number=number)
        context = {
            **_shared(request),
            "page_obj": result.page,
            "tags": selectors.tag_list_with_counts(),
            "canonical": _canonical(request, reverse("blog:post-list"), number),
        }
        return Rendered(render(request, "blog/post_list.html", context), result.next_due)

    return cached_page(request, ("post-list", number), render_page)


@require_safe
def tag_detail(request, slug):
    number = _page_number(request)

    def render_page() -> Rendered:
        tag = get_object_or_404(Tag, slug=slug)
        result = selectors.post_page(page_number=number, tag=tag)
        context = {
            **_shared(request),
            "tag": tag,
            "page_obj": result.page,
            "canonical": _canonical(request, tag.get_absolute_url(), number),
        }
        return Rendered(render(request, "blog/tag_detail.html", context), result.next_due)

    return cached_page(request, ("tag-detail", slug, number), render_page)


@require_safe
def post_detail(request, slug):
    preview = request.user.is_authenticated and request.user.is_staff

    def render_page() -> Rendered:
        now = timezone.now()
        post = selectors.post_get(slug=slug, include_unpublished=preview)
        older, newer = selectors.post_neighbours(post=post)
        context = {
            **_shared(request),
            "post": post,
            "post_tags": post.tags.all(),
            "older": older,
            "newer": newer,
            "preview": not post.is_live,
            "canonical": _canonical(request, post.get_absolute_url()),
            "og_image": request.build_absolute_uri(post.cover_url) if post.cover_url else "",
        }
        return Rendered(render(request, "blog/post_detail.html", context), selectors.next_due(now))

    return cached_page(request, ("post-detail", slug), render_page)


@require_safe
def rss_feed(request):
    return cached_page(
        request, ("rss",), lambda: Rendered(LatestPostsFeed()(request), selectors.next_due(timezone.now()))
    )


@require_safe
def atom_feed(request):
    return cached_page(
        request,
        ("atom",),
        lambda: Rendered(LatestPostsAtomFeed()(request), selectors.next_due(timezone.now())),
    )


@require_safe
def sitemap(request):
    def render_page() -> Rendered:
        response = sitemap_view(request, sitemaps=SITEMAPS)
        response.render()
        return Rendered(response, selectors.next_due(timezone.now()))

    return cached_page(request, ("sitemap",), render_page)


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /accounts/profile/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('blog:sitemap'))}",
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response
