"""A child's trigger plans, Philomena profiles and FARPs as one viewer reads them (docs/missing.md):
every such plan about the child from any source the viewer may see (`access.visible_plans`),
newest first, each with its review date (overdue when passed: policy M4), the child's
description, phones, photo reference, risks, what to do, and its associates and places named
under the findings' naming rule (`reads.naming`). Plans written in safetynet are editable here;
those from other systems are changed at their source."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from safetynet.missing.facts import PLAN_TYPES, proposals
from safetynet.missing.plans import PLAN_LABELS, plan_version
from safetynet.missing.services import SOURCE
from safetynet.reads import access
from safetynet.reads.naming import NamedLine, log_named, named_for
from safetynet.records.models import Plan


@dataclass
class PlanRow:
    plan: Plan
    label: str
    editable: bool
    version: str
    review_due: dt.date | None
    overdue: bool
    owner: str
    description: str
    risks: str
    content: str
    photo_reference: str
    phones: list[str]
    associates: list[NamedLine] = field(default_factory=list)
    places: list[NamedLine] = field(default_factory=list)


def _owner(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or "")
    return str(value or "")


def _refs(values: Any) -> list[dict[str, str]]:
    out = []
    for v in values or []:
        if isinstance(v, dict):
            out.append({"source": str(v.get("source") or ""), "id": str(v.get("id") or "")})
    return out


def plans_for(user: Any, individual_id: int, today: dt.date, *, plan_id: int | None = None) -> list[PlanRow]:
    """The child's plans the viewer may see (only `plan_id` when given), newest first."""
    found = Plan.live.filter(plan_type__in=PLAN_TYPES, person__membership__individual_id=individual_id)
    if plan_id is not None:
        found = found.filter(pk=plan_id)
    plans = list(access.visible_plans(user, found).distinct().order_by("-created_on", "-pk"))
    holders = []
    for plan in plans:
        p = plan.payload or {}
        entries = [{"kind": "person", "as": "associate", "ref": r} for r in _refs(p.get("associates"))]
        entries += [{"kind": "place", "as": "place", "ref": r} for r in _refs(p.get("places"))]
        holders.append(SimpleNamespace(pk=plan.pk, detail={"named": entries}))
    named = named_for(user, holders)
    rows = []
    for plan in plans:
        p = plan.payload or {}
        lines = named.get(plan.pk, [])
        rows.append(
            PlanRow(
                plan=plan,
                label=PLAN_LABELS.get(plan.plan_type, plan.plan_type),
                editable=plan.source == SOURCE,
                version=plan_version(plan),
                review_due=plan.review_due,
                overdue=plan.review_due is not None and plan.review_due < today,
                owner=_owner(p.get("owner")),
                description=str(p.get("description") or ""),
                risks=str(p.get("risks") or ""),
                content=plan.content,
                photo_reference=str(p.get("photo_reference") or ""),
                phones=[str(x) for x in p.get("phones") or []],
                associates=[n for n in lines if n.kind == "person"],
                places=[n for n in lines if n.kind == "place"],
            )
        )
    return rows


def log_plans(user: Any, individual_id: int, rows: list[PlanRow]) -> None:
    """The access log: the child's plans viewed, and each associate they named to the viewer."""
    access.log_view(
        user,
        object_type="plan",
        object_ids=[r.plan.pk for r in rows],
        individual_ids=[individual_id],
        fields=["missing_plans"],
    )
    log_named(user, [n for r in rows for n in r.associates], object_type="plan")


def candidates(
    user: Any, individual_id: int, now: dt.datetime, row: PlanRow | None = None
) -> tuple[list[tuple[int, str]], list[tuple[str, str]]]:
    """The people (individual id, as the viewer reads them) and places ("source|id", address)
    a plan may name: those the picture proposes as lines of enquiry (CAWN adults, relationships,
    the homes of both, places the child was found) and those already on the plan."""
    entries: list[dict[str, Any]] = []
    for p in proposals(individual_id, now):
        if p.person:
            entries.append({"kind": "person", "as": p.text, "ref": p.person})
        if p.location:
            entries.append({"kind": "place", "as": p.text, "ref": p.location})
    named = named_for(user, [SimpleNamespace(pk=0, detail={"named": entries})]).get(0, [])
    if row is not None:
        named = [*row.associates, *row.places, *named]
    people: dict[int, str] = {}
    places: dict[str, str] = {}
    for n in named:
        if n.kind == "person" and n.shown and n.individual_id and n.individual_id != individual_id:
            people.setdefault(n.individual_id, n.text)
        elif n.kind == "place" and n.shown:
            places.setdefault(f"{n.ref[0]}|{n.ref[1]}", n.text)
    return list(people.items()), list(places.items())
