from ipaddress import ip_network

import pytest
from django.test import RequestFactory, override_settings

from prepnexus.clientip import client_ip

PROXIES = (ip_network("10.0.0.0/24"), ip_network("2001:db8:ffff::/48"))


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, "198.51.100.7", None, "198.51.100.7"),
        (0, "10.0.0.2", "203.0.113.5", "10.0.0.2"),  # no proxy configured: the header is forgeable
        (1, "10.0.0.2", "203.0.113.5", "203.0.113.5"),
        (1, "10.0.0.2", "192.0.2.1, 203.0.113.5", "203.0.113.5"),  # client-written entry ignored
        (2, "10.0.0.3", "192.0.2.1, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        # Two proxies allowed, but the second-to-last hop is no proxy of ours: it is the client.
        (2, "10.0.0.3", "192.0.2.1, 203.0.113.5", "203.0.113.5"),
        (1, "10.0.0.2", None, "10.0.0.2"),  # did not come through the proxy
        (2, "10.0.0.3", "10.0.0.2", "10.0.0.2"),  # fewer hops than trusted proxies
        (1, "10.0.0.2", "not-an-address", "10.0.0.2"),
        (1, "10.0.0.2", "[2001:db8::1]:443", "2001:db8::"),
        (1, "10.0.0.2", "203.0.113.5:5123", "203.0.113.5"),
        (1, "2001:db8:ffff::9", "203.0.113.5", "203.0.113.5"),  # an IPv6 proxy
        (1, "::ffff:10.0.0.2", "203.0.113.5", "203.0.113.5"),  # an IPv4 proxy on a dual-stack socket
    ],
)
def test_client_ip_takes_the_address_the_outermost_trusted_proxy_saw(count, remote, forwarded, expected):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    with override_settings(TRUSTED_PROXY_COUNT=count, TRUSTED_PROXY_IPS=PROXIES):
        assert client_ip(RequestFactory().get("/", **meta)) == expected


@pytest.mark.parametrize(
    ("remote", "expected"),
    [("198.51.100.7", "198.51.100.7"), ("10.0.1.2", "10.0.1.2"), ("2001:db8::1", "2001:db8::")],
)
def test_forwarded_for_from_a_peer_outside_the_trusted_networks_is_ignored(remote, expected):
    """A client that reaches the app directly (not through the proxy) cannot choose its address."""
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR="203.0.113.5")
    with override_settings(TRUSTED_PROXY_COUNT=1, TRUSTED_PROXY_IPS=PROXIES):
        assert client_ip(request) == expected


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("2001:db8:1:2::1", "2001:db8:1:2::"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::"),  # same /64: same key
        ("2001:db8:1:3::1", "2001:db8:1:3::"),  # the next /64: another client
        ("::ffff:198.51.100.7", "198.51.100.7"),  # IPv4 on a dual-stack socket stays one address
        ("198.51.100.7", "198.51.100.7"),
    ],
)
def test_an_ipv6_client_is_keyed_by_its_64_network(remote, expected):
    with override_settings(TRUSTED_PROXY_COUNT=0, TRUSTED_PROXY_IPS=()):
        assert client_ip(RequestFactory().get("/", REMOTE_ADDR=remote)) == expected


def test_an_ipv6_client_behind_a_proxy_is_keyed_by_its_64_network():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="2001:db8:5:6:7::8")
    with override_settings(TRUSTED_PROXY_COUNT=1, TRUSTED_PROXY_IPS=PROXIES):
        assert client_ip(request) == "2001:db8:5:6::"
