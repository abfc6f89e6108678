"""Whole-page caching of anonymous blog pages in Redis.

Every cached page is stored together with the blog-wide generation number it was rendered under. Any
write to a post or a tag bumps the generation (on commit), so every page rendered before it stops
matching and the next request renders afresh: a post change can touch its own page, its neighbours'
previous/next links, index and tag pages, feeds and the sitemap, and a blog is written rarely enough
that invalidating all of it is both the simplest and the only safely complete choice.

Every request reads the generation from Redis (one small GET). Each process also keeps its most recent
pages in memory, tagged with their generation and expiry, and serves one only while its generation is
still the current one, so a write is visible on the next request in every process; otherwise the page
comes from Redis, and is rendered only when Redis has no current copy either.

Scheduled posts need no invalidation: each render reports when the next scheduled post becomes due,
and the page is cached no longer than that.

A miss takes a short Redis lock so concurrent requests for one page regenerate it once; the others
wait for the result. When Redis does not answer, pages are rendered uncached.
"""

import hashlib
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django_redis import get_redis_connection
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

GENERATION_KEY = "blog:generation"
PAGE_PREFIX = "blog:page:"
LOCK_SECONDS = 10  # a render that takes longer than this loses its lock
WAIT_SECONDS = 5.0  # how long followers wait for the leader's render
POLL_SECONDS = 0.02
# Browsers and proxies revalidate every time (ETag / Last-Modified make that a cheap 304).
PUBLIC_CACHE_CONTROL = "public, max-age=0, must-revalidate"
LOCAL_PAGES = 256  # pages each process keeps in memory (about 15 kB each)


@dataclass
class Page:
    """A rendered page as it is kept in the cache."""

    body: bytes
    content_type: str
    last_modified: float
    etag: str
    last_modified_http: str = ""

    @classmethod
    def from_response(cls, response: HttpResponse) -> "Page":
        body = response.content
        now = time.time()
        return cls(
            body=body,
            content_type=response["Content-Type"],
            last_modified=now,
            etag='"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"',
            last_modified_http=http_date(now),
        )

    def to_response(self) -> HttpResponse:
        response = HttpResponse(self.body, content_type=self.content_type)
        response.headers["ETag"] = self.etag
        response.headers["Last-Modified"] = self.last_modified_http or http_date(self.last_modified)
        response.headers["Cache-Control"] = PUBLIC_CACHE_CONTROL
        response.headers["Vary"] = "Cookie"
        return response


@dataclass
class Rendered:
    """What a view's render function returns: the response, and when a scheduled post is next due."""

    response: HttpResponse
    next_due: datetime | None = None


def invalidate() -> None:
    """Make every cached blog page stale; the next request for each renders it afresh."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # the key is missing (new or evicted Redis): a fresh start is just as stale
        _init_generation(force=True)


def _init_generation(force: bool = False) -> int | None:
    """Start the generation; None when Redis does not answer."""
    # Milliseconds since the epoch: greater than any earlier generation even if the key was evicted.
    value = int(time.time() * 1000)
    if force:
        cache.set(GENERATION_KEY, value, timeout=None)
        return value
    if cache.add(GENERATION_KEY, value, timeout=None):
        return value
    return cache.get(GENERATION_KEY)


def _timeout(next_due: datetime | None) -> int:
    timeout = settings.BLOG_CACHE_TIMEOUT
    if next_due is not None:
        timeout = min(timeout, max(1, int((next_due - timezone.now()).total_seconds()) + 1))
    return timeout


def _fresh(entry, generation: int) -> Page | None:
    # A page rendered under a later generation (by a request that saw a newer bump) is fresh too.
    if isinstance(entry, tuple) and len(entry) == 3 and entry[0] >= generation and entry[1] > time.time():
        return entry[2]
    return None


class _LocalPages:
    """This process's most recent pages, each as (generation, expires_at, page); least recent dropped."""

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict[str, tuple] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str, generation: int) -> Page | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
        return _fresh(entry, generation) if entry is not None else None

    def put(self, key: str, entry: tuple) -> None:
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


local_pages = _LocalPages(LOCAL_PAGES)


def _current_generation() -> tuple[bool, int | None]:
    """(Redis answered, the generation or None if it has none yet), in one small GET."""
    try:
        value = get_redis_connection("default").get(cache.make_key(GENERATION_KEY))
    except (RedisError, OSError) as exc:
        logger.warning("blog cache unavailable, rendering uncached: %s", exc)
        return False, None
    return True, (int(value) if value is not None else None)


def single_flight(key: str, generation: int, render: Callable[[], tuple[Page | None, int]]) -> Page | None:
    """The page cached at `key` for `generation`, rendered at most once across concurrent requests.

    `render` returns (page or None when not cacheable, timeout). Followers wait for the leader; if it
    gives up or produced nothing cacheable, they render for themselves.
    """
    entry = cache.get(key)
    page = _fresh(entry, generation)
    if page is not None:
        local_pages.put(key, entry)
        return page
    lock_key, token = f"{key}:{generation}:lock", uuid.uuid4().hex
    if cache.add(lock_key, token, timeout=LOCK_SECONDS):
        try:
            # A leader that finished between our miss and our lock has cached the page: use it.
            entry = cache.get(key)
            page = _fresh(entry, generation)
            if page is not None:
                local_pages.put(key, entry)
                return page
            page, timeout = render()
            if page is not None:
                entry = (generation, time.time() + timeout, page)
                cache.set(key, entry, timeout=timeout)
                local_pages.put(key, entry)
            return page
        finally:
            if cache.get(lock_key) == token:
                cache.delete(lock_key)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        page = _fresh(cache.get(key), generation)
        if page is not None:
            return page
        if cache.get(lock_key) is None:
            # The leader may have stored the page and released the lock between the two reads above.
            page = _fresh(cache.get(key), generation)
            if page is not None:
                return page
            break
    page, _ = render()
    return page


def _private(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ["Cookie"])
    patch_cache_control(response, private=True, no_store=True)
    return response


def _public(request: HttpRequest, page: Page) -> HttpResponse:
    response = page.to_response()
    if "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META:
        return get_conditional_response(
            request, etag=page.etag, last_modified=int(page.last_modified), response=response
        )
    return response


def cached_page(request: HttpRequest, key_parts: tuple, render: Callable[[], Rendered]) -> HttpResponse:
    """Serve an anonymous visitor's page from Redis, rendering it on a miss; others get it fresh.

    `key_parts` name the page (the view decides which query parameters matter, so random query
    strings cannot fill the cache); the scheme and host are part of the key because pages carry
    absolute canonical URLs.
    """
    if request.user.is_authenticated:
        return _private(render().response)
    if not settings.BLOG_CACHE_ENABLED:
        return render().response

    def render_page() -> tuple[Page | None, int]:
        rendered = render()
        if rendered.response.status_code != 200:
            raise _NotCacheable(rendered.response)
        return Page.from_response(rendered.response), _timeout(rendered.next_due)

    raw = "|".join(str(part) for part in (request.scheme, request.get_host(), *key_parts))
    key = PAGE_PREFIX + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
    try:
        redis_up, generation = _current_generation()
        if redis_up and generation is None:
            generation = _init_generation()
        if generation is None:  # Redis does not answer: render without it
            page, _ = render_page()
        else:
            page = local_pages.get(key, generation) or single_flight(key, generation, render_page)
    except _NotCacheable as exc:
        return exc.response
    return _public(request, page)


class _NotCacheable(Exception):
    def __init__(self, response: HttpResponse):
        self.response = response
