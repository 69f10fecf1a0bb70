"""Upgrading a database from v0.1.0 (risk.0001, work.0001): the task becomes the one owner of
the human decision (work.0002, risk.0002) and no decision, state or deadline is lost."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from safetynet.risk.models import Finding
from safetynet.work.models import Task

V0_1_0 = [("risk", "0001_initial"), ("work", "0001_initial")]
AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _migrate(targets: list[tuple[str, str]] | None = None) -> Any:
    """Migrates to `targets` (every app's latest when None); returns the historical apps there."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _v0_1_0_world(apps: Any) -> dict[str, Any]:
    """Three findings with tasks, written as v0.1.0 wrote them: one acknowledged (on both rows),
    one resolved whose task lacks who and when (the finding alone carries them), one open."""
    user = apps.get_model("auth", "User").objects.create(username="sgt-invented")
    individual = apps.get_model("identity", "Individual").objects.create()
    Finding_, Task_ = apps.get_model("risk", "Finding"), apps.get_model("work", "Task")
    rows: dict[str, Any] = {"user": user}
    for n, (name, state, decision) in enumerate(
        [
            ("acknowledged", "acknowledged", {"acknowledged_at": AT, "acknowledged_by": user}),
            ("resolved", "resolved", {"resolved_at": AT, "resolved_by": user, "rationale": "Plan agreed."}),
            ("open", "open", {}),
        ]
    ):
        finding = Finding_.objects.create(
            fingerprint=f"upgrade-{n}",
            individual=individual,
            clause="M2",
            severity="high",
            reason="Invented reason: a child aged 14 was reported missing.",
            owner_role="sergeant",
            due_by=AT + dt.timedelta(hours=n),
            state=state,
            policy_version="test",
            raised_at=AT,
            evaluated_at=AT,
            **decision,
        )
        task = Task_.objects.create(
            finding=finding,
            individual=individual,
            clause="M2",
            severity="high",
            reason=finding.reason,
            owner_role="inspector",
            due_at=AT + dt.timedelta(hours=n),
            state=state,
            escalation_level=1,
            created_at=AT,
            **(decision if name == "acknowledged" else {}),
        )
        rows[name] = (finding.pk, task.pk)
    return rows


@pytest.mark.django_db(transaction=True)
def test_upgrading_from_v0_1_0_keeps_every_decision_on_the_task() -> None:
    world = _v0_1_0_world(_migrate(V0_1_0))
    try:
        _migrate()
        user_id = world["user"].pk
        acknowledged = Task.objects.get(pk=world["acknowledged"][1])
        assert (acknowledged.state, acknowledged.acknowledged_by_id, acknowledged.acknowledged_at) == (
            "acknowledged",
            user_id,
            AT,
        )
        resolved = Task.objects.get(pk=world["resolved"][1])
        assert (resolved.state, resolved.resolved_by_id, resolved.resolved_at, resolved.rationale) == (
            "resolved",
            user_id,
            AT,
            "Plan agreed.",
        )
        states = dict(Finding.objects.values_list("pk", "state"))
        assert states == {
            world["acknowledged"][0]: "acknowledged",
            world["resolved"][0]: "resolved",
            world["open"][0]: "open",
        }
        unchanged = Task.objects.get(pk=world["open"][1])
        assert (unchanged.state, unchanged.owner_role, unchanged.due_at, unchanged.escalation_level) == (
            "open",
            "inspector",
            AT + dt.timedelta(hours=2),
            1,
        )
        with connection.cursor() as cursor:
            columns = {c.name for c in connection.introspection.get_table_description(cursor, Finding._meta.db_table)}
        assert not columns & {"acknowledged_at", "acknowledged_by_id", "resolved_at", "resolved_by_id", "rationale"}
    finally:
        _migrate()  # the next test finds every table as the models say, whatever failed here
