import itertools
from datetime import timedelta

from django.utils import timezone

from blog import services
from blog.models import Post, Tag
from practice.models import User
from practice.tests.factories import make_user

_seq = itertools.count(1)


def _author():
    # One author per test keeps password hashing out of loops that make many posts.
    return User.objects.filter(username="blog-author").first() or make_user(
        username="blog-author", is_staff=True
    )


def make_tag(**overrides) -> Tag:
    n = next(_seq)
    return services.tag_create(**{"name": f"Topic {n}", **overrides})


def make_post(**overrides) -> Post:
    """A live post (published an hour ago) unless overridden."""
    n = next(_seq)
    fields = {
        "title": f"Post number {n}",
        "slug": f"post-number-{n}",
        "summary": f"Summary of post {n}.",
        "body": f"## Section {n}\n\nSome text for post {n}.",
        "status": Post.Status.PUBLISHED,
        "publish_at": timezone.now() - timedelta(hours=1),
    } | overrides
    if "author" not in fields:
        fields["author"] = _author()
    return services.post_create(**fields)
