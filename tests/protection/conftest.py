"""A child (14) and a second inspector for the protection tests, captured through the CLI door so
linkage, risk and work run."""

from __future__ import annotations

from typing import Any

import pytest

from safetynet.access.roles import Role
from safetynet.accounts.services import create_user_with_role
from safetynet.identity.models import Membership
from safetynet.interchange.capture import capture
from safetynet.lib.clock import FixedClock
from tests.world import PASSWORD, AccessWorld

CHILD = ("rms", "PC1")


@pytest.fixture
def child(access_world: AccessWorld, clock: FixedClock, django_capture_on_commit_callbacks: Any) -> int:
    """The individual id of a 14-year-old known to the police."""
    line = {
        "kind": "person",
        "source": CHILD[0],
        "id": CHILD[1],
        "recorded_at": "2026-01-05T12:00:00+00:00",
        "given_names": "Pip",
        "family_name": "Inventedfamily",
        "date_of_birth": "2011-09-09",
    }
    with django_capture_on_commit_callbacks(execute=True):
        result = capture([line], door="cli", clock=clock)
    assert result.rejected == 0
    return int(Membership.objects.get(person__source=CHILD[0], person__source_id=CHILD[1]).individual_id)


@pytest.fixture
def second_inspector(access_world: AccessWorld) -> Any:
    return create_user_with_role(acting_user=None, username="inspector2", password=PASSWORD, role=Role.INSPECTOR)
