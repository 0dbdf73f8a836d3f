"""Where a webhook may post (SSRF): http(s) to public addresses only.

A URL's host is resolved and every address it resolves to must be public: private,
loopback, link-local, multicast, reserved, unspecified and other non-global ranges (IPv4
and IPv6, IPv4-mapped IPv6 included) are refused. ``WEBHOOKS_ALLOW_LOOPBACK`` (local and
test settings) lets loopback through, nothing else. The check runs when a subscription
is saved and again at every try (DNS may answer differently later), and the connection
is made to the very addresses checked (``transport``), so a name that changes between
the check and the connect cannot lead elsewhere.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from core.exceptions import RuleViolation
from integrations import messages as msg

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (``addresses``) and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line
    addresses: tuple[Address, ...]


def _loopback_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_LOOPBACK", False))


def address_refused(address: Address) -> bool:
    """Whether a webhook may not be sent to ``address``."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return not _loopback_allowed()
    return bool(
        address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def _resolve(host: str, port: int) -> tuple[Address, ...]:
    try:
        return (ipaddress.ip_address(host),)
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise RuleViolation({"url": [msg.URL_UNRESOLVED.format(host=host)]}) from error
    addresses: list[Address] = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise RuleViolation({"url": [msg.URL_UNRESOLVED.format(host=host)]})
    return tuple(addresses)


def url_check(url: str) -> Target:
    """The URL's target if a webhook may post there, else ``RuleViolation`` on ``url``."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https"):
        raise RuleViolation({"url": [msg.URL_SCHEME]})
    if parts.username is not None or parts.password is not None:
        raise RuleViolation({"url": [msg.URL_CREDENTIALS]})
    host = parts.hostname or ""
    if not host:
        raise RuleViolation({"url": [msg.URL_NO_HOST]})
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError as error:
        raise RuleViolation({"url": [msg.URL_PORT]}) from error
    addresses = _resolve(host, port)
    for address in addresses:
        if address_refused(address):
            raise RuleViolation({"url": [msg.URL_REFUSED.format(address=address)]})
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(parts.scheme.lower(), host, port, path, addresses)
