"""The API tests share the web tests' invented world."""

from __future__ import annotations

from tests.web.conftest import _frozen_screens, officer_client, world

__all__ = ["_frozen_screens", "officer_client", "world"]
