import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command

ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"


@pytest.fixture(scope="session", autouse=True)
def _static_manifest():
    """Pages use manifest-hashed static names, as in production; build the manifest once if missing."""
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", "--noinput", verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache namespace (only this suite's key prefix, never FLUSHDB)."""
    cache.delete_pattern("*")
    yield
    cache.delete_pattern("*")


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if not path:
        pytest.skip("Debian's chromium is not installed (make test installs it when run as root)")
    return path


@pytest.fixture
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def _database_url(db: dict) -> str:
    from urllib.parse import quote

    auth = quote(db["USER"] or "postgres") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def app_server(django_db_setup, django_db_blocker):
    """The app under gunicorn, as production serves it, on the test database.

    Tests that use it take `transactional_db`, so what they write is committed and visible to it.
    """
    from django.db import connection

    from tests.harness.servers import Gunicorn

    server = Gunicorn(
        {
            "DATABASE_URL": _database_url(connection.settings_dict),
            "DB_POOL_SIZE": "1",
            "DB_MAX_OVERFLOW": "3",
        },
        workers=1,
        threads=4,
    ).start()
    yield server
    server.stop()
