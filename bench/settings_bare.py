"""The project's settings plus the bare baseline route of bench/blog.py (bench/urls_bare.py). Never used
outside that benchmark."""

from prepnexus.checks import refuse_outside_tests
from prepnexus.settings import *  # noqa: F403
from prepnexus.settings import BASE_DIR, HTTPS, env

refuse_outside_tests(__name__, https=HTTPS)

ROOT_URLCONF = "bench.urls_bare"
# Where bench/blog.py saves the bytes of the cached pages that /_bench/bare/<name>/ serves.
BENCH_BARE_DIR = env.path("BENCH_BARE_DIR", default=BASE_DIR / "bench" / "results" / "bare")
