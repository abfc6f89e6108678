"""A django-redis client that counts cache hits and misses for the request being served."""

from django_redis.client import DefaultClient

from . import context
from .metrics import CACHE_LOOKUPS

_MISSING = object()


def _count(hits: int, misses: int) -> None:
    stats = context.current.get()
    if stats is not None:
        stats.cache_hits += hits
        stats.cache_misses += misses
    if hits:
        CACHE_LOOKUPS.labels("hit").inc(hits)
    if misses:
        CACHE_LOOKUPS.labels("miss").inc(misses)


class CountingClient(DefaultClient):
    def get(self, key, default=None, version=None, client=None):
        value = super().get(key, default=_MISSING, version=version, client=client)
        if value is _MISSING:
            _count(0, 1)
            return default
        _count(1, 0)
        return value

    def get_many(self, keys, version=None, client=None):
        keys = list(keys)
        found = super().get_many(keys, version=version, client=client)
        _count(len(found), len(keys) - len(found))
        return found
