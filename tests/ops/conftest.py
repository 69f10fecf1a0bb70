"""Operations tests reuse the work tests' invented findings (tests/work/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.work.conftest import Findings


@pytest.fixture
def findings(db: Any, clock: Any) -> Findings:
    return Findings(clock.now())
