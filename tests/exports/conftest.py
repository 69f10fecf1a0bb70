"""Export tests read the frozen clock (2 March 2026)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _frozen_screens(frozen_screens: None) -> None:
    pass
