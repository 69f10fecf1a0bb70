"""Where the current request came from, for audit entries written deep inside services."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

client_ip_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_client_ip", default=None)
request_user_var: contextvars.ContextVar[Any] = contextvars.ContextVar("audit_request_user", default=None)


def current_user() -> Any:
    """The signed-in user of the request being served, or None (command line, worker)."""
    return request_user_var.get()


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the server saw it (behind a proxy, the proxy sets REMOTE_ADDR
    correctly or the deployment's proxy middleware rewrites it; we never trust a header here)."""
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Remembers the request's client address (and user) so `record_audit` can stamp them
    on entries written deep inside services and signal receivers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_ip_var.set(client_ip(request))
        user_token = request_user_var.set(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            request_user_var.reset(user_token)
            client_ip_var.reset(token)
