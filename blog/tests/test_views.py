import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from blog import services
from blog.models import Post
from practice.tests.factories import make_user

from .factories import make_post, make_tag
from .xss import XSS_PAYLOADS, executable_markup

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _xml(content: bytes):
    return ET.fromstring(content)  # noqa: S314  the app's own feed or sitemap


@pytest.fixture
def client():
    return Client()


def test_index_lists_live_posts_ten_per_page_newest_first(client):
    now = timezone.now()
    posts = [make_post(title=f"Live {i:02d}", publish_at=now - timedelta(days=i)) for i in range(12)]
    make_post(title="Still a draft", status=Post.Status.DRAFT, publish_at=None)
    make_post(title="Coming later", publish_at=now + timedelta(days=1))
    first = client.get("/blog/").content.decode()
    assert first.index(posts[0].title) < first.index(posts[9].title)
    assert posts[10].title not in first
    assert "Still a draft" not in first and "Coming later" not in first
    assert '<link rel="next" href="?page=2">' in first
    second = client.get("/blog/?page=2").content.decode()
    assert posts[11].title in second and posts[0].title not in second
    assert '<link rel="canonical" href="http://testserver/blog/?page=2">' in second


@pytest.mark.parametrize("page", ["3", "0", "abc", "-1", "99999999"])
def test_index_out_of_range_or_bad_page_is_404(client, page):
    make_post()
    assert client.get(f"/blog/?page={page}").status_code == 404


def test_detail_shows_a_live_post_with_seo_meta_and_neighbours(client):
    now = timezone.now()
    older = make_post(title="Older one", publish_at=now - timedelta(days=3))
    post = make_post(
        title="Middle one",
        summary="A summary.",
        seo_title="SEO middle",
        seo_description="SEO description.",
        cover_image="img/blog/pacing.svg",
        cover_alt="A clock",
        publish_at=now - timedelta(days=2),
        tags=[make_tag(name="Pacing")],
    )
    newer = make_post(title="Newer one", publish_at=now - timedelta(days=1))
    html = client.get(post.get_absolute_url()).content.decode()
    assert "<title>SEO middle · PrepNexus blog</title>" in html
    assert '<meta name="description" content="SEO description.">' in html
    assert f'<link rel="canonical" href="http://testserver{post.get_absolute_url()}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="SEO middle">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert '<meta property="og:image" content="http://testserver/static/img/blog/pacing.' in html
    assert '<meta property="article:tag" content="Pacing">' in html
    assert f'rel="prev" href="{older.get_absolute_url()}"' in html
    assert f'rel="next" href="{newer.get_absolute_url()}"' in html
    assert 'alt="A clock"' in html


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": Post.Status.DRAFT, "publish_at": None},
        {"publish_at": timezone.now() + timedelta(days=1)},
    ],
    ids=["draft", "scheduled"],
)
def test_unpublished_posts_are_404_for_visitors_and_learners_but_previewable_by_staff(client, overrides):
    post = make_post(title="Secret plans", **overrides)
    assert client.get(post.get_absolute_url()).status_code == 404
    client.force_login(make_user())
    assert client.get(post.get_absolute_url()).status_code == 404
    client.force_login(make_user(is_staff=True))
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assert "Preview:" in response.content.decode()
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_staff_preview_is_never_cached_for_visitors(client):
    post = make_post(status=Post.Status.DRAFT, publish_at=None)
    staff = Client()
    staff.force_login(make_user(is_staff=True))
    assert staff.get(post.get_absolute_url()).status_code == 200
    assert client.get(post.get_absolute_url()).status_code == 404


def test_tag_page_lists_only_live_posts_with_that_tag(client):
    tag = make_tag(name="Grammar")
    tagged = make_post(title="Commas", tags=[tag])
    make_post(title="Untagged")
    make_post(title="Draft commas", tags=[tag], status=Post.Status.DRAFT, publish_at=None)
    response = client.get(tag.get_absolute_url())
    html = response.content.decode()
    assert tagged.title in html
    assert "Untagged" not in html and "Draft commas" not in html
    assert "1 post<" in html
    assert client.get("/blog/tag/no-such-tag/").status_code == 404


def test_rss_and_atom_feeds_are_valid_xml_with_the_latest_20_live_posts(client):
    now = timezone.now()
    for i in range(22):
        make_post(title=f"Feed post {i:02d}", publish_at=now - timedelta(hours=i + 1))
    make_post(title="Draft in feed", status=Post.Status.DRAFT, publish_at=None)
    rss = client.get("/blog/feed/")
    assert rss["Content-Type"].startswith("application/rss+xml")
    items = _xml(rss.content).findall("./channel/item")
    assert len(items) == 20
    assert items[0].findtext("title") == "Feed post 00"
    assert (
        items[0].findtext("link")
        == "http://testserver/blog/post-number-" + items[0].findtext("link").rsplit("post-number-", 1)[1]
    )
    atom = client.get("/blog/atom/")
    assert atom["Content-Type"].startswith("application/atom+xml")
    entries = _xml(atom.content).findall(f"{ATOM}entry")
    assert len(entries) == 20
    assert b"Draft in feed" not in rss.content + atom.content


def test_sitemap_lists_posts_tags_and_static_pages(client):
    tag = make_tag(name="Scoring")
    live = make_post(tags=[tag])
    draft = make_post(status=Post.Status.DRAFT, publish_at=None)
    empty_tag = make_tag(name="Nothing yet")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locations = {loc.text for loc in _xml(response.content).iter(f"{ns}loc")}
    base = "http://testserver"
    assert {f"{base}/", f"{base}/accounts/signup/", f"{base}/accounts/login/", f"{base}/blog/"} <= locations
    assert base + live.get_absolute_url() in locations
    assert base + tag.get_absolute_url() in locations
    assert base + draft.get_absolute_url() not in locations
    assert base + empty_tag.get_absolute_url() not in locations


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()


def test_nav_links_to_the_blog(client):
    assert '<a href="/blog/">Blog</a>' in client.get("/").content.decode()


def test_xss_in_titles_and_bodies_survives_nowhere(client):
    """Every known payload, as title and body, in every page that shows posts."""
    tag = make_tag(name="<svg onload=alert(1)>")
    posts = [
        make_post(
            title=payload[:200], summary=payload[:500], body=f"Before\n\n{payload}\n\nAfter", tags=[tag]
        )
        for payload in XSS_PAYLOADS
    ]
    pages = ["/blog/", "/blog/?page=2", "/blog/?page=3", "/blog/?page=4", tag.get_absolute_url()]
    pages += [post.get_absolute_url() for post in posts]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert executable_markup(response.content.decode(), page=True) == [], path
    for path, item_tag, content_tags in [
        ("/blog/feed/", "./channel/item", ["title", "description"]),
        ("/blog/atom/", f"{ATOM}entry", [f"{ATOM}title", f"{ATOM}summary"]),
    ]:
        root = _xml(client.get(path).content)
        for item in root.findall(item_tag):
            for name in content_tags:
                text = item.findtext(name) or ""
                assert executable_markup(text) == [], (path, text)
                if name.endswith("title"):  # some readers render titles as HTML
                    assert "<" not in text or text.count("<") == text.count("< "), text


def test_writes_show_on_the_next_request(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(title="First title")
    assert "First title" in client.get("/blog/").content.decode()  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        services.post_update(post=post, title="Second title")
    for path in ["/blog/", post.get_absolute_url(), "/blog/feed/"]:
        assert "Second title" in client.get(path).content.decode(), path
    with django_capture_on_commit_callbacks(execute=True):
        services.post_unpublish(post=post)
    assert "Second title" not in client.get("/blog/").content.decode()
    assert client.get(post.get_absolute_url()).status_code == 404
    assert post.get_absolute_url() not in client.get("/sitemap.xml").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_publish(post=post)
    assert "Second title" in client.get("/blog/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_delete(post=post)
    assert "Second title" not in client.get("/blog/").content.decode()
    assert "Second title" not in client.get("/blog/atom/").content.decode()


def test_post_requests_are_refused(client):
    assert client.post("/blog/").status_code == 405
