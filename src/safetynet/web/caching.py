"""No copy of a page or API answer is kept by the browser or a proxy.

Every response the app itself makes (screens, htmx partials, the API, exports) may carry
personal data, so each is marked `Cache-Control: no-store` (with Django's never-cache headers):
a shared computer's back button or disk cache must not show the last officer's child. Static
files (served by WhiteNoise before this runs) keep their long cache lifetimes.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
