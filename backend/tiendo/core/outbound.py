"""Where the server may send HTTP requests on a user's say-so (webhooks; later e-mail, Zalo
and SMS gateways): public internet addresses only.

A URL is refused when its host is, or resolves to, any loopback, private, link-local, shared
(CGNAT), multicast, reserved, documentation or unspecified address, in IPv4 or IPv6, including
IPv4 addresses carried inside IPv6 (IPv4-mapped, NAT64, 6to4, Teredo). Senders check when a URL
is saved and again just before each request (DNS may have changed since), never follow
redirects, and connect through `PublicOnlyTransport`, which checks the address it actually
connects to, so a name that resolves differently between the check and the connection (DNS
rebinding) still cannot reach inside. `TIENDO_WEBHOOK_ALLOW_PRIVATE=true` lifts the policy for
a closed network where the receivers are private addresses."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from tiendo.config import get_settings
from tiendo.errors import Invalid

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressNotAllowed(Invalid):
    code = "address_not_allowed"
    message = "Địa chỉ đích không được phép (chỉ địa chỉ Internet công cộng)."


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def is_public(ip: IP) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return False
        inner = _embedded_v4(ip)
        if inner is not None and not is_public(inner):
            return False
    return ip.is_global and not (ip.is_multicast or ip.is_private or ip.is_loopback
                                 or ip.is_link_local or ip.is_reserved or ip.is_unspecified)


def _getaddrinfo(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


# Swappable by tests (this machine has no DNS): host, port → the addresses it resolves to.
resolve: Callable[[str, int], list[str]] = _getaddrinfo


def _allowed(allow_private: bool | None) -> bool:
    return get_settings().webhook_allow_private if allow_private is None else allow_private


def public_addresses(host: str, port: int, *, field: str = "url",
                     allow_private: bool | None = None) -> list[str]:
    """The addresses `host` resolves to; raises AddressNotAllowed if any is not public (one
    bad address is enough: a client may pick any of them)."""
    try:
        literal: IP | None = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        found = [str(literal)]
    else:
        try:
            found = resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise AddressNotAllowed(f"Không phân giải được tên miền {host}.", field=field,
                                    code="address_unresolvable") from exc
        if not found:
            raise AddressNotAllowed(f"Không phân giải được tên miền {host}.", field=field,
                                    code="address_unresolvable")
    if _allowed(allow_private):
        return found
    bad = [a for a in found if not is_public(ipaddress.ip_address(a.split("%")[0]))]
    if bad:
        raise AddressNotAllowed(
            f"{host} trỏ tới địa chỉ không công cộng ({bad[0]}): không gửi tới mạng nội bộ.",
            field=field, details=[{"host": host}])
    return found


def check_public_url(url: str, *, field: str = "url", allow_private: bool | None = None) -> None:
    """Raises AddressNotAllowed unless `url` is http(s) to a host whose every address is public.
    With the policy lifted, the host need not even resolve now (a closed network's DNS may not
    be reachable from where the URL is saved)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressNotAllowed("Chỉ chấp nhận địa chỉ http(s).", field=field,
                                code="invalid_url")
    if _allowed(allow_private):
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise AddressNotAllowed("Cổng không hợp lệ.", field=field, code="invalid_url") from exc
    public_addresses(parts.hostname, port, field=field, allow_private=False)


class _PublicOnlyBackend(httpcore.SyncBackend):
    """Connects only to an address it has just checked: the check and the connection use
    the same resolution."""

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        try:
            addresses = public_addresses(host, port, allow_private=False)
        except AddressNotAllowed as exc:
            raise httpcore.ConnectError(exc.message) from exc
        return super().connect_tcp(addresses[0], port, timeout, local_address, socket_options)


class PublicOnlyTransport(httpx.HTTPTransport):
    """httpx's transport (TLS still verifies the URL's host name) with the checked connect."""

    def __init__(self, **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(**kwargs)
        self._pool._network_backend = _PublicOnlyBackend()


def transport(allow_private: bool | None = None) -> httpx.HTTPTransport:
    return httpx.HTTPTransport() if _allowed(allow_private) else PublicOnlyTransport()
