"""Read models for the findings shown on the person page and in search results.

The risk engine's findings carry their own life cycle (open, acknowledged, resolved with a
rationale, closed by itself). The work screens (My work, a task) read tasks instead:
`safetynet.web.tasks`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Value, When

from safetynet.risk.models import Finding
from safetynet.web import queries
from safetynet.web.labels import label

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
TAG_COLOUR = {"critical": "red", "high": "orange", "medium": "yellow", "low": "grey"}


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
