"""Demo blog content for `manage.py seed_demo`: original posts on SAT strategy, safe to re-run."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from practice.models import User

from . import services
from .models import Post
from .seed_posts import POSTS

TEAM_USERNAME = "prepnexus-team"


def _author() -> User:
    """The demo staff account when there is one, else a staff "PrepNexus Team" user who cannot log in."""
    staff = User.objects.filter(username="staff", is_staff=True).first()
    if staff:
        return staff
    team, created = User.objects.get_or_create(
        username=TEAM_USERNAME,
        defaults={"email": "team@prepnexus.invalid", "first_name": "PrepNexus", "last_name": "Team"},
    )
    if created or not team.is_staff:
        team.is_staff = True
        team.set_unusable_password()
        team.save(update_fields=["is_staff", "password"])
    return team


@transaction.atomic
def seed_demo_content(stdout, style) -> None:
    """Add the demo posts that are missing; posts that exist (by slug) are left as staff edited them."""
    author = _author()
    now = timezone.now()
    existing = set(Post.objects.filter(slug__in=[row[0] for row in POSTS]).values_list("slug", flat=True))
    created = 0
    for slug, title, tag_names, cover, cover_alt, state, days, summary, body in POSTS:
        if slug in existing:
            continue
        tags = [services.tag_get_or_create(name=name) for name in tag_names]
        services.post_create(
            author=author,
            slug=slug,
            title=title,
            summary=summary,
            body=body,
            tags=tags,
            cover_image=cover,
            cover_alt=cover_alt,
            status=Post.Status.DRAFT if state == "draft" else Post.Status.PUBLISHED,
            publish_at=None if days is None else now + timedelta(days=days),
        )
        created += 1
    stdout.write(style.SUCCESS("Blog: ") + f"{created} demo posts added, {len(existing)} already there.")
