"""Who may see what in the probe's world, derived from matrix.yaml alone (not from the code
under test): the leak walk (test_leak_walk.py) asks this oracle about every token, id and count
it finds in a response.

The rules restate docs/access.md: "Scopes" (which children), "Field-level restriction" (which
records and which parts) and "Findings: the disclosure rule" (a finding in full only to a viewer
who may read every record it cites, in full, or who is given its work; never about a child the
viewer may not open).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from safetynet.access.matrix import Matrix, RolePolicy, load
from safetynet.access.models import Agency
from safetynet.access.roles import AGENCY_OF_ROLE
from safetynet.records.models import Event
from safetynet.work.models import Task
from tests.access.probe_world import Planted, PlantedFinding, ProbeWorld


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a role's user from the world, the sergeant named on the restriction, or nobody."""

    name: str
    role: str | None
    named: bool = False  # named on the world's restriction


@dataclass(frozen=True)
class Fact:
    """A distinctive string in the world and whether a viewer may see it."""

    token: str
    what: str
    allowed: bool
    shown: bool  # shown somewhere to a viewer who may see it (the walk's positive control)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        # Ids are matched as whole words: "EV1" is not in "LEV12" nor inside a random CSRF token.
        return re.compile(rf"(?<![A-Za-z0-9]){re.escape(self.token)}(?![A-Za-z0-9])")


class Oracle:
    def __init__(self, world: ProbeWorld, viewer: Viewer, user: Any) -> None:
        self.world = world
        self.viewer = viewer
        self.user = user
        self.matrix: Matrix = load()
        self.policy: RolePolicy | None = self.matrix.roles.get(viewer.role or "")
        self.perms = self.policy.permissions if self.policy else frozenset()
        self.restricted = {world.access.restricted.pk}
        self.tasks = {f.task: f for f in world.findings}
        self._task_rows = {t.pk: t for t in Task.objects.filter(pk__in=list(self.tasks))}
        self._agency_sources = {a.code: set(a.source_systems) for a in Agency.objects.all()}

    # --- children and records ---------------------------------------------------------

    def opens(self, child: int) -> bool:
        p = self.policy
        if p is None or "view_person" not in self.perms:
            return False
        if child in self.restricted and not self.viewer.named:
            return False
        sources, at_school = self.world.children[child]
        if p.scope == "all":
            return True
        if p.scope == "agency":
            return bool(sources & self._agency_sources.get(p.agency, set()))
        if p.scope == "team":
            return at_school
        return False

    def sees(self, rec: Planted) -> bool:
        """Whether the record (its existence, type, source id) is shown to the viewer."""
        p, content = self.policy, self.matrix.content
        if p is None or "view_person" not in self.perms:
            return False
        if any(c in self.restricted for c in rec.children) and not self.viewer.named:
            return False
        if not any(self.opens(c) for c in rec.children):
            return False
        limit = {"event": p.event_types, "marker": p.marker_types, "plan": p.plan_types}.get(rec.kind)
        if limit is not None and rec.type not in limit:
            return False
        if rec.kind == "order" and not p.orders:
            return False
        if rec.handling in content.police_only_handling and "view_handling_code_c" not in self.perms:
            return False
        health = rec.source in content.health_sources or (
            rec.kind == "marker" and rec.type in content.health_marker_types
        )
        return not (health and "view_health_details" not in self.perms)

    def reads(self, rec: Planted) -> bool:
        """Whether the viewer reads the record in full (an intelligence record's text included)."""
        return self.sees(rec) and (not rec.intelligence or "view_intelligence_text" in self.perms)

    # --- findings and tasks -----------------------------------------------------------

    def given_work(self, f: PlantedFinding) -> bool:
        task = self._task_rows[f.task]
        role = self.viewer.role
        if role is not None and role in (f.owner_role, task.owner_role):
            return True
        return self.user is not None and task.assignee_id == self.user.pk

    def reads_finding(self, f: PlantedFinding) -> bool:
        if not self.opens(f.individual):
            return False
        return self.given_work(f) or all(self.reads(self.world.record(*c)) for c in f.cites)

    def may_act(self, f: PlantedFinding) -> bool:
        """Whether the viewer may acknowledge, assign or resolve the finding's task ("Who may act
        on a task"): resolve_task, the task is theirs to read, and it is their agency's or
        assigned to them."""
        task = self._task_rows[f.task]
        if "resolve_task" not in self.perms or not self.reads_finding(f) or self.policy is None:
            return False
        return AGENCY_OF_ROLE.get(task.owner_role) == self.policy.agency or task.assignee_id == self.user.pk

    # --- what the walk checks -----------------------------------------------------------

    def facts(self) -> list[Fact]:
        out: list[Fact] = []
        readable = [f for f in self.world.findings if self.reads_finding(f)]
        for rec in self.world.records:
            cited = any((rec.source, rec.source_id) in f.cites for f in readable)
            out.append(Fact(rec.source_id, f"{rec.kind} {rec.source_id}'s id", self.sees(rec) or cited, False))
            if rec.text:
                out.append(Fact(rec.text, f"{rec.kind} {rec.source_id}'s text", self.reads(rec), True))
        custody = self.world.record("rms", "EV4")
        health_key = self.sees(custody) and "view_health_details" in self.perms
        out += [Fact(t, "a custody record's health key", health_key, False) for t in ("healthcare_seen_at",)]
        for child, name in self.world.names.items():
            out.append(Fact(name, f"child {child}'s name", self.opens(child), True))
        for f in self.world.findings:
            out.append(Fact(f.word, f"finding {f.clause}'s reason", self.reads_finding(f), True))
        return out

    def visible_ids(self) -> dict[str, set[int]]:
        """Ids the viewer may be shown, by kind (anything else of that kind must not appear)."""
        events = {
            pk
            for pk, source, source_id in Event.objects.values_list("pk", "source", "source_id")
            if self.sees(self.world.record(source, source_id))
        }
        findings = {f.pk for f in self.world.findings if self.reads_finding(f)}
        return {
            "individual": {c for c in self.world.children if self.opens(c)},
            "event": events,
            "finding": findings,
            "task": {f.task for f in self.world.findings if f.pk in findings},
        }
