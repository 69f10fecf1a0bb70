"""A memo that lives for one web request: what several parts of a page ask of the database in
the same words (the viewer's restrictions, read by every access check) is read once.

`RequestMemoMiddleware` opens it for each request; outside a request (services, the task worker,
tests calling functions directly) nothing is kept and every call reads afresh. Whoever changes
what a memo holds calls `forget()` (the access app does, on any change to a restriction), so a
request that changes it and reads it again sees the change.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("safetynet_request_memo", default=None)


def memoised(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, read once per request for `key` (every time outside a request)."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget() -> None:
    """Drop what this request's memo holds (after a change to what it caches)."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()


class RequestMemoMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)
