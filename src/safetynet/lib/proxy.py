"""The user's address behind the force's reverse proxy, and only behind it.

Behind a TLS proxy every request comes from the proxy's address, so the access log would name the
proxy and five failed sign-ins from anyone would lock everyone out (the lockout counts addresses).
`TrustedProxyMiddleware` replaces `REMOTE_ADDR` with the address the proxy saw, the last entry the
proxy appended to `X-Forwarded-For`, but only when the request really comes from a proxy listed in
`SAFETYNET_TRUSTED_PROXIES`; from anywhere else the header is ignored, since a client can send any.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def networks(configured: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in configured)


def in_networks(address: str, configured: list[str]) -> bool:
    """Whether `address` is a valid IP address inside one of the CIDR networks `configured`."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks(tuple(configured)))


def forwarded_client(header: str) -> str | None:
    """The last address in an X-Forwarded-For value (the one the trusted proxy appended), or None."""
    last = header.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return None


class TrustedProxyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        trusted: list[str] = getattr(settings, "SAFETYNET_TRUSTED_PROXIES", [])
        if trusted and in_networks(request.META.get("REMOTE_ADDR", ""), trusted):
            client = forwarded_client(request.META.get("HTTP_X_FORWARDED_FOR", ""))
            if client is not None:
                request.META["REMOTE_ADDR"] = client
        return self.get_response(request)
