"""Sessions rotate at login and die on the server at logout; production cookies are locked down."""

import json
import os
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse

from practice.tests.factories import PASSWORD, make_user

from .test_deploy import PRODUCTION_ENV, ROOT

CACHED_DB_PREFIX = "django.contrib.sessions.cached_db"


def login(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.django_db
def test_session_id_rotates_at_login(client):
    user = make_user()
    session = client.session
    session["visited"] = True
    session.save()
    before = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = before
    after = login(client, user)
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert Session.objects.filter(session_key=after).exists()


@pytest.mark.django_db
def test_logout_deletes_the_session_from_database_and_cache(client):
    user = make_user()
    key = login(client, user)
    assert client.get(reverse("profile")).status_code == 200  # loads the session through the cache
    assert cache.get(CACHED_DB_PREFIX + key) is not None
    assert client.post(reverse("logout")).status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert cache.get(CACHED_DB_PREFIX + key) is None
    # Replaying the old cookie gets nobody in.
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _database_url(db: dict) -> str:
    auth = quote(db["USER"] or "postgres") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="prep.example.org")
plain = client.get("/accounts/login/")
page = client.get("/accounts/login/", secure=True)
login = client.post("/accounts/login/", {"username": USERNAME, "password": PASSWORD}, secure=True)
cookies = {}
for response in (page, login):
    for name, morsel in response.cookies.items():
        keys = ("secure", "httponly", "samesite", "path", "domain", "max-age")
        cookies[name] = {k: morsel[k] for k in keys}
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "login": login.status_code,
    "hsts": page.get("Strict-Transport-Security"),
    "csp": page.get("Content-Security-Policy"),
    "cookies": cookies,
}))
"""


@pytest.mark.django_db(transaction=True)
def test_production_cookies_are_host_prefixed_secure_and_httponly():
    from django.db import connection

    user = make_user()
    env = {
        **os.environ,
        **PRODUCTION_ENV,
        "DATABASE_URL": _database_url(connection.settings_dict),
        "DB_POOL_SIZE": "1",
        "DB_MAX_OVERFLOW": "0",
        "CACHE_KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
    }
    code = f"USERNAME = {user.username!r}; PASSWORD = {PASSWORD!r}\n" + PROBE
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["plain"] == [301, "https://prep.example.org/accounts/login/"]
    assert out["login"] == 302
    assert out["hsts"] == "max-age=31536000; includeSubDomains"
    assert "upgrade-insecure-requests" in out["csp"]
    session, csrf = out["cookies"]["__Host-sessionid"], out["cookies"]["__Host-csrftoken"]
    for cookie in (session, csrf):
        # __Host- cookies must be Secure, Path=/ and carry no Domain, or browsers drop them.
        assert cookie["secure"] is True and cookie["path"] == "/" and not cookie["domain"]
        assert cookie["samesite"] == "Lax"
    assert session["httponly"] is True and csrf["httponly"] is True
    assert set(out["cookies"]) == {"__Host-sessionid", "__Host-csrftoken"}


def test_new_passwords_are_hashed_with_argon2id_at_owasps_minimum():
    from django.contrib.auth.hashers import get_hasher, make_password

    assert get_hasher("default").algorithm == "argon2"
    # argon2id, 19 MiB, 2 passes, 1 lane: the minimum configuration of OWASP's Password Storage Cheat Sheet.
    assert make_password("a-long-enough-passphrase").startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert len(settings.AUTH_PASSWORD_VALIDATORS) >= 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    "hasher",
    [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # every account made before the switch
        "django.contrib.auth.hashers.Argon2PasswordHasher",  # Django's own argon2 parameters
    ],
)
def test_an_older_hash_logs_in_and_is_upgraded_to_argon2id_once(client, hasher):
    from django.contrib.auth.hashers import make_password
    from django.utils.module_loading import import_string

    user = make_user()
    user.password = make_password(PASSWORD, hasher=import_string(hasher)())
    user.save(update_fields=["password"])
    old = user.password

    response = client.post(reverse("login"), {"username": user.username, "password": "not-" + PASSWORD})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password == old, "a failed login must not touch the stored hash"

    login(client, user)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.check_password(PASSWORD)
    upgraded = user.password
    client.logout()
    login(client, user)
    user.refresh_from_db()
    assert user.password == upgraded  # upgraded once, not on every login


@pytest.mark.django_db
def test_a_login_lasts_a_school_day_without_a_write_per_page(client):
    from django.utils import timezone

    user = make_user()
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == 12 * 3600
    key = cookie.value
    expires = Session.objects.get(session_key=key).expire_date
    left = (expires - timezone.now()).total_seconds()
    assert 12 * 3600 - 60 < left <= 12 * 3600
    # Pages do not move the expiry (no session write per request): the day's login holds until evening.
    for name in ("profile", "practice:dashboard", "profile"):
        assert client.get(reverse(name)).status_code == 200
    assert Session.objects.get(session_key=key).expire_date == expires


@pytest.mark.django_db
def test_a_session_past_its_day_asks_for_the_password_again(client):
    from datetime import timedelta

    from django.utils import timezone

    user = make_user()
    key = login(client, user)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    cache.delete(CACHED_DB_PREFIX + key)  # as Redis drops it when its timeout (the same 12 h) runs out
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_session_age_comes_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.SESSION_COOKIE_AGE)"
    )
    env = {**os.environ, "SESSION_COOKIE_AGE": "28800", "DJANGO_SETTINGS_MODULE": "prepnexus.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "28800"
