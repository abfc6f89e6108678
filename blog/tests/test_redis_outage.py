import pytest
from django.db import connection

from tests.harness.servers import Gunicorn, ThrowawayRedis

from .factories import make_post, make_tag

pytestmark = [pytest.mark.servers, pytest.mark.django_db(transaction=True)]


def test_blog_pages_render_uncached_with_200_when_redis_is_down():
    from conftest import _database_url

    tag = make_tag(slug="outage")
    post = make_post(title="Still readable", slug="still-readable", tags=[tag])
    redis = ThrowawayRedis().start()
    server = Gunicorn(
        {
            "DATABASE_URL": _database_url(connection.settings_dict),
            "REDIS_URL": redis.url,
            "DB_POOL_SIZE": "1",
            "DB_MAX_OVERFLOW": "2",
        },
        workers=1,
        threads=2,
    )
    try:
        server.start()
        paths = ["/blog/", post.get_absolute_url(), tag.get_absolute_url(), "/blog/feed/", "/blog/atom/"]
        paths.append("/sitemap.xml")
        for path in paths:
            status, headers, body, _ = server.get(path)
            assert status == 200, path

        redis.stop()
        for path in paths:
            status, headers, body, seconds = server.get(path)
            assert status == 200, (path, body[:300])
            assert seconds < 3, path
        status, _, body, _ = server.get(post.get_absolute_url())
        assert b"Still readable" in body
        status, headers, _, _ = server.get("/blog/")
        assert "ETag" in headers  # conditional requests keep working without Redis
        assert server.get("/blog/", headers={"If-None-Match": headers["ETag"]})[0] == 304
    finally:
        server.stop()
        redis.stop()
