from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from blog.cache import GENERATION_KEY
from blog.models import Post
from practice.tests.factories import make_user

from .factories import make_post, make_tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    client = Client()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def _form(**overrides):
    when = timezone.localtime(timezone.now() - timedelta(minutes=5))
    return {
        "title": "Written in the admin",
        "slug": "written-in-the-admin",
        "summary": "A summary.",
        "body": "## Hello\n\n<script>alert(1)</script>Text.",
        "status": "published",
        "publish_at_0": when.strftime("%Y-%m-%d"),
        "publish_at_1": when.strftime("%H:%M:%S"),
        "cover_image": "",
        "cover_alt": "",
        "seo_title": "",
        "seo_description": "",
    } | overrides


def test_adding_a_post_in_the_admin_goes_through_the_service_and_invalidates(
    staff_client, django_capture_on_commit_callbacks
):
    tag = make_tag(name="Strategy")
    anonymous = Client()
    assert "Written in the admin" not in anonymous.get("/blog/").content.decode()  # cached now
    staff = Post._meta.get_field("author").related_model.objects.get(is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/blog/post/add/", _form(author=staff.pk, tags=[tag.pk]), follow=False
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get(slug="written-in-the-admin")
    assert '<h2 id="hello">' in post.body_html and "<script" not in post.body_html
    assert list(post.tags.all()) == [tag]
    assert "Written in the admin" in anonymous.get("/blog/").content.decode()


def test_editing_in_the_admin_rerenders_and_invalidates(staff_client, django_capture_on_commit_callbacks):
    post = make_post(title="Old title")
    anonymous = Client()
    anonymous.get(post.get_absolute_url())
    data = _form(author=post.author_id, title="New title", slug=post.slug, body="Fresh **body**")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"/admin/blog/post/{post.pk}/change/", data)
    assert response.status_code == 302
    html = anonymous.get(post.get_absolute_url()).content.decode()
    assert "New title" in html and "<strong>body</strong>" in html


def test_admin_form_errors_are_shown_not_500(staff_client):
    make_post(slug="taken")
    staff = Post._meta.get_field("author").related_model.objects.get(is_superuser=True)
    response = staff_client.post("/admin/blog/post/add/", _form(author=staff.pk, slug="taken"))
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    response = staff_client.post("/admin/blog/post/add/", _form(author=staff.pk, slug="feed"))
    assert "taken by the blog itself" in response.content.decode()


def test_publish_and_unpublish_actions_use_the_services(staff_client, django_capture_on_commit_callbacks):
    draft = make_post(status=Post.Status.DRAFT, publish_at=None, title="Was a draft")
    live = make_post(title="Was live")
    before = cache.get(GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            "/admin/blog/post/", {"action": "publish", "_selected_action": [draft.pk]}, follow=True
        )
    draft.refresh_from_db()
    assert draft.is_live
    assert cache.get(GENERATION_KEY) != before
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post("/admin/blog/post/", {"action": "unpublish", "_selected_action": [live.pk]})
    live.refresh_from_db()
    assert live.status == Post.Status.DRAFT


def test_deleting_in_the_admin_invalidates(staff_client, django_capture_on_commit_callbacks):
    post = make_post(title="Going away")
    anonymous = Client()
    assert "Going away" in anonymous.get("/blog/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"/admin/blog/post/{post.pk}/delete/", {"post": "yes"})
    assert not Post.objects.exists()
    assert "Going away" not in anonymous.get("/blog/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        other = make_post(title="Bulk going away")
    assert "Bulk going away" in anonymous.get("/blog/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            "/admin/blog/post/", {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"}
        )
    assert "Bulk going away" not in anonymous.get("/blog/").content.decode()


def test_changelist_shows_scheduled_posts_as_scheduled_and_filters(staff_client):
    make_post(title="In the future", publish_at=timezone.now() + timedelta(days=3))
    make_post(title="Plain draft", status=Post.Status.DRAFT, publish_at=None)
    html = staff_client.get("/admin/blog/post/").content.decode()
    assert "Scheduled for" in html and "Draft" in html
    scheduled = staff_client.get("/admin/blog/post/?state=scheduled").content.decode()
    assert "In the future" in scheduled and "Plain draft" not in scheduled
    assert "In the future" in staff_client.get("/admin/blog/post/?q=future").content.decode()


def test_add_form_prefills_the_author_and_offers_a_preview(staff_client):
    html = staff_client.get("/admin/blog/post/add/").content.decode()
    assert 'formaction="/admin/blog/post/preview/"' in html
    assert "prepopulated" in html or "data-prepopulated" in html or "prepopulate" in html


def test_server_side_preview_renders_sanitized_markdown_without_saving(staff_client):
    tag = make_tag(name="Preview tag")
    response = staff_client.post(
        "/admin/blog/post/preview/",
        {
            "title": "Draft idea",
            "body": "## A heading\n\n<img src=x onerror=alert(1)>| a |\n|--|\n| 1 |",
            "tags": [tag.pk],
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h2 id="a-heading">' in html and "onerror" not in html
    assert "Preview tag" in html and "Unsaved" in html
    assert "no-store" in response["Cache-Control"]
    assert not Post.objects.exists()


def test_preview_is_for_staff_only():
    client = Client()
    client.force_login(make_user())
    response = client.post("/admin/blog/post/preview/", {"body": "x"})
    assert response.status_code == 302  # to the admin login
    assert Client().get("/admin/blog/post/preview/").status_code in (302, 405)
