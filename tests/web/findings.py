"""Invented findings for the web tests (the risk engine's Finding rows, made directly)."""

from __future__ import annotations

import datetime as dt

from safetynet.identity.models import Individual
from safetynet.risk.models import Finding

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # the frozen clock of tests/conftest.py


def make_finding(
    individual: Individual, clause: str, severity: str, reason: str, *, owner_role: str, due_in_hours: float | None
) -> Finding:
    return Finding.objects.create(
        fingerprint=f"{clause}-{individual.pk}-{reason[:10]}",
        individual=individual,
        clause=clause,
        severity=severity,
        reason=reason,
        owner_role=owner_role,
        due_by=None if due_in_hours is None else NOW + dt.timedelta(hours=due_in_hours),
        policy_version="test",
        raised_at=NOW - dt.timedelta(days=1),
        evaluated_at=NOW,
    )
