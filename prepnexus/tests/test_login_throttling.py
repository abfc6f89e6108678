"""Login throttling (django-axes): per client address and account, with a cool-off, on both logins."""

from datetime import timedelta
from ipaddress import ip_network

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from practice.tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
BEHIND_PROXY = override_settings(TRUSTED_PROXY_COUNT=1, TRUSTED_PROXY_IPS=(ip_network("10.0.0.0/24"),))


def attempt(client, username, password="wrong-password-1", url=None, client_addr=None, forged=None):
    """One login POST. With client_addr, it arrives through the trusted proxy like nginx sends it."""
    meta = {}
    if client_addr:
        hops = [forged] if forged else []
        meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": ", ".join([*hops, client_addr])}
    return client.post(url or reverse("login"), {"username": username, "password": password}, **meta)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_settings_have_an_explicit_cool_off_and_five_failures():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AUTHENTICATION_BACKENDS[0] == "prepnexus.auth.AxesBackend"
    assert settings.AXES_LOCKOUT_PARAMETERS == [["ip_address", "username"]]


def test_sixth_bad_password_within_five_minutes_is_refused_even_when_correct(client):
    user = make_user()
    for _ in range(4):
        response = attempt(client, user.username)
        assert response.status_code == 200
        assert b"Please enter a correct" in response.content
    fifth = attempt(client, user.username)
    assert fifth.status_code == 429  # the fifth failure uses up the allowance
    sixth = attempt(client, user.username, PASSWORD)
    assert sixth.status_code == 429
    assert not logged_in(client)
    assert b"Too many failed logins" in sixth.content
    assert b"try again in 15 minutes" in sixth.content
    assert sixth["Retry-After"] == "900"
    assert 'extends "base.html"' in (settings.BASE_DIR / "templates/registration/lockout.html").read_text()


def test_lockout_counts_the_account_however_its_identifier_is_typed(client):
    user = make_user(username="ada", email="ada@example.org")
    for typed in ["ada", "ADA", " Ada ", "Ada@Example.org", "ADA@EXAMPLE.ORG"]:
        attempt(client, typed)
    assert attempt(client, "ada@example.org", PASSWORD).status_code == 429
    assert attempt(client, user.username, PASSWORD).status_code == 429
    assert not logged_in(client)


def test_same_client_can_still_log_in_to_another_account(client):
    victim, other = make_user(), make_user()
    for _ in range(6):
        attempt(client, victim.username)
    response = attempt(client, other.username, PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


@BEHIND_PROXY
def test_clients_behind_one_proxy_are_locked_out_independently(client):
    user = make_user()
    for _ in range(6):
        attempt(client, user.username, client_addr="203.0.113.5")
    assert attempt(client, user.username, PASSWORD, client_addr="203.0.113.5").status_code == 429
    # Same proxy address, same account, another client: unaffected.
    response = attempt(client, user.username, PASSWORD, client_addr="198.51.100.7")
    assert response.status_code == 302
    assert logged_in(client)
    recorded = set(AccessAttempt.objects.values_list("ip_address", flat=True))
    assert recorded == {"203.0.113.5"}  # the client, never the proxy


def test_an_ipv6_client_is_locked_out_across_its_whole_64(client):
    user = make_user()
    for n in range(5):
        client.post(
            reverse("login"),
            {"username": user.username, "password": "nope-123456"},
            REMOTE_ADDR=f"2001:db8:7::{n}",
        )
    response = attempt(client, user.username, PASSWORD, url=None)
    assert response.status_code == 302  # another client (IPv4) is unaffected
    client.logout()
    blocked = client.post(
        reverse("login"),
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR="2001:db8:7:0:ffff::1",
    )
    assert blocked.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"2001:db8:7::"}


@BEHIND_PROXY
def test_a_forged_forwarded_for_entry_does_not_dodge_the_lockout(client):
    user = make_user()
    for n in range(6):
        attempt(client, user.username, client_addr="203.0.113.5", forged=f"192.0.2.{n}")
    response = attempt(client, user.username, PASSWORD, client_addr="203.0.113.5", forged="192.0.2.99")
    assert response.status_code == 429


def test_without_a_trusted_proxy_forwarded_for_is_ignored(client):
    user = make_user()
    for n in range(6):
        client.post(
            reverse("login"),
            {"username": user.username, "password": "nope-123456"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    assert attempt(client, user.username, PASSWORD).status_code == 429


def test_lockout_ends_after_the_cool_off(client):
    user = make_user()
    for _ in range(6):
        attempt(client, user.username)
    assert attempt(client, user.username, PASSWORD).status_code == 429
    from django.utils import timezone

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = attempt(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_a_successful_login_resets_the_count(client):
    user = make_user()
    for _ in range(4):
        attempt(client, user.username)
    assert attempt(client, user.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, user.username).status_code == 200
    assert attempt(client, user.username, PASSWORD).status_code == 302


def test_admin_login_is_throttled_too(client):
    staff = make_user(is_staff=True)
    url = reverse("admin:login")
    for _ in range(5):
        attempt(client, staff.username, url=url)
    response = attempt(client, staff.username, PASSWORD, url=url)
    assert response.status_code == 429
    assert b"Too many failed logins" in response.content
    assert not logged_in(client)
    assert AccessAttempt.objects.get().path_info == url


def test_a_nul_byte_in_the_login_form_is_a_400_not_a_500(client):
    user = make_user()
    response = attempt(client, user.username + "\x00")
    assert response.status_code == 400
    response = client.post(reverse("login"), {"username": user.username, "password": "x", "next": "/\x00"})
    assert response.status_code == 400
