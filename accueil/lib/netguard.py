"""Refuse server-side requests to addresses an attacker should not reach (SSRF).

A URL is checked when it is saved and again just before each request, and the request then
connects to the exact address that was checked, so a name that later resolves elsewhere (DNS
rebinding) cannot slip through. Redirects are not followed by the callers.

Private, loopback and other non-public addresses are refused unless two lists both open them:
``permitted``, the networks the platform's operator lets agencies open (a setting), and
``allow``, the networks one agency opened for one endpoint, each of which must lie inside a
permitted network (``check_allow_list``). Link-local addresses, cloud metadata addresses and
"this network" (``NEVER``) are refused whatever either list says, in every IPv6 disguise.

Every refusal is a ``BlockedDestination`` whose ``code`` callers turn into words.
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


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

BLOCK_CODES = (
    "scheme",
    "credentials",
    "no_host",
    "port",
    "unresolved",
    "private",
    "never",
    "network_syntax",
    "not_permitted",
)


class BlockedDestination(ValueError):
    """The URL (or an allow-list entry) points somewhere the server must not send requests.

    ``code`` is one of ``BLOCK_CODES``; ``subject`` the host or network concerned, if any.
    """

    def __init__(self, message: str, code: str = "private", subject: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.subject = subject


_NEVER_V4 = (
    "169.254.0.0/16",  # link-local, where cloud metadata services answer (169.254.169.254)
    "100.100.100.200/32",  # Alibaba Cloud metadata
    "0.0.0.0/8",  # "this network": 0.0.0.0 reaches the server itself
)
_NEVER_V6 = (
    "fe80::/10",  # link-local
    "fd00:ec2::254/128",  # AWS metadata over IPv6
    "::/128",  # unspecified
)
# Prefixes that carry an IPv4 address in their last bits: mapped, compatible, NAT64; and 6to4,
# which carries it right after its 16 bits.
_EMBEDDINGS = ("::ffff:0:0/96", "::/96", "64:ff9b::/96")


def _never_networks() -> tuple[IPNetwork, ...]:
    networks: list[IPNetwork] = [ipaddress.ip_network(n) for n in _NEVER_V4 + _NEVER_V6]
    for text in _NEVER_V4:
        v4 = ipaddress.IPv4Network(text)
        for prefix in _EMBEDDINGS:
            if prefix == "::/96" and v4.network_address == ipaddress.IPv4Address(0):
                continue  # ::/104 would swallow ::1, which an operator may open
            base = ipaddress.IPv6Network(prefix)
            address = int(base.network_address) | int(v4.network_address)
            networks.append(ipaddress.IPv6Network((address, 96 + v4.prefixlen)))
        address = (0x2002 << 112) | (int(v4.network_address) << 80)
        networks.append(ipaddress.IPv6Network((address, 16 + v4.prefixlen)))
    return tuple(networks)


NEVER: tuple[IPNetwork, ...] = _never_networks()


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise BlockedDestination(
            f"the name {host!r} does not resolve", "unresolved", host
        ) from None
    return [str(info[4][0]) for info in infos]


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _unwrap(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def is_never_allowed(address: IPAddress) -> bool:
    """Link-local, metadata or "this network", however it is written."""
    return any(address in network or _unwrap(address) in network for network in NEVER)


def parse_network(entry: str) -> IPNetwork:
    """``"10.1.0.0/16"`` as a network; an IPv4-mapped IPv6 network as the IPv4 one it maps."""
    try:
        network = ipaddress.ip_network(entry.strip(), strict=False)
    except ValueError:
        raise BlockedDestination(f"{entry!r} is not a network", "network_syntax", entry) from None
    mapped = ipaddress.IPv6Network("::ffff:0:0/96")
    if isinstance(network, ipaddress.IPv6Network) and network.subnet_of(mapped):
        address = ipaddress.IPv4Address(int(network.network_address) & 0xFFFFFFFF)
        return ipaddress.IPv4Network((address, network.prefixlen - 96))
    return network


def _within(network: IPNetwork, container: IPNetwork) -> bool:
    if isinstance(network, ipaddress.IPv4Network) and isinstance(container, ipaddress.IPv4Network):
        return network.subnet_of(container)
    if isinstance(network, ipaddress.IPv6Network) and isinstance(container, ipaddress.IPv6Network):
        return network.subnet_of(container)
    return False


def check_network(entry: str) -> IPNetwork:
    """A network anyone may be allowed to open: not overlapping ``NEVER``."""
    network = parse_network(entry)
    if any(network.overlaps(never) for never in NEVER if never.version == network.version):
        raise BlockedDestination(
            f"{entry} includes link-local or metadata addresses", "never", entry.strip()
        )
    return network


def check_permitted(permitted: Iterable[str]) -> list[IPNetwork]:
    """The operator's list: networks, none overlapping ``NEVER`` (the setting cannot open
    what is never open)."""
    return [check_network(entry) for entry in permitted]


def check_allow_list(allow: Iterable[str], permitted: Iterable[str]) -> list[IPNetwork]:
    """An agency's allow-list, each entry inside a network the operator permits, or raise.

    Entries overlapping ``NEVER`` are refused even when ``permitted`` covers them.
    """
    operator = [parse_network(entry) for entry in permitted]
    networks = []
    for entry in allow:
        network = check_network(entry)
        if not any(_within(network, container) for container in operator):
            raise BlockedDestination(
                f"{entry} is outside the networks the operator permits",
                "not_permitted",
                entry.strip(),
            )
        networks.append(network)
    return networks


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


def _in_any(address: IPAddress, networks: Iterable[str]) -> bool:
    found = False
    for entry in networks:
        try:
            network = parse_network(entry)
        except BlockedDestination:
            continue  # a broken entry opens nothing
        found = found or address in network or _unwrap(address) in network
    return found


def check_url(
    url: str,
    *,
    allow: Iterable[str] = (),
    permitted: Iterable[str] = (),
    resolver: Resolver = system_resolver,
) -> tuple[str, int, str]:
    """Return ``(host, port, address)`` to connect to, or raise ``BlockedDestination``.

    A non-public address is reached only if it lies in ``allow`` (networks an agency opened,
    "10.1.2.0/24") *and* in ``permitted`` (networks the operator lets agencies open), and never
    if it is link-local or metadata (``NEVER``).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise BlockedDestination("only http and https addresses are allowed", "scheme")
    if parts.username or parts.password:
        raise BlockedDestination("credentials in the address are not allowed", "credentials")
    host = parts.hostname
    if not host:
        raise BlockedDestination("the address has no host", "no_host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise BlockedDestination("the port is not a number", "port") from None
    allow, permitted = list(allow), list(permitted)
    addresses = [ipaddress.ip_address(a.split("%")[0]) for a in resolver(host, port)]
    if not addresses:
        raise BlockedDestination(f"the name {host!r} does not resolve", "unresolved", host)
    for address in addresses:
        if is_never_allowed(address):
            raise BlockedDestination(
                f"{host} resolves to a private or reserved address (link-local or metadata, "
                "never allowed)",
                "never",
                host,
            )
        if is_public(address):
            continue
        if not (_in_any(address, allow) and _in_any(address, permitted)):
            raise BlockedDestination(
                f"{host} resolves to a private or reserved address", "private", host
            )
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
    permitted: Iterable[str] = (),
    timeout: float = 10.0,
    resolver: Resolver = system_resolver,
) -> int:
    """POST to a checked address and return the status; redirects are not followed."""
    host, port, address = check_url(url, allow=allow, permitted=permitted, resolver=resolver)
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


class TooLarge(ValueError):
    """The answer is longer than the caller accepts."""


def get(
    url: str,
    *,
    max_bytes: int,
    allow: Iterable[str] = (),
    permitted: Iterable[str] = (),
    timeout: float = 10.0,
    resolver: Resolver = system_resolver,
) -> tuple[int, str, bytes]:
    """GET a checked address: ``(status, content type, body)``; redirects are not followed.

    Reads at most ``max_bytes`` (one more raises ``TooLarge``), whatever the server claims."""
    host, port, address = check_url(url, allow=allow, permitted=permitted, resolver=resolver)
    parts = urlsplit(url)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address, timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("GET", path, headers={"User-Agent": "Accueil"})
        response = connection.getresponse()
        body = response.read(max_bytes + 1)
        if len(body) > max_bytes:
            raise TooLarge(f"more than {max_bytes} bytes")
        return response.status, response.getheader("Content-Type", ""), body
    finally:
        connection.close()
