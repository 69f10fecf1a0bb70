"""Access tests read the frozen clock; their world (`access_world`) and `client_for` are in
tests/conftest.py."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _frozen_screens(frozen_screens: None) -> None:
    pass
