import email
import email.policy
import shutil
import socket
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


class SMTPServer:
    """A real SMTP server (aiosmtpd) on a free local port; `.messages` are the mails it received."""

    def __init__(self):
        from aiosmtpd.controller import Controller  # imported here: only the tests that use it need it

        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list = []
        self.port = _free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        self.running = True

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls this hook by name
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def stop(self) -> None:
        """Stop listening: a mail sent now meets a closed port."""
        if self.running:
            self._controller.stop()
            self.running = False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server for the test, with Django's mail settings pointed at it (docs/email.md)."""
    server = SMTPServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()
