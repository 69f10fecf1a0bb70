"""Fixtures for access tests: the invented world, and clients signed in as any role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from safetynet.lib.clock import FixedClock
from tests.access.support import sign_in
from tests.access.world import AccessWorld, build_access_world


@pytest.fixture(autouse=True)
def _frozen_screens(settings: Any, clock: FixedClock) -> None:
    settings.SAFETYNET_CLOCK = clock


@pytest.fixture
def world(db: None) -> AccessWorld:
    return build_access_world()


@pytest.fixture
def client_for(world: AccessWorld) -> Callable[[str], Client]:
    """A client signed in (second factor done) as the world's user of `role`."""

    def make(role: str) -> Client:
        return sign_in(Client(), world.users[role])

    return make
