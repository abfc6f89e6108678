"""Cache-based rate limits: signup, password reset, and the decorator the answer view uses."""

import logging
import threading

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import reverse

from practice.models import User
from practice.tests.factories import make_user
from practice.tests.jobs import run_jobs
from prepnexus.ratelimit import hit, ratelimit

pytestmark = pytest.mark.django_db
MID_HOUR = 1_800_001_800.0  # half-way through an hour-long window


@pytest.fixture(autouse=True)
def _clock_mid_window(monkeypatch):
    """Windows are fixed: a test that straddled a boundary would see its count reset half-way."""
    import types

    monkeypatch.setattr("prepnexus.ratelimit.time", types.SimpleNamespace(time=lambda: MID_HOUR))


def limits(**overrides):
    return override_settings(RATELIMITS={**settings.RATELIMITS, **overrides})


def signup(client, n, addr="198.51.100.7"):
    data = {"email": f"new{n}@example.org", "password1": "a-long-unusual-passphrase-7"}
    data["password2"] = data["password1"]
    return client.post(reverse("signup"), data, REMOTE_ADDR=addr)


@limits(signup=(3, 3600))
def test_signup_is_limited_per_client_with_429_and_retry_after(client):
    for n in range(3):
        assert signup(client, n).status_code == 302
        client.logout()
    response = signup(client, 3)
    assert response.status_code == 429
    assert response["Retry-After"] == "1800"
    assert b"wait about 30 minutes" in response.content
    assert b"Too many requests" in response.content
    assert b"Nothing was saved" in response.content
    assert not User.objects.filter(email="new3@example.org").exists()
    assert client.get(reverse("signup"), REMOTE_ADDR="198.51.100.7").status_code == 200  # GET is free
    assert signup(client, 4, addr="203.0.113.9").status_code == 302  # another client is unaffected


@limits(signup=(3, 3600))
def test_an_ipv6_client_cannot_dodge_the_limit_by_rotating_addresses_in_its_64(client):
    for n in range(3):
        assert signup(client, n, addr=f"2001:db8:1:2::{n + 1:x}").status_code == 302
        client.logout()
    assert signup(client, 3, addr="2001:db8:1:2:ffff:ffff:ffff:fffe").status_code == 429
    assert signup(client, 4, addr="2001:db8:1:3::1").status_code == 302  # another /64: another client


@limits(**{"password-reset": (2, 3600)})
def test_password_reset_is_limited_per_client(client):
    url = reverse("password_reset")
    for _ in range(2):
        assert client.post(url, {"email": "someone@example.org"}).status_code == 302
    assert client.post(url, {"email": "someone-else@example.org"}).status_code == 429


@limits(**{"password-reset-email": (3, 3600)})
def test_password_reset_mails_to_one_address_are_limited_from_any_client(client, smtp_server):
    make_user(email="ada@example.org")
    url = reverse("password_reset")
    for n in range(3):
        client.post(url, {"email": "ada@example.org"}, REMOTE_ADDR=f"192.0.2.{n}")
    response = client.post(url, {"email": " ADA@example.org"}, REMOTE_ADDR="192.0.2.200")
    assert response.status_code == 429
    run_jobs()
    assert len(smtp_server.messages) == 3  # each request is its own mail


@ratelimit("answer", key="user")
def answer_view(request):
    return HttpResponse("saved")


@limits(answer=(2, 3600))
def test_the_decorator_limits_each_learner_separately_and_only_posts():
    ada, bob = make_user(), make_user()
    factory = RequestFactory()

    def post(user):
        request = factory.post("/answer/")
        request.user = user
        return answer_view(request)

    assert [post(ada).status_code for _ in range(3)] == [200, 200, 429]
    assert post(bob).status_code == 200
    get = factory.get("/answer/")
    get.user = ada
    assert answer_view(get).status_code == 200


@override_settings(RATELIMIT_ENABLED=False)
@limits(answer=(1, 3600))
def test_rate_limits_can_be_switched_off():
    request = RequestFactory().post("/answer/")
    request.user = make_user()
    assert [answer_view(request).status_code for _ in range(3)] == [200, 200, 200]


def test_concurrent_requests_never_exceed_the_limit():
    results = []
    barrier = threading.Barrier(20)

    def worker():
        barrier.wait()
        results.append(hit("race", "ip:192.0.2.1", 7, 3600)[0])

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 7


def test_a_window_expires_from_its_first_count_and_later_counts_do_not_extend_it():
    from django.core.cache import cache
    from django_redis import get_redis_connection

    redis = get_redis_connection("default")
    key = cache.make_and_validate_key(f"ratelimit:ttl:ip:192.0.2.9:{int(MID_HOUR // 60) * 60}")
    redis.delete(key)
    assert hit("ttl", "ip:192.0.2.9", 5, 60) == (True, 60)
    redis.expire(key, 30)  # as if half the window had passed
    assert hit("ttl", "ip:192.0.2.9", 5, 60)[0]
    assert int(redis.get(key)) == 2
    assert 0 < redis.ttl(key) <= 30


@pytest.mark.servers
@limits(answer=(1, 3600))
def test_a_redis_outage_lets_requests_through_and_is_logged(caplog):
    from tests.harness.servers import ThrowawayRedis

    redis = ThrowawayRedis().start()
    try:
        caches = {"default": {**settings.CACHES["default"], "LOCATION": redis.url}}
        with override_settings(CACHES=caches):
            request = RequestFactory().post("/answer/")
            request.user = make_user()
            assert [answer_view(request).status_code for _ in range(2)] == [200, 429]  # enforced while up
            redis.stop()
            with caplog.at_level(logging.WARNING, logger="prepnexus.ratelimit"):
                assert answer_view(request).status_code == 200
            assert "rate limit answer not enforced: the cache is unreachable" in caplog.text
    finally:
        redis.stop()
