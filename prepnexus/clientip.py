"""The real client address, behind the reverse proxies the operator trusts by address.

Lockouts and rate limits key on `client_ip`. Two settings describe the proxies in front of the app:

- TRUSTED_PROXY_IPS: the networks (CIDRs) the proxies connect from. X-Forwarded-For is read only when
  the socket peer (REMOTE_ADDR) is in one of them; from anyone else the header is ignored, whatever it
  says, so a client that reaches the app directly cannot choose its address.
- TRUSTED_PROXY_COUNT: how many proxies in a row may append to the header (1 when only
  TRUSTED_PROXY_IPS is set). It bounds the walk below.

Walking X-Forwarded-For from the right, each trusted hop hands over to the address it received the
request from; the walk stops at the first address that is not a trusted proxy, or after
TRUSTED_PROXY_COUNT hops. An IPv6 client is keyed by its /64 network (written as the network's first
address): one subscriber usually holds a whole /64, so a /128 key would give them 2**64 fresh budgets.
"""

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = IPv4Network | IPv6Network
IPV6_PREFIX = 64


def trusted_proxies(values: list[str], count: int | None) -> tuple[tuple[Network, ...], int]:
    """Parse TRUSTED_PROXY_IPS and TRUSTED_PROXY_COUNT (1 by default once there are proxy addresses).

    A proxy count without the addresses it may come from is refused: the header would be believed from
    anyone.
    """
    networks = []
    for value in filter(None, (value.strip() for value in values)):
        try:
            networks.append(ip_network(value, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXY_IPS: {value!r} is not an address or CIDR (e.g. 10.0.0.0/8, 2001:db8::/48)"
            ) from None
    if count is None:
        count = 1 if networks else 0
    if count < 0:
        raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
    if count > 0 and not networks:
        raise ImproperlyConfigured(
            "TRUSTED_PROXY_COUNT is set but TRUSTED_PROXY_IPS is empty: list the proxies' addresses "
            "(CIDRs). X-Forwarded-For is trusted only from them."
        )
    return tuple(networks), count


def parse_address(value: str) -> IPv4Address | IPv6Address | None:
    """An address from a header or the socket, with an optional port ("[2001:db8::1]:443")."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.5:5123"
        value = value.split(":", 1)[0]
    try:
        address = ip_address(value)
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted(address: IPv4Address | IPv6Address) -> bool:
    return any(address in network for network in settings.TRUSTED_PROXY_IPS)


def client_address(request: HttpRequest) -> IPv4Address | IPv6Address:
    """The address of the client that connected to the outermost trusted proxy (see the module doc)."""
    address = parse_address(request.META.get("REMOTE_ADDR", "")) or IPv4Address(0)
    hops = [hop for hop in request.META.get(settings.TRUSTED_PROXY_HEADER, "").split(",") if hop.strip()]
    for _ in range(settings.TRUSTED_PROXY_COUNT):
        if not hops or not is_trusted(address):
            break
        forwarded = parse_address(hops.pop())
        if forwarded is None:
            break  # a garbled entry: the last trusted hop is the best we know
        address = forwarded
    return address


def client_ip(request: HttpRequest) -> str:
    """The key lockouts and rate limits count on: the client's IPv4 address, or its IPv6 /64."""
    address = client_address(request)
    if isinstance(address, IPv6Address):
        return str(ip_network(f"{address}/{IPV6_PREFIX}", strict=False).network_address)
    return str(address)
