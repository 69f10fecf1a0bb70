"""Read models for the findings shown on the person page and in search results.

The risk engine's findings carry their own life cycle (open, acknowledged, resolved with a
rationale, closed by itself). The work screens (My work, a task) read tasks instead:
`safetynet.reads.work_queue`; the person page shows each finding with its task (owner, state,
deadline, a link to it) when the viewer may open tasks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from safetynet.reads import person as people
from safetynet.reads.disclosure import HeldElsewhere, disclose, notices
from safetynet.reads.labels import label, severity_colour
from safetynet.reads.naming import NamedLine
from safetynet.reads.work_queue import TaskRow
from safetynet.risk.models import SEVERITY_ORDER, Finding, severity_rank


@dataclass
class FindingRow:
    finding: Finding
    individual_name: str
    overdue: bool
    task: TaskRow | None = None  # the finding's work task, when the viewer may open it
    named: list[NamedLine] = field(default_factory=list)  # who and where it rests on (reads.naming)

    @property
    def severity_label(self) -> str:
        return label(self.finding.severity)

    @property
    def tag_colour(self) -> str:
        return severity_colour(self.finding.severity)

    @property
    def owner(self) -> str:
        return label(self.finding.owner_role)

    @property
    def reason(self) -> str:
        return self.finding.reason

    @property
    def clause(self) -> str:
        return self.finding.clause

    @property
    def due_at(self) -> dt.datetime | None:
        return self.finding.due_by


def current_findings(individual_ids: Iterable[int], *, with_tasks: bool = False) -> list[Finding]:
    """Open and acknowledged findings of these individuals, most severe and soonest first;
    `with_tasks` reads each finding's task and its assignee in the same query."""
    found = (
        Finding.objects.filter(
            individual_id__in=list(individual_ids), state__in=[Finding.State.OPEN, Finding.State.ACKNOWLEDGED]
        )
        .annotate(rank=severity_rank())
        .order_by("rank", "due_by", "pk")
    )
    if with_tasks:
        found = found.select_related("task", "task__assignee")
    return list(found)


# Which findings `findings_of` returns for each `state` the API accepts.
FINDING_STATES = {"current": ("open", "acknowledged"), "all": ("open", "acknowledged", "resolved", "closed")}


def findings_of(individual_id: int, state: str) -> list[Finding]:
    """The individual's findings in `state` (a key of FINDING_STATES), each with its task, most
    severe first, then the soonest deadline (or, without one, the earliest raised)."""
    findings = (
        Finding.objects.filter(individual_id=individual_id, state__in=FINDING_STATES[state])
        .select_related("task")
        .order_by("raised_at", "pk")
    )
    return sorted(
        findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.due_by is None, f.due_by or f.raised_at)
    )


def rows_for(
    findings: Sequence[Finding],
    now: dt.datetime,
    today: dt.date,
    *,
    names: dict[int, str] | None = None,
    show_tasks: bool = False,
) -> list[FindingRow]:
    """A row per finding. `names` (individual id -> name) saves looking up names already
    known; `show_tasks` attaches each finding's task (read by `current_findings(...,
    with_tasks=True)`): only for a viewer who may open the tasks of these children."""
    names = dict(names or {})
    missing = {f.individual_id for f in findings} - set(names)
    if missing:
        names.update({i: h.name for i, h in people.headlines_for(missing, today).items()})
    rows = []
    for f in findings:
        name = names.get(f.individual_id, "Unknown person")
        task = getattr(f, "task", None) if show_tasks else None
        rows.append(
            FindingRow(
                finding=f,
                individual_name=name,
                overdue=f.is_overdue(now),
                task=TaskRow(task=task, child_name=name, now=now) if task is not None else None,
            )
        )
    return rows


@dataclass
class TopFinding:
    """What a search result shows of a child's findings: the most severe one the viewer may
    read, and who holds any the viewer may not (docs/access.md "Findings")."""

    row: FindingRow | None
    held_elsewhere: list[HeldElsewhere]


def top_findings(
    user: Any,
    individual_ids: list[int],
    now: dt.datetime,
    today: dt.date,
    *,
    names: dict[int, str] | None = None,
) -> dict[int, TopFinding]:
    """For each individual with current findings, the most severe one `user` may read and the
    notices for the rest (search results); `names` as for `rows_for`."""
    found = current_findings(individual_ids)
    by_child: dict[int, list[Finding]] = {}
    for f in found:
        by_child.setdefault(f.individual_id, []).append(f)
    shown = disclose(user, found)
    full = {f.pk for f in shown.shown}
    rows = {r.finding.pk: r for r in rows_for(shown.shown, now, today, names=names)}
    top: dict[int, TopFinding] = {}
    for child, findings in by_child.items():
        best = next((rows[f.pk] for f in findings if f.pk in full), None)
        held = notices(user, [f for f in findings if f.pk not in full])
        top[child] = TopFinding(row=best, held_elsewhere=held)
    return top
