from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from blog import services
from blog.cache import GENERATION_KEY
from blog.models import Post
from practice.tests.factories import make_user

from .factories import make_post, make_tag

pytestmark = pytest.mark.django_db


def test_post_create_renders_markdown_and_reading_time():
    post = make_post(body="## Hello\n\n" + "word " * 500)
    assert '<h2 id="hello">' in post.body_html
    assert post.reading_minutes == 3


def test_reading_minutes_rounds_up_and_is_at_least_one():
    assert services.reading_minutes("") == 1
    assert services.reading_minutes("word " * 231) == 2


def test_post_create_publishing_without_a_time_publishes_now():
    post = make_post(publish_at=None)
    assert post.publish_at <= timezone.now()
    assert post.is_live


def test_post_create_refuses_a_duplicate_slug_with_a_message():
    make_post(slug="same")
    with pytest.raises(ValidationError) as exc:
        make_post(slug="same")
    assert "slug" in exc.value.message_dict


def test_post_create_refuses_reserved_slugs():
    with pytest.raises(ValidationError) as exc:
        make_post(slug="feed")
    assert "slug" in exc.value.message_dict


def test_post_create_refuses_a_non_staff_author():
    with pytest.raises(ValidationError) as exc:
        make_post(author=make_user())
    assert "author" in exc.value.message_dict
    assert not Post.objects.exists()


def test_cover_image_needs_alt_text_and_a_real_file():
    with pytest.raises(ValidationError) as exc:
        make_post(cover_image="img/blog/pacing.svg", cover_alt="")
    assert "cover_alt" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_post(cover_image="img/blog/missing.svg", cover_alt="A picture")
    assert "cover_image" in exc.value.message_dict
    for bad in ("javascript:alert(1)", "../../etc/passwd.png", "http://insecure.example/x.png"):
        with pytest.raises(ValidationError):
            make_post(cover_image=bad, cover_alt="A picture")
    post = make_post(cover_image="img/blog/pacing.svg", cover_alt="A clock")
    assert post.cover_url.startswith("/static/img/blog/pacing.")


def test_database_refuses_a_published_post_without_publish_time():
    post = make_post()
    with pytest.raises(IntegrityError):
        Post.objects.filter(pk=post.pk).update(publish_at=None)


def test_published_scheduled_and_drafts_querysets():
    live = make_post()
    scheduled = make_post(publish_at=timezone.now() + timedelta(days=1))
    draft = make_post(status=Post.Status.DRAFT, publish_at=None)
    assert list(Post.objects.published()) == [live]
    assert list(Post.objects.scheduled()) == [scheduled]
    assert list(Post.objects.drafts()) == [draft]
    assert scheduled.state_label == "Scheduled"
    assert draft.state_label == "Draft"


def test_post_publish_keeps_a_future_time_as_scheduled_and_unpublish_returns_to_draft():
    future = timezone.now() + timedelta(days=2)
    post = make_post(status=Post.Status.DRAFT, publish_at=future)
    services.post_publish(post=post)
    post.refresh_from_db()
    assert post.is_scheduled
    services.post_unpublish(post=post)
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT


def test_post_update_rerenders_and_sets_tags():
    tag = make_tag(name="Math")
    post = make_post()
    services.post_update(post=post, body="New **body**", tags=[tag])
    post.refresh_from_db()
    assert "<strong>body</strong>" in post.body_html
    assert list(post.tags.all()) == [tag]


def test_post_update_refuses_unknown_fields():
    with pytest.raises(TypeError):
        services.post_update(post=make_post(), body_html="<script>")


@pytest.mark.parametrize(
    "write",
    [
        lambda post: services.post_update(post=post, title="Changed"),
        lambda post: services.post_publish(post=post),
        lambda post: services.post_unpublish(post=post),
        lambda post: services.post_delete(post=post),
    ],
    ids=["update", "publish", "unpublish", "delete"],
)
def test_every_post_write_bumps_the_cache_generation_on_commit_only(
    write, django_capture_on_commit_callbacks
):
    post = make_post()
    before = cache.get(GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        write(post)
    assert cache.get(GENERATION_KEY) == before  # nothing until the transaction commits
    for callback in callbacks:
        callback()
    assert cache.get(GENERATION_KEY) != before


def test_tag_writes_invalidate_too(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tag = make_tag()
    before = cache.get(GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        services.tag_update(tag=tag, name="Renamed")
    assert cache.get(GENERATION_KEY) != before
