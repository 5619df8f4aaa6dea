"""Refuse server-side requests to addresses an attacker should not reach (SSRF).

A URL is checked when it is saved and again just before each request, and the request then
connects to the exact address that was checked, so a name that later resolves elsewhere (DNS
rebinding) cannot slip through. Redirects are not followed by the callers.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]


class BlockedDestination(ValueError):
    """The URL points somewhere the server must not send requests."""


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise BlockedDestination(f"the name {host!r} does not resolve") from None
    return [str(info[4][0]) for info in infos]


def _unwrap(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
    return address


def is_public(address: IPAddress) -> bool:
    address = _unwrap(address)
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def _allowed(address: IPAddress, allow: Iterable[str]) -> bool:
    return any(_unwrap(address) in ipaddress.ip_network(entry, strict=False) for entry in allow)


def check_url(
    url: str, *, allow: Iterable[str] = (), resolver: Resolver = system_resolver
) -> tuple[str, int, str]:
    """Return ``(host, port, address)`` to connect to, or raise ``BlockedDestination``.

    ``allow`` lists networks an administrator has explicitly opened ("10.1.2.0/24").
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise BlockedDestination("only http and https addresses are allowed")
    if parts.username or parts.password:
        raise BlockedDestination("credentials in the address are not allowed")
    host = parts.hostname
    if not host:
        raise BlockedDestination("the address has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise BlockedDestination("the port is not a number") from None
    allow = list(allow)
    addresses = [ipaddress.ip_address(a.split("%")[0]) for a in resolver(host, port)]
    if not addresses:
        raise BlockedDestination(f"the name {host!r} does not resolve")
    for address in addresses:
        if not is_public(address) and not _allowed(address, allow):
            raise BlockedDestination(f"{host} resolves to a private or reserved address")
    return host, port, str(addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # Connect to the checked address, but verify the certificate for the name.
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    allow: Iterable[str] = (),
    timeout: float = 10.0,
    resolver: Resolver = system_resolver,
) -> int:
    """POST to a checked address and return the status; redirects are not followed."""
    host, port, address = check_url(url, allow=allow, resolver=resolver)
    parts = urlsplit(url)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address, timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
        return response.status
    finally:
        connection.close()
