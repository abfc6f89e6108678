import io

import pytest
from django.core.management import call_command

from blog.models import Post
from practice.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_original_posts_once_with_a_scheduled_one_and_a_draft():
    call_command("seed_demo", "--no-accounts", stdout=io.StringIO())
    posts = Post.objects.all()
    assert posts.count() >= 8
    assert Post.objects.scheduled().count() == 1
    assert Post.objects.drafts().count() == 1
    assert Post.objects.published().count() >= 6
    assert all(post.tags.exists() for post in posts)
    author = User.objects.get(username="prepnexus-team")
    assert author.is_staff and not author.has_usable_password()
    call_command("seed_demo", "--no-accounts", stdout=io.StringIO())
    assert Post.objects.count() == posts.count()


def test_seed_demo_uses_the_demo_staff_account_when_present():
    call_command("seed_demo", stdout=io.StringIO())
    assert set(Post.objects.values_list("author__username", flat=True)) == {"staff"}
