"""The API tests share the web tests' invented world (`world`, `officer_client` in
tests/conftest.py) and read the frozen clock."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _frozen_screens(frozen_screens: None) -> None:
    pass
