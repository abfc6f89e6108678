"""Settings are parsed from the environment: each case imports settings in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "debug": settings.DEBUG, "hosts": settings.ALLOWED_HOSTS, "csrf": settings.CSRF_TRUSTED_ORIGINS,
    "db_name": db["NAME"], "db_host": db["HOST"], "db_port": str(db["PORT"]), "pool": db["OPTIONS"]["pool"],
    "connect_timeout": db["OPTIONS"]["connect_timeout"], "health": db["CONN_HEALTH_CHECKS"],
    "cache": settings.CACHES["default"]["LOCATION"], "session": settings.SESSION_ENGINE,
    "email": settings.EMAIL_BACKEND, "email_host": settings.EMAIL_HOST, "tz": settings.TIME_ZONE,
    "sql_debug": settings.SQL_DEBUG, "sql_level": settings.LOGGING["loggers"]["django.db.backends"]["level"],
    "workers": settings.GUNICORN_WORKERS, "threads": settings.GUNICORN_THREADS,
    "static": settings.STORAGES["staticfiles"]["BACKEND"],
    "session_cookie": settings.SESSION_COOKIE_NAME, "secure": settings.SESSION_COOKIE_SECURE,
}))
"""
BASE_ENV = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "prepnexus.settings", "HOME": "/tmp"}


def load(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        env=BASE_ENV | env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_defaults_are_safe_and_local():
    result = load(DJANGO_SECRET_KEY="k" * 50)
    assert result.returncode == 0, result.stderr
    s = json.loads(result.stdout)
    assert s["debug"] is False
    assert (s["db_host"], s["db_port"], s["db_name"]) == ("127.0.0.1", "5432", "prepnexus")
    assert s["cache"] == "redis://127.0.0.1:6379/0"
    assert s["session"] == "django.contrib.sessions.backends.cached_db"
    assert s["health"] is True
    assert s["connect_timeout"] <= 5 and s["pool"]["timeout"] <= 5
    assert s["email"] == "django.core.mail.backends.console.EmailBackend"
    assert s["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert s["sql_level"] == "INFO"


def test_every_variable_is_read_from_the_environment():
    result = load(
        DJANGO_SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://app:pw@db.internal:6543/prep",
        REDIS_URL="redis://cache.internal:6380/2",
        DJANGO_ALLOWED_HOSTS="prep.example.org,www.prep.example.org",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://prep.example.org",
        DB_POOL_SIZE="5",
        DB_MAX_OVERFLOW="7",
        DB_POOL_TIMEOUT="1.5",
        DB_CONNECT_TIMEOUT="3",
        SQL_DEBUG="on",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example.org:587",
        TIME_ZONE="America/New_York",
        GUNICORN_WORKERS="3",
        GUNICORN_THREADS="8",
        DJANGO_HTTPS="on",
    )
    assert result.returncode == 0, result.stderr
    s = json.loads(result.stdout)
    assert (s["db_host"], s["db_port"], s["db_name"]) == ("db.internal", "6543", "prep")
    assert s["pool"] == {"min_size": 5, "max_size": 12, "timeout": 1.5}
    assert s["connect_timeout"] == 3
    assert s["cache"] == "redis://cache.internal:6380/2"
    assert s["hosts"] == ["prep.example.org", "www.prep.example.org"]
    assert s["csrf"] == ["https://prep.example.org"]
    assert s["sql_debug"] is True and s["sql_level"] == "DEBUG"
    assert (
        s["email"] == "django.core.mail.backends.smtp.EmailBackend" and s["email_host"] == "smtp.example.org"
    )
    assert s["tz"] == "America/New_York"
    assert (s["workers"], s["threads"]) == (3, 8)
    assert s["session_cookie"] == "__Host-sessionid" and s["secure"] is True


def test_missing_secret_key_is_refused_unless_debugging():
    result = load()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    assert load(DJANGO_DEBUG="on").returncode == 0


def test_sqlite_is_refused():
    result = load(DJANGO_SECRET_KEY="k" * 50, DATABASE_URL="sqlite:///db.sqlite3")
    assert result.returncode != 0
    assert "must point at PostgreSQL" in result.stderr


@pytest.mark.django_db
def test_sql_debug_logs_each_query_with_duration():
    env = BASE_ENV | {"DJANGO_SECRET_KEY": "k" * 50, "SQL_DEBUG": "on"}
    for key in ("DATABASE_URL", "REDIS_URL"):
        if key in os.environ:
            env[key] = os.environ[key]
    code = (
        "import django; django.setup(); from django.db import connection; "
        "connection.cursor().execute('SELECT 42')"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines() if "SELECT 42" in line]
    assert lines and lines[0]["logger"] == "django.db.backends"
    assert isinstance(lines[0]["duration"], float)


def test_env_example_documents_every_variable_the_settings_read():
    import re

    names = set()
    for path in [
        ROOT / "prepnexus/settings.py",
        ROOT / "prepnexus/gunicorn.conf.py",
        ROOT / "prepnexus/alert_settings.py",
    ]:
        text = path.read_text()
        names |= set(re.findall(r'env\.\w+\(\s*"([A-Z_]+)"', text))
        names |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z_]+)"', text))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert names - documented == set()
