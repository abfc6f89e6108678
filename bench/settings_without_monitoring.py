"""The project's settings without monitoring's request middleware and cache counting: the baseline for
bench/monitoring_overhead.py. Never used outside that benchmark."""

from prepnexus.settings import *  # noqa: F403
from prepnexus.settings import CACHES, MIDDLEWARE

MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("monitoring.")]
CACHES["default"]["OPTIONS"]["CLIENT_CLASS"] = "django_redis.client.DefaultClient"
