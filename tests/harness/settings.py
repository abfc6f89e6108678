"""The project's settings plus the test-only routes (tests/harness/urls.py).

For the app servers that tests start: `Gunicorn({"DJANGO_SETTINGS_MODULE": "tests.harness.settings", ...})`.
The servers run from the project root, where `tests` is importable; the Docker image holds no tests.
"""

from prepnexus.checks import refuse_outside_tests
from prepnexus.settings import *  # noqa: F403
from prepnexus.settings import HTTPS

refuse_outside_tests(__name__, https=HTTPS)

ROOT_URLCONF = "tests.harness.urls"
