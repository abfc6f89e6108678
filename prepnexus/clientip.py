"""The real client address, behind as many trusted reverse proxies as the operator configures."""

from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.5:5123"
        value = value.split(":", 1)[0]
    try:
        return str(ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """Return the address of the client that connected to the outermost trusted proxy.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so with
    TRUSTED_PROXY_COUNT = N the client is the N-th entry from the right. Entries further left were
    written by the client itself and are ignored, so they cannot be used to dodge a lockout or a rate
    limit. With N = 0 (no proxy) only the socket address counts.
    """
    remote = _valid(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"  # noqa: S104
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    header = request.META.get(settings.TRUSTED_PROXY_HEADER, "")
    hops = [hop for hop in header.split(",") if hop.strip()]
    if len(hops) < count:
        # The request did not pass through every trusted proxy: the socket peer is the best we know.
        return remote
    return _valid(hops[-count]) or remote
