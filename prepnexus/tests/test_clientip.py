import pytest
from django.test import RequestFactory, override_settings

from prepnexus.clientip import client_ip


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, "198.51.100.7", None, "198.51.100.7"),
        (0, "198.51.100.7", "203.0.113.5", "198.51.100.7"),  # no proxy: the header is forgeable
        (1, "10.0.0.2", "203.0.113.5", "203.0.113.5"),
        (1, "10.0.0.2", "192.0.2.1, 203.0.113.5", "203.0.113.5"),  # client-written entry ignored
        (2, "10.0.0.3", "192.0.2.1, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (1, "10.0.0.2", None, "10.0.0.2"),  # did not come through the proxy
        (2, "10.0.0.3", "203.0.113.5", "10.0.0.3"),  # fewer hops than trusted proxies
        (1, "10.0.0.2", "not-an-address", "10.0.0.2"),
        (1, "10.0.0.2", "[2001:db8::1]:443", "2001:db8::1"),
        (1, "10.0.0.2", "203.0.113.5:5123", "203.0.113.5"),
    ],
)
def test_client_ip_takes_the_address_the_outermost_trusted_proxy_saw(count, remote, forwarded, expected):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    with override_settings(TRUSTED_PROXY_COUNT=count):
        assert client_ip(RequestFactory().get("/", **meta)) == expected
