"""Template context every page gets."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from safetynet.web.viewer import viewer_for


def viewer(request: HttpRequest) -> dict[str, Any]:
    """Return {"viewer": Viewer | None} for the header and navigation."""
    return {"viewer": viewer_for(getattr(request, "user", None))}
