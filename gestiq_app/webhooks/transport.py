"""Safe outbound HTTP for webhooks: URL checks against private targets, address pinning, signatures.

The URL's host is resolved and every address must be public (unless GESTIQ_WEBHOOKS_ALLOW_PRIVATE=1);
the request then connects to the checked address itself, so a DNS answer that changes between the
check and the connection (DNS rebinding) cannot redirect it to an internal service.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError
from dataclasses import dataclass
from urllib.parse import urlsplit

ALLOWED_SCHEMES = {"http": 80, "https": 443}
MAX_RESPONSE_BYTES = 4096
_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook-dns")


class UnsafeUrlError(ValueError):
    """The URL is malformed, cannot be resolved or points at a non-public address."""


@dataclass(frozen=True)
class CheckedUrl:
    """A webhook URL whose host resolved to an allowed address."""

    scheme: str
    host: str
    port: int
    target: str
    address: str


@dataclass(frozen=True)
class HttpResult:
    """What a receiver answered."""

    status_code: int
    body: str


def is_public_address(value: str) -> bool:
    """Tell whether an IP address is globally routable (not private, loopback, link-local or reserved)."""
    address = ipaddress.ip_address(value.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_link_local
                                      or address.is_loopback or address.is_private or address.is_unspecified)


def _resolve(host: str, port: int, timeout: float) -> list[str]:
    future = _resolver.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
    try:
        infos = future.result(timeout=timeout)
    except FutureTimeoutError as error:
        raise UnsafeUrlError(f"no se pudo resolver «{host}» a tiempo") from error
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeUrlError(f"no se pudo resolver «{host}»") from error
    return list(dict.fromkeys(info[4][0] for info in infos))


def check_url(url: str, *, allow_private: bool, timeout: float) -> CheckedUrl:
    """Parse and resolve a webhook URL; refuse non-HTTP(S), credentials and non-public addresses."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise UnsafeUrlError("la URL no es válida") from error
    if parts.scheme not in ALLOWED_SCHEMES or not parts.hostname:
        raise UnsafeUrlError("la URL debe empezar por https:// (o http://) y tener un servidor")
    if parts.username or parts.password:
        raise UnsafeUrlError("la URL no puede llevar usuario ni contraseña")
    port = port or ALLOWED_SCHEMES[parts.scheme]
    addresses = _resolve(parts.hostname, port, timeout)
    if not allow_private:
        blocked = [address for address in addresses if not is_public_address(address)]
        if blocked:
            raise UnsafeUrlError(f"la URL apunta a una dirección privada, local o reservada ({blocked[0]})")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return CheckedUrl(scheme=parts.scheme, host=parts.hostname, port=port, target=target, address=addresses[0])


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """Return `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, checked: CheckedUrl, timeout: float) -> None:
        super().__init__(checked.host, checked.port, timeout=timeout)
        self._address = checked.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, checked: CheckedUrl, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(checked.host, checked.port, timeout=timeout, context=self._tls)
        self._address = checked.address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def post(checked: CheckedUrl, body: bytes, headers: dict[str, str], *, timeout: float) -> HttpResult:
    """POST the body to the checked address (no redirects followed); raise OSError or HTTPException on failure."""
    connection_class = _PinnedHTTPSConnection if checked.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(checked, timeout)
    try:
        connection.request("POST", checked.target, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read(MAX_RESPONSE_BYTES)
        return HttpResult(status_code=response.status, body=data.decode("utf-8", errors="replace"))
    finally:
        connection.close()
