"""Signing secrets (Standard Webhooks ``whsec_`` secrets, stored encrypted) and the SSRF guard of
outbound targets: a URL whose host resolves to any private, loopback, link-local, multicast, reserved
or unspecified address is refused unless ``WEBHOOK_ALLOWED_HOSTS`` (hosts or CIDRs) permits it. The
check runs when an endpoint is written and again on every connection (``GuardedResolver``: the
addresses checked are the ones connected to, so DNS rebinding cannot slip through)."""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import secrets
import socket
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver
from aiohttp.resolver import ThreadedResolver
from standardwebhooks import Webhook

from crmgraph import crypto
from crmgraph.config import Settings
from crmgraph.errors import ValidationFailed, issue

SECRET_PREFIX = "whsec_"
RESOLVE_TIMEOUT = 3.0
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class UnsafeTarget(Exception):
    """The target may not be called (its message says why, fit for the caller)."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def seal(settings: Settings, secret: str) -> tuple[str, str]:
    """``(encrypted, hint)``: the secret under the data key, and its last four characters."""
    return crypto.encrypt(settings, secret), secret[-4:]


def unseal(settings: Settings, token: str) -> str:
    return crypto.decrypt(settings, token)


def sign(secret: str, message_id: str, moment: datetime, body: str) -> str:
    """The ``webhook-signature`` header value (``v1,<base64 HMAC-SHA256>``)."""
    return Webhook(secret).sign(message_id, moment, body)


@cache
def allowed(raw: str) -> tuple[frozenset[str], tuple[Network, ...]]:
    """``WEBHOOK_ALLOWED_HOSTS`` parsed: host names and networks (an address is a /32 or /128)."""
    hosts: set[str] = set()
    networks: list[Network] = []
    for item in (part.strip().lower() for part in raw.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item.strip("[]"), strict=False))
        except ValueError:
            hosts.add(item.rstrip("."))
    return frozenset(hosts), tuple(networks)


def blocked(address: Address) -> bool:
    """Not a public unicast address (IPv4-mapped IPv6 judged as its IPv4 address)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def permitted(settings: Settings, host: str, address: Address) -> bool:
    hosts, networks = allowed(settings.webhook_allowed_hosts)
    if host.lower().rstrip(".") in hosts:
        return True
    return not blocked(address) or any(address in network for network in networks)


def target_host(url: str) -> tuple[str, int]:
    """Host and port of an ``http(s)`` URL (400 for anything else)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeTarget("URL is invalid") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeTarget("URL must be an absolute http(s) URL")
    if parts.username or parts.password:
        raise UnsafeTarget("URL must not carry credentials")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


async def addresses(host: str, port: int) -> list[Address]:
    """Every address ``host`` resolves to (none when it does not resolve)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError, UnicodeError):
        return []
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


async def check_target(settings: Settings, url: str, *, resolve: bool = True) -> None:
    """Refuse a URL that is not http(s) or whose host resolves to an address that is not allowed. A
    host that does not resolve now is accepted (it is checked again on every delivery).
    ``resolve=False`` checks IP literals only (at delivery, names are checked by ``GuardedResolver``
    on the addresses actually connected to)."""
    host, port = target_host(url)
    try:
        found = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        found = await addresses(host, port) if resolve else []
    for address in found:
        if not permitted(settings, host, address):
            raise UnsafeTarget("URL resolves to a private, loopback, link-local or reserved address")


async def checked_url(settings: Settings, url: str, path: str = "url") -> str:
    """``check_target`` as a documented 400 (``{"error": "Validation failed", "details": [...]}``)."""
    try:
        await check_target(settings, url)
    except UnsafeTarget as exc:
        raise ValidationFailed([issue(path, str(exc), "unsafe_url")]) from None
    return url


class RefusedAddress(OSError):
    """Raised by the resolver: the name resolves to an address deliveries may not reach."""


class GuardedResolver(AbstractResolver):
    """The connector's resolver: the addresses aiohttp connects to, refused when not allowed."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.inner = ThreadedResolver()

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list[dict[str, Any]]:
        found = await self.inner.resolve(host, port, family)
        for entry in found:
            if not permitted(self.settings, host, ipaddress.ip_address(entry["host"])):
                raise RefusedAddress(f"Refused: {host} resolves to a private, loopback or reserved address")
        return found

    async def close(self) -> None:
        await self.inner.close()
