"""Fixtures shared by every test package. Each app's own fixtures live in tests/<app>/conftest.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from safetynet.lib.clock import FixedClock
from tests.world import AccessWorld, World, build_access_world, build_world, sign_in


@pytest.fixture
def clock() -> FixedClock:
    """A frozen clock at a fixed, unremarkable moment; tests move it instead of sleeping."""
    return FixedClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))


@pytest.fixture
def admin_client(client: Any, admin_user: Any) -> Any:
    """pytest-django's admin client, past the second factor system administrators need."""
    return sign_in(client, admin_user)


@pytest.fixture
def frozen_screens(settings: Any, clock: FixedClock) -> None:
    """Screens read the frozen clock (2 March 2026), so ages and deadlines are exact (the
    screen packages' conftests use it for every test)."""
    settings.SAFETYNET_CLOCK = clock


@pytest.fixture
def world(db: None) -> World:
    """The person-page world (tests/world.py `build_world`)."""
    return build_world()


@pytest.fixture
def officer_client(client: Client, world: World) -> Client:
    """A client signed in as the person-page world's sergeant."""
    client.force_login(world.officer)
    return client


@pytest.fixture
def access_world(db: None) -> AccessWorld:
    """The agencies' world (tests/world.py `build_access_world`): one user per role."""
    return build_access_world()


@pytest.fixture
def client_for(access_world: AccessWorld) -> Callable[[str], Client]:
    """A client signed in (second factor done) as the agencies' world's user of `role`."""

    def make(role: str) -> Client:
        return sign_in(Client(), access_world.users[role])

    return make
