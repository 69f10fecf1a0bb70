"""Where the current request came from, for audit entries written deep inside services."""

from __future__ import annotations

import contextvars
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

client_ip_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_client_ip", default=None)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the server saw it (behind a proxy, the proxy sets REMOTE_ADDR
    correctly or the deployment's proxy middleware rewrites it; we never trust a header here)."""
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Remembers the request's client address so `record_audit` can stamp it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_ip_var.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            client_ip_var.reset(token)
