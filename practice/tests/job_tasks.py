"""Jobs for the worker's tests: they count their runs in Redis, where the test can read them."""

import time

from django.core.cache import cache
from django_tasks import task


@task()
def flaky(*, key: str, fail_times: int) -> int:
    """Raises on its first `fail_times` runs, then returns the run's number."""
    cache.add(key, 0, 600)
    runs = cache.incr(key)
    if runs <= fail_times:
        raise RuntimeError(f"run {runs} fails on purpose")
    return runs


@task()
def slow_first(*, key: str, seconds: float) -> int:
    """Sleeps `seconds` on its first run only (long enough to be killed in), then returns the run's number."""
    cache.add(key, 0, 600)
    runs = cache.incr(key)
    if runs == 1:
        time.sleep(seconds)
    return runs
