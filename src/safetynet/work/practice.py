"""The supervisor's practice view: breaches on work already closed, for oversight.

Practice findings (risk/practice.py) never become tasks; they are where a breach that is no
longer work lives, so nothing is lost when the act-now queues keep to current risk. One
practice finding per child and clause holds every breach (its date, record, reason and cites)
in `detail`; `practice_breaches` lists them one by one, narrowed by clause, owner role,
children and dates, which is what timeliness dashboards and case audits count.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from safetynet.risk.models import Finding


@dataclass(frozen=True)
class Breach:
    """One breach of a clause on work already closed."""

    finding_id: int
    individual_id: int
    clause: str
    owner_role: str
    at: dt.datetime | None
    record: dict[str, str] | None
    reason: str


def practice_findings(
    *, clause: str | None = None, owner_role: str | None = None, individuals: QuerySet[Any] | None = None
) -> QuerySet[Finding]:
    """Current practice findings (one per child and clause), clause then child order."""
    qs = Finding.objects.filter(kind="practice", state__in=(Finding.State.OPEN, Finding.State.ACKNOWLEDGED))
    if clause:
        qs = qs.filter(clause=clause)
    if owner_role:
        qs = qs.filter(owner_role=owner_role)
    if individuals is not None:
        qs = qs.filter(individual_id__in=individuals)
    return qs.order_by("clause", "individual_id")


def practice_breaches(
    *,
    clause: str | None = None,
    owner_role: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    individuals: QuerySet[Any] | None = None,
) -> Iterator[Breach]:
    """Every breach inside the practice findings, narrowed by clause, owner role, children
    and the breach's date (`since` <= at < `until`; a breach with no date only when no dates
    are asked for)."""
    rows = practice_findings(clause=clause, owner_role=owner_role, individuals=individuals).values_list(
        "pk", "individual_id", "clause", "owner_role", "detail"
    )
    for pk, individual, clause_id, role, detail in rows.iterator(chunk_size=2000):
        for b in (detail or {}).get("breaches", []):
            at = dt.datetime.fromisoformat(b["at"]) if b.get("at") else None
            if (since or until) and at is None:
                continue
            if (since and at is not None and at < since) or (until and at is not None and at >= until):
                continue
            yield Breach(pk, individual, clause_id, role, at, b.get("record"), str(b.get("reason", "")))


def practice_counts(*, individuals: QuerySet[Any] | None = None) -> dict[str, tuple[int, int]]:
    """Per clause: (practice findings, breaches in them)."""
    findings: Counter[str] = Counter()
    breaches: Counter[str] = Counter()
    for clause, detail in practice_findings(individuals=individuals).values_list("clause", "detail"):
        findings[clause] += 1
        breaches[clause] += int((detail or {}).get("count", 0))
    return {c: (findings[c], breaches[c]) for c in sorted(findings)}
