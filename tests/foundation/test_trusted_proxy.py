"""Behind the force's proxy, the user's address (from X-Forwarded-For) is recorded; from anywhere
else the header is ignored, because a client can send any."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from safetynet.audit.models import Action, AuditEntry
from safetynet.lib.proxy import TrustedProxyMiddleware, forwarded_client
from tests.world import AccessWorld

PROXY = "10.9.0.2"


def seen_address(remote: str, forwarded: str | None) -> str:
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request.META["REMOTE_ADDR"])
        return HttpResponse()

    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    TrustedProxyMiddleware(view)(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))
    return seen[0]


def test_the_address_the_trusted_proxy_appended_replaces_the_proxys(settings: Any) -> None:
    settings.SAFETYNET_TRUSTED_PROXIES = ["10.9.0.0/24"]
    assert seen_address(PROXY, "203.0.113.7") == "203.0.113.7"
    # The client sent its own X-Forwarded-For; the proxy appended the real address last.
    assert seen_address(PROXY, "6.6.6.6, 203.0.113.7") == "203.0.113.7"
    assert seen_address(PROXY, "not-an-address") == PROXY
    assert seen_address(PROXY, None) == PROXY


def test_the_header_is_ignored_from_an_address_that_is_not_a_trusted_proxy(settings: Any) -> None:
    settings.SAFETYNET_TRUSTED_PROXIES = ["10.9.0.0/24"]
    assert seen_address("198.51.100.4", "203.0.113.7") == "198.51.100.4"
    settings.SAFETYNET_TRUSTED_PROXIES = []
    assert seen_address(PROXY, "203.0.113.7") == PROXY


def test_forwarded_client_reads_ipv6_and_refuses_garbage() -> None:
    assert forwarded_client("2001:db8::1") == "2001:db8::1"
    assert forwarded_client("") is None
    assert forwarded_client("203.0.113.7, <script>") is None


@pytest.mark.django_db
def test_the_access_log_records_the_users_address_behind_the_proxy(
    settings: Any, access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    settings.SAFETYNET_TRUSTED_PROXIES = ["10.9.0.0/24"]
    client = client_for("auditor")
    url = f"/people/{access_world.pupil.pk}/"
    assert client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 403
    assert client.get(url, REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 403
    denied = list(AuditEntry.objects.filter(action=Action.DENIED).order_by("seq").values_list("ip", flat=True))
    assert denied == ["203.0.113.7", "198.51.100.4"]
