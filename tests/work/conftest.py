"""Findings written straight through the ORM: work tests do not depend on any one rule."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from safetynet.identity.models import Individual
from safetynet.risk.models import Finding

_n = itertools.count(1)


class Findings:
    """Makes invented findings about invented individuals."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def make(
        self,
        clause: str = "M2",
        *,
        severity: str = "high",
        owner_role: str = "sergeant",
        due_in: dt.timedelta | None = dt.timedelta(hours=1),
        individual: Individual | None = None,
        **fields: Any,
    ) -> Finding:
        n = next(_n)
        return Finding.objects.create(
            fingerprint=f"test-{n}",
            individual=individual or Individual.objects.create(),
            clause=clause,
            severity=severity,
            reason=f"Invented reason {n}: a child aged 14 was reported missing and no supervisor has reviewed it.",
            cites=[{"source": "mispers", "id": f"E{n}"}],
            owner_role=owner_role,
            due_by=self.at + due_in if due_in is not None else None,
            policy_version="test",
            raised_at=self.at,
            evaluated_at=self.at,
            **fields,
        )


@pytest.fixture
def findings(db: Any, clock: Any) -> Findings:
    return Findings(clock.now())


@pytest.fixture
def sergeant(db: Any) -> Any:
    return get_user_model().objects.create_user(username="sgt-invented", password="not-a-real-password-1")
