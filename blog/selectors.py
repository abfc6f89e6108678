"""Blog reads. Each page's query count is fixed, whatever the number of posts and tags."""

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, Max, Min, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from .models import Post, Tag

PAGE_SIZE = 10
FEED_SIZE = 20


@dataclass
class PostPage:
    page: Page
    next_due: datetime | None


def _with_relations(queryset):
    return queryset.select_related("author", "author__profile").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by("name"))
    )


def next_due(now: datetime) -> datetime | None:
    """When the next scheduled post goes live (cached pages must not outlive it)."""
    return Post.objects.scheduled(now).aggregate(due=Min("publish_at"))["due"]


def post_page(*, page_number: str | None, tag: Tag | None = None) -> PostPage:
    """One page of live posts, newest first, optionally for one tag. Three queries."""
    now = timezone.now()
    base = Post.objects.all() if tag is None else Post.objects.filter(tags=tag)
    live = Q(status=Post.Status.PUBLISHED, publish_at__lte=now)
    scheduled = Q(status=Post.Status.PUBLISHED, publish_at__gt=now)
    # One query counts the live posts and finds the next scheduled one (blog-wide: any post may
    # appear on this page's neighbours or move it).
    totals = Post.objects.aggregate(
        due=Min("publish_at", filter=scheduled),
        count=Count("id", filter=live & (Q() if tag is None else Q(tags=tag))),
    )
    paginator = Paginator(_with_relations(base.published(now).newest_first()), PAGE_SIZE)
    paginator.count = totals["count"]  # the Paginator would otherwise count again
    try:
        page = paginator.page(page_number or 1)
    except (EmptyPage, PageNotAnInteger) as exc:
        raise Http404("No such page.") from exc
    return PostPage(page=page, next_due=totals["due"])


def tag_list_with_counts(*, now: datetime | None = None) -> list[Tag]:
    """Tags that have live posts, with how many."""
    now = now or timezone.now()
    live = Q(posts__status=Post.Status.PUBLISHED, posts__publish_at__lte=now)
    return list(
        Tag.objects.annotate(live_count=Count("posts", filter=live)).filter(live_count__gt=0).order_by("name")
    )


def post_get(*, slug: str, include_unpublished: bool = False) -> Post:
    """The post with this slug; unless asked, only a live one (404 otherwise)."""
    queryset = _with_relations(Post.objects.all())
    if not include_unpublished:
        queryset = queryset.published()
    post = queryset.filter(slug=slug).first()
    if post is None:
        raise Http404("No such post.")
    return post


def post_neighbours(*, post: Post) -> tuple[Post | None, Post | None]:
    """The live posts just older and just newer than this one."""
    if not post.is_live:
        return None, None
    live = Post.objects.published().only("title", "slug", "publish_at")
    older = (
        live.filter(Q(publish_at__lt=post.publish_at) | Q(publish_at=post.publish_at, id__lt=post.id))
        .order_by("-publish_at", "-id")
        .first()
    )
    newer = (
        live.filter(Q(publish_at__gt=post.publish_at) | Q(publish_at=post.publish_at, id__gt=post.id))
        .order_by("publish_at", "id")
        .first()
    )
    return older, newer


def feed_posts() -> list[Post]:
    return list(_with_relations(Post.objects.published().newest_first())[:FEED_SIZE])


def sitemap_posts():
    return Post.objects.published().newest_first().only("slug", "updated_at", "publish_at")


def sitemap_tags():
    """Tags with live posts, each with the time its newest change happened."""
    live = Q(posts__status=Post.Status.PUBLISHED, posts__publish_at__lte=timezone.now())
    return (
        Tag.objects.annotate(last_modified=Max("posts__updated_at", filter=live))
        .filter(last_modified__isnull=False)
        .order_by("name")
    )
