"""Login limits checked before the password hash: per address across accounts, per account across
addresses (a growing wait, never a lock), and login POSTs per address."""

import logging
import time

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import reverse

from practice.tests.factories import PASSWORD, make_user
from prepnexus.loginlimit import login_limited

pytestmark = pytest.mark.django_db


def limits(**overrides):
    return override_settings(RATELIMITS={**settings.RATELIMITS, **overrides})


@pytest.fixture
def hashes(monkeypatch):
    """Every computation of the preferred hasher (Argon2id): checking a password goes through verify,
    the dummy hash for an unknown account through encode."""
    calls = []
    hasher = type(get_hasher("default"))

    def counting(name):
        original = getattr(hasher, name)

        def counted(self, *args, **kwargs):
            calls.append(name)
            return original(self, *args, **kwargs)

        return counted

    for name in ("encode", "verify"):
        monkeypatch.setattr(hasher, name, counting(name))
    return calls


def post(client, username, password="wrong-password-1", addr="198.51.100.7", url=None):
    return client.post(
        url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=addr
    )


@limits(**{"login-failures": (4, 900)})
def test_one_address_spraying_many_accounts_is_refused_before_any_hash(client, hashes):
    users = [make_user() for _ in range(5)]
    hashes.clear()
    for user in users[:4]:
        assert post(client, user.username).status_code == 200
    assert len(hashes) == 4
    hashes.clear()
    response = post(client, users[4].username, PASSWORD)  # even the right password
    assert response.status_code == 429
    assert hashes == []  # refused before the form, the backends or the hasher
    assert response["Retry-After"] == "900"
    assert b"Too many login attempts" in response.content and b"not checked" in response.content
    assert "_auth_user_id" not in client.session
    # Another address logs in to the same account.
    assert post(client, users[4].username, PASSWORD, addr="203.0.113.9").status_code == 302


@limits(**{"login-failures": (4, 900)})
def test_the_admin_login_is_limited_before_any_hash_too(client, hashes):
    url = reverse("admin:login")
    for n in range(4):
        assert post(client, f"nobody-{n}", url=url).status_code == 200
    staff = make_user(is_staff=True)
    hashes.clear()
    assert post(client, staff.username, PASSWORD, url=url).status_code == 429
    assert hashes == []


@limits(login=(3, 300))
def test_login_posts_per_address_are_limited_even_when_they_succeed(client, hashes):
    user = make_user()
    hashes.clear()
    for _ in range(3):
        assert post(client, user.username, PASSWORD).status_code == 302
        client.logout()
    hashes.clear()
    assert post(client, user.username, PASSWORD).status_code == 429
    assert hashes == []


@limits(**{"login-account": (3, 30)})
def test_failures_on_one_account_from_many_addresses_slow_it_down_without_locking_it(client, hashes):
    user = make_user()
    for n in range(3):
        assert post(client, user.username, addr=f"192.0.2.{n}").status_code == 200
    # The third failure starts a wait of 1 s for this account, from any address.
    hashes.clear()
    slowed = post(client, user.username, PASSWORD, addr="203.0.113.50")
    assert slowed.status_code == 429 and hashes == []
    assert slowed["Retry-After"] == "1"
    assert b"wait 1 second" in slowed.content
    other = make_user()
    assert post(client, other.username, PASSWORD, addr="203.0.113.51").status_code == 302  # others
    client.logout()
    time.sleep(1.1)  # the wait, not a timing assertion: after it the owner gets in
    assert post(client, user.username, PASSWORD, addr="203.0.113.50").status_code == 302
    client.logout()
    # The wait grows with further failures (2 s after the next one), up to the ceiling.
    assert post(client, user.username, addr="192.0.2.9").status_code == 200
    assert post(client, user.username, PASSWORD, addr="203.0.113.50")["Retry-After"] == "2"


def test_default_login_limits_are_set():
    assert settings.RATELIMITS["login"] == (100, 300)
    assert settings.RATELIMITS["login-failures"] == (30, 900)
    assert settings.RATELIMITS["login-account"] == (10, 300)


def test_a_redis_outage_lets_logins_through_and_is_logged(caplog):
    from tests.harness.servers import ThrowawayRedis

    def failed_login(request):
        return HttpResponse("the form again")

    view = login_limited(failed_login)

    def attempt() -> int:
        request = RequestFactory().post("/login/", {"username": "ada", "password": "x"})
        request.user = AnonymousUser()
        return view(request).status_code

    redis = ThrowawayRedis().start()
    try:
        caches = {"default": {**settings.CACHES["default"], "LOCATION": redis.url}}
        with override_settings(CACHES=caches), limits(**{"login-failures": (1, 900)}):
            assert [attempt(), attempt()] == [200, 429]  # enforced while up
            redis.stop()
            with caplog.at_level(logging.WARNING, logger="prepnexus.ratelimit"):
                assert attempt() == 200
            assert "login limits not enforced: the cache is unreachable" in caplog.text
    finally:
        redis.stop()
