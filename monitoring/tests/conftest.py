import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.harness.servers import Gunicorn, ThrowawayPostgres, ThrowawayRedis

TOKEN = "test-monitoring-token-0123456789"  # only for the servers these tests start
TIMINGS = Path(__file__).resolve().parents[2] / "test-artifacts" / "fault-timings.json"

_SESSION_SCRIPT = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore
from practice.tests.factories import make_user
user = make_user(username="{username}", email="{username}@example.org", is_staff={staff})
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "practice.backends.EmailOrUsernameBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""


class Stack:
    """The app under gunicorn with its own PostgreSQL and Redis, which a test may stop and start."""

    def __init__(self, workers: int = 2, threads: int = 4, postgres: ThrowawayPostgres | None = None, **env):
        self.postgres = postgres or ThrowawayPostgres().start()
        self.redis = ThrowawayRedis().start()
        self.app = Gunicorn(
            {
                "DATABASE_URL": self.postgres.create_database("prepnexus"),
                "REDIS_URL": self.redis.url,
                "DB_POOL_SIZE": "1",
                "DB_MAX_OVERFLOW": "3",
                "DB_POOL_TIMEOUT": "2",
                "DB_CONNECT_TIMEOUT": "2",
                "MONITORING_TOKEN": TOKEN,
                "CACHE_KEY_PREFIX": "fault",
                **env,
            },
            workers=workers,
            threads=threads,
        )

    def start(self) -> "Stack":
        self.app.manage("migrate", "--noinput")
        self.app.start()
        return self

    def session_cookie(self, username: str, staff: bool = False) -> str:
        script = _SESSION_SCRIPT.format(username=username, staff=staff)
        key = self.app.manage("shell", "-c", script).stdout.strip().splitlines()[-1]
        return f"sessionid={key}"

    def get(self, path: str, headers: dict | None = None, timeout: float = 10):
        try:
            return self.app.get(path, headers=headers, timeout=timeout)
        except (urllib.error.URLError, OSError) as exc:  # connection reset etc.: a failed request
            return 0, {}, str(exc).encode(), timeout

    def destroy(self) -> None:
        self.app.stop()
        self.redis.destroy()
        self.postgres.destroy()


@pytest.fixture
def stack():
    made = []

    def make(**kwargs) -> Stack:
        made.append(Stack(**kwargs))
        return made[-1].start()

    yield make
    for item in made:
        item.destroy()


def record_timings(name: str, figures: dict) -> None:
    """Keep the measured fault timings where the lead can read them, and print them."""
    TIMINGS.parent.mkdir(exist_ok=True)
    data = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
    data[name] = figures
    TIMINGS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    print(f"\nFAULT TIMINGS {name}: {json.dumps(figures, sort_keys=True)}")


def bearer() -> dict:
    return {"Authorization": f"Bearer {TOKEN}"}


def fetch(url: str, headers: dict | None = None, timeout: float = 10):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return response.read()


@pytest.fixture(autouse=True)
def _empty_performance_buffer():
    """Counts buffered by earlier tests in this process must not reach this test's Redis figures."""
    from django.core.cache import cache

    from monitoring.metrics import store

    with store._lock:
        store._buffer.clear()
    cache.delete_pattern("monitoring:perf:*")  # in case the flush thread wrote them meanwhile
