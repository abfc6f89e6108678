import threading
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog import cache as blog_cache
from blog import views
from blog.models import Post
from practice.tests.factories import make_user

from .factories import make_post, make_tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client()


@pytest.mark.parametrize("posts", [1, 25])
def test_index_takes_at_most_four_queries_uncached_whatever_the_data(
    client, posts, django_assert_max_num_queries
):
    tags = [make_tag() for _ in range(6)]
    for i in range(posts):
        make_post(tags=tags[: i % 6 + 1], publish_at=timezone.now() - timedelta(hours=i + 1))
    with django_assert_max_num_queries(4):
        assert client.get("/blog/").status_code == 200
    with django_assert_max_num_queries(4):
        response = client.get(f"/blog/tag/{tags[0].slug}/")
        assert response.status_code == 200


@pytest.mark.parametrize(
    "path", ["/blog/", "/blog/a-post/", "/blog/tag/a-tag/", "/blog/feed/", "/sitemap.xml"]
)
def test_cached_pages_take_no_queries(client, path, django_assert_num_queries):
    make_post(slug="a-post", tags=[make_tag(slug="a-tag")])
    first = client.get(path)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get(path)
    assert second.status_code == 200
    assert second.content == first.content


def test_detail_query_count_is_fixed(client, django_assert_max_num_queries):
    post = make_post(tags=[make_tag() for _ in range(5)])
    for _ in range(5):
        make_post()
    with django_assert_max_num_queries(5):
        assert client.get(post.get_absolute_url()).status_code == 200


def test_etag_and_last_modified_give_304(client):
    make_post()
    response = client.get("/blog/")
    etag, last_modified = response["ETag"], response["Last-Modified"]
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert "Cookie" in response["Vary"]
    not_modified = client.get("/blog/", headers={"if-none-match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert client.get("/blog/", headers={"if-modified-since": last_modified}).status_code == 304
    assert client.get("/blog/", headers={"if-none-match": '"stale"'}).status_code == 200


def test_an_edit_changes_the_etag(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(title="Before")
    etag = client.get(post.get_absolute_url())["ETag"]
    from blog import services

    with django_capture_on_commit_callbacks(execute=True):
        services.post_update(post=post, title="After")
    response = client.get(post.get_absolute_url(), headers={"if-none-match": etag})
    assert response.status_code == 200
    assert "After" in response.content.decode()


def test_a_scheduled_post_appears_when_due_without_invalidation(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_post(title="Already out")
        soon = make_post(title="Out in a moment", publish_at=timezone.now() + timedelta(seconds=2))
    generation = cache.get(blog_cache.GENERATION_KEY)
    html = client.get("/blog/").content.decode()
    assert "Already out" in html and "Out in a moment" not in html
    assert client.get(soon.get_absolute_url()).status_code == 404
    time.sleep(3.1)
    assert "Out in a moment" in client.get("/blog/").content.decode()
    assert "Out in a moment" in client.get("/blog/feed/").content.decode()
    assert client.get(soon.get_absolute_url()).status_code == 200
    assert cache.get(blog_cache.GENERATION_KEY) == generation  # nobody invalidated


def test_cache_lifetime_is_capped_at_the_next_scheduled_post(client):
    make_post()
    make_post(publish_at=timezone.now() + timedelta(minutes=10))
    client.get("/blog/")
    [key] = [k for k in cache.keys("blog:page:*") if not k.endswith(":lock")]
    assert 0 < cache.ttl(key) <= 601


def test_pages_for_different_hosts_are_cached_apart(client, settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    make_post()
    one = client.get("/blog/", headers={"host": "one.example"}).content.decode()
    two = client.get("/blog/", headers={"host": "two.example"}).content.decode()
    assert "http://one.example/blog/" in one
    assert "http://two.example/blog/" in two


def test_random_query_strings_share_one_cache_entry(client):
    make_post()
    for i in range(5):
        client.get(f"/blog/?utm_source={i}")
    assert len([k for k in cache.keys("blog:page:*") if not k.endswith(":lock")]) == 1


def test_logged_in_users_get_fresh_private_pages(client, django_assert_max_num_queries):
    make_post()
    client.force_login(make_user())
    client.get("/blog/")
    response = client.get("/blog/")
    assert "private" in response["Cache-Control"]
    assert 'action="/accounts/logout/"' in response.content.decode() or "Log out" in response.content.decode()
    assert not cache.keys("blog:page:*")


def test_a_visitors_flash_messages_never_land_in_the_shared_cache(client):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest, HttpResponse

    make_post()
    request = HttpRequest()
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "Only for one visitor")
    response = HttpResponse()
    storage.update(response)
    client.cookies["messages"] = response.cookies["messages"].value
    assert "Only for one visitor" not in client.get("/blog/").content.decode()
    assert "Only for one visitor" not in Client().get("/blog/").content.decode()


def test_single_flight_renders_once_for_concurrent_misses():
    renders = []
    barrier = threading.Barrier(8)
    results = []

    def render():
        renders.append(1)
        time.sleep(0.3)
        return blog_cache.Page(b"body", "text/html", time.time(), '"e"'), 60

    def worker():
        barrier.wait()
        results.append(blog_cache.single_flight("blog:test:single-flight", 1, render))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(renders) == 1
    assert len(results) == 8 and all(page.body == b"body" for page in results)


def test_single_flight_followers_render_themselves_when_the_leader_caches_nothing():
    calls = []

    def leader_render():
        calls.append("leader")
        time.sleep(0.2)
        return None, 60

    def follower_render():
        calls.append("follower")
        return None, 60

    leader = threading.Thread(target=blog_cache.single_flight, args=("blog:test:nothing", 1, leader_render))
    leader.start()
    time.sleep(0.05)
    started = time.monotonic()
    assert blog_cache.single_flight("blog:test:nothing", 1, follower_render) is None
    leader.join()
    assert calls == ["leader", "follower"]
    assert time.monotonic() - started < blog_cache.WAIT_SECONDS


def test_a_page_from_an_older_generation_is_never_served():
    old = blog_cache.Page(b"old", "text/html", time.time(), '"old"')
    new = blog_cache.Page(b"new", "text/html", time.time(), '"new"')
    cache.set("blog:test:generations", (6, time.time() + 60, old))
    assert blog_cache.single_flight("blog:test:generations", 7, lambda: (new, 60)).body == b"new"
    assert cache.get("blog:test:generations")[::2] == (7, new)
    assert blog_cache.single_flight("blog:test:generations", 7, lambda: (old, 60)).body == b"new"
    assert blog_cache.local_pages.get("blog:test:generations", 7).body == b"new"
    assert blog_cache.local_pages.get("blog:test:generations", 8) is None


def test_each_process_serves_its_own_copy_only_while_the_generation_is_current(
    client, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from blog import services

    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(title="Kept locally")
    client.get("/blog/")
    cache.delete_pattern("blog:page:*")  # only this process's copy is left
    with django_assert_num_queries(0):
        assert "Kept locally" in client.get("/blog/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_update(post=post, title="Changed elsewhere")
    assert "Changed elsewhere" in client.get("/blog/").content.decode()


def test_local_copies_expire_with_the_next_scheduled_post(client):
    make_post(title="Now")
    make_post(title="In a moment", publish_at=timezone.now() + timedelta(seconds=1))
    assert "In a moment" not in client.get("/blog/").content.decode()
    cache.delete_pattern("blog:page:*")
    time.sleep(2.1)
    assert "In a moment" in client.get("/blog/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_one_page_regenerate_it_once(monkeypatch):
    make_post(title="Popular")
    renders = []
    original = views.selectors.post_page

    def counting_post_page(**kwargs):
        renders.append(1)
        time.sleep(0.3)  # a slow render, so every request arrives while it runs
        return original(**kwargs)

    monkeypatch.setattr(views.selectors, "post_page", counting_post_page)
    barrier = threading.Barrier(6)
    bodies = []

    def worker():
        try:
            barrier.wait()
            bodies.append(Client().get("/blog/").content)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(renders) == 1
    assert len(bodies) == 6 and len(set(bodies)) == 1 and b"Popular" in bodies[0]


def test_generation_survives_eviction_without_serving_stale_pages(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(title="Original")
    client.get("/blog/")
    cache.delete(blog_cache.GENERATION_KEY)  # evicted; the cached page is still in Redis
    Post.objects.filter(pk=post.pk).update(title="Changed behind the cache")
    assert "Changed behind the cache" in client.get("/blog/").content.decode()


def test_with_the_cache_disabled_pages_render_every_time(client, settings, django_assert_num_queries):
    settings.BLOG_CACHE_ENABLED = False
    make_post()
    client.get("/blog/")
    assert not cache.keys("blog:page:*")
    with CaptureQueriesContext(connection) as queries:
        client.get("/blog/")
    assert len(queries) > 0
