"""Control and bidirectional characters on a page are shown as code points, never obeyed.

Interchange refuses them in new records (docs/interchange.md, "Control and bidirectional
characters"), but a record stored before that rule, a form, or a source read another way may
still hold one: a right-to-left override (U+202E) makes the rest of a name read backwards, a
control character is invisible. Every HTML page the app makes (screens, htmx partials, the
admin, error pages) leaves here with each such character replaced by its code point in
brackets, `[U+202E]`, so a reader sees that it is there and where; tab, line feed and carriage
return are left alone. Plain text in brackets is inert wherever it lands (text, attribute,
script data), so one pass over the finished page covers every template. JSON answers (the API)
and exports keep the data exactly as stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# The same characters as interchange's rule, as UTF-8 bytes (a lead byte never occurs inside
# another character's encoding, so matching bytes matches characters): C0 controls but tab, LF
# and CR; DEL; C1 controls (U+0080-U+009F); U+061C; U+200E/U+200F; U+202A-U+202E; U+2066-U+2069.
_HIDDEN = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]"
)


def _code_point(match: re.Match[bytes]) -> bytes:
    return f"[U+{ord(match.group().decode('utf-8')):04X}]".encode("ascii")


def make_visible(content: bytes) -> bytes:
    """UTF-8 `content` with every hidden character replaced by `[U+XXXX]`."""
    return _HIDDEN.sub(_code_point, content)


class VisibleControlsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response
        if response.charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
            return response
        if _HIDDEN.search(response.content) is not None:
            response.content = make_visible(response.content)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
