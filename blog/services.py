"""Every write to posts and tags. Each one invalidates the cached blog pages once it commits."""

import math
import re
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from prepnexus.markdown import POST, render_markdown

from . import cache as blog_cache
from .models import Post, Tag

POST_FIELDS = {
    "title", "slug", "author", "summary", "body", "cover_image", "cover_alt", "status", "publish_at",
    "seo_title", "seo_description",
}  # fmt: skip
WORDS_PER_MINUTE = 230


def _invalidate_on_commit() -> None:
    transaction.on_commit(blog_cache.invalidate)


def reading_minutes(text: str) -> int:
    """Whole minutes a reader needs for a Markdown body, at least one."""
    return max(1, math.ceil(len(re.findall(r"\w+", text)) / WORDS_PER_MINUTE))


def post_body_render(post: Post) -> None:
    """Fill the post's sanitised HTML and reading time from its Markdown body (saves nothing)."""
    post.body_html = render_markdown(post.body, profile=POST)
    post.reading_minutes = reading_minutes(post.body)


def _check_author(post: Post) -> None:
    if post.author_id and not post.author.is_staff:
        raise ValidationError({"author": "Only staff can author blog posts."})


def _save(post: Post, update_fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            post.save(update_fields=update_fields)
    except IntegrityError as exc:
        # Two writers raced past full_clean(); the unique index decided.
        if Post.objects.filter(slug=post.slug).exclude(pk=post.pk).exists():
            raise ValidationError({"slug": "Another post already uses this slug."}) from exc
        raise


@transaction.atomic
def post_create(
    *,
    author,
    title: str,
    body: str,
    summary: str,
    slug: str = "",
    tags: Iterable[Tag] = (),
    status: str = Post.Status.DRAFT,
    publish_at: datetime | None = None,
    **fields,
) -> Post:
    """Create a post (a draft unless told otherwise), rendering its Markdown."""
    unknown = set(fields) - POST_FIELDS
    if unknown:
        raise TypeError(f"unknown post fields: {sorted(unknown)}")
    post = Post(
        author=author,
        title=title,
        body=body,
        summary=summary,
        slug=slug or slugify(title)[:200],
        status=status,
        publish_at=publish_at,
        **fields,
    )
    if post.status == Post.Status.PUBLISHED and post.publish_at is None:
        post.publish_at = timezone.now()
    post_body_render(post)
    _check_author(post)
    post.full_clean()
    _save(post)
    post.tags.set(tags)
    _invalidate_on_commit()
    return post


@transaction.atomic
def post_update(*, post: Post, tags: Iterable[Tag] | None = None, **fields) -> Post:
    """Change a post's fields (and tags when given); the Markdown is re-rendered."""
    unknown = set(fields) - POST_FIELDS
    if unknown:
        raise TypeError(f"unknown post fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(post, name, value)
    if post.status == Post.Status.PUBLISHED and post.publish_at is None:
        post.publish_at = timezone.now()
    post_body_render(post)
    _check_author(post)
    post.full_clean()
    _save(post)
    if tags is not None:
        post.tags.set(tags)
    _invalidate_on_commit()
    return post


@transaction.atomic
def post_publish(*, post: Post, publish_at: datetime | None = None) -> Post:
    """Publish a post at `publish_at`, else at its own publish time, else now; a future time schedules it."""
    post.status = Post.Status.PUBLISHED
    post.publish_at = publish_at or post.publish_at or timezone.now()
    post.full_clean()
    post.save(update_fields=["status", "publish_at", "updated_at"])
    _invalidate_on_commit()
    return post


@transaction.atomic
def post_unpublish(*, post: Post) -> Post:
    """Take a post back to draft; it disappears from every page on the next request."""
    post.status = Post.Status.DRAFT
    post.save(update_fields=["status", "updated_at"])
    _invalidate_on_commit()
    return post


@transaction.atomic
def post_delete(*, post: Post) -> None:
    """Delete a post for good."""
    post.delete()
    _invalidate_on_commit()


@transaction.atomic
def tag_create(*, name: str, slug: str = "") -> Tag:
    tag = Tag(name=name.strip(), slug=slug or slugify(name)[:60])
    tag.full_clean()
    tag.save()
    _invalidate_on_commit()
    return tag


@transaction.atomic
def tag_get_or_create(*, name: str) -> Tag:
    """The tag with this name (any case), created if missing."""
    tag = Tag.objects.filter(name__iexact=name.strip()).first()
    return tag or tag_create(name=name)


@transaction.atomic
def tag_update(*, tag: Tag, **fields) -> Tag:
    for name, value in fields.items():
        setattr(tag, name, value)
    tag.full_clean()
    tag.save()
    _invalidate_on_commit()
    return tag


@transaction.atomic
def tag_delete(*, tag: Tag) -> None:
    tag.delete()
    _invalidate_on_commit()
