"""Read models for "My work" and the findings shown on other screens.

The risk engine's findings carry their own life cycle (open, acknowledged, resolved with a
rationale, closed by itself); My work lists the current ones owned by the viewer's role,
earliest deadline first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, F, IntegerField, Value, When
from django.http import Http404

from safetynet.risk.models import Finding
from safetynet.web import queries
from safetynet.web.access import individual_for_user, visible_individual_ids
from safetynet.web.labels import label

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
TAG_COLOUR = {"critical": "red", "high": "orange", "medium": "yellow", "low": "grey"}
WORK_LIMIT = 200


@dataclass
class FindingRow:
    finding: Finding
    individual_name: str
    overdue: bool

    @property
    def severity_label(self) -> str:
        return label(self.finding.severity)

    @property
    def tag_colour(self) -> str:
        return TAG_COLOUR.get(self.finding.severity, "grey")

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


def _severity_rank() -> Case:
    return Case(
        *[When(severity=s, then=Value(rank)) for s, rank in SEVERITY_ORDER.items()],
        default=Value(9),
        output_field=IntegerField(),
    )


def current_findings(individual_ids: Iterable[int]) -> list[Finding]:
    """Open and acknowledged findings of these individuals, most severe and soonest first."""
    return list(
        Finding.objects.filter(
            individual_id__in=list(individual_ids), state__in=[Finding.State.OPEN, Finding.State.ACKNOWLEDGED]
        )
        .annotate(rank=_severity_rank())
        .order_by("rank", "due_by", "pk")
    )


def rows_for(findings: Sequence[Finding], now: dt.datetime, today: dt.date) -> list[FindingRow]:
    heads = queries.headlines_for({f.individual_id for f in findings}, today)
    return [
        FindingRow(
            finding=f,
            individual_name=heads[f.individual_id].name if f.individual_id in heads else "Unknown person",
            overdue=bool(f.due_by and f.due_by < now),
        )
        for f in findings
    ]


def top_findings(individual_ids: list[int], now: dt.datetime, today: dt.date) -> dict[int, FindingRow]:
    """The most severe current finding of each individual (for search results)."""
    best: dict[int, FindingRow] = {}
    for row in rows_for(current_findings(individual_ids), now, today):
        best.setdefault(row.finding.individual_id, row)
    return best


def my_work(user: Any, role: str, now: dt.datetime, today: dt.date, *, overdue_only: bool = False) -> list[FindingRow]:
    """Current findings owned by `role` (every role's when the user has none) about people the
    user may see, earliest deadline first (no deadline last), at most WORK_LIMIT."""
    findings = Finding.objects.filter(state__in=[Finding.State.OPEN, Finding.State.ACKNOWLEDGED], error=False)
    if role:
        findings = findings.filter(owner_role__in=[role, ""])  # unowned findings show to every role
    if overdue_only:
        findings = findings.filter(due_by__lt=now)
    found = list(
        findings.annotate(rank=_severity_rank()).order_by(F("due_by").asc(nulls_last=True), "rank", "pk")[
            : WORK_LIMIT * 2
        ]
    )
    found.sort(key=lambda f: (f.due_by is None, f.due_by or now, SEVERITY_ORDER.get(f.severity, 9), f.pk))
    allowed = set(visible_individual_ids(user, sorted({f.individual_id for f in found})))
    return rows_for([f for f in found if f.individual_id in allowed][:WORK_LIMIT], now, today)


def finding_for_user(user: Any, pk: int) -> Finding:
    """The finding `pk` if the user may see its person; 404 otherwise (no hint why)."""
    finding = Finding.objects.filter(pk=pk).first()
    if finding is None:
        raise Http404
    individual_for_user(user, finding.individual_id)
    return finding
