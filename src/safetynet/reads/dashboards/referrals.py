"""Referrals by grade and triage time: the MASH's referrals received in the period by the grade
triage gave them, and how long triage took from receipt (within an hour, 1-4 hours, 4-24
hours, over a day, or not triaged yet)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Case, CharField, Count, DateTimeField, F, QuerySet, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from safetynet.mash.grading import GRADES
from safetynet.reads.dashboards.base import BEHIND_LIMIT, Behind, Cell, Dashboard, Filters, Row, Table
from safetynet.reads.labels import label
from safetynet.records.models import Event, Participation

BANDS = [
    ("1h", "Within 1 hour", dt.timedelta(hours=1)),
    ("4h", "1 to 4 hours", dt.timedelta(hours=4)),
    ("24h", "4 to 24 hours", dt.timedelta(hours=24)),
]
OVER, UNTRIAGED, UNGRADED = "over", "untriaged", "ungraded"


def referrals(f: Filters) -> QuerySet[Any]:
    """Referrals received in the period, with their grade and triage band annotated."""
    found = Event.live.filter(event_type="referral", occurred_at__gte=f.since, occurred_at__lt=f.until)
    sources = f.sources()
    if sources is not None:
        found = found.filter(source__in=sources)
    if f.area_q is not None:
        found = found.filter(
            pk__in=Participation.objects.filter(role="subject").filter(f.person("person__")).values("event_id")
        )
    triaged = Cast(KT("details__triage__at"), DateTimeField())
    return found.annotate(
        grade=Coalesce(KT("details__triage__grade"), Value(""), output_field=CharField()),
        triaged=triaged,
    ).annotate(
        band=Case(
            When(triaged__isnull=True, then=Value(UNTRIAGED)),
            *[When(triaged__lte=F("occurred_at") + limit, then=Value(code)) for code, _l, limit in BANDS],
            default=Value(OVER),
            output_field=CharField(),
        )
    )


def _band_codes() -> list[tuple[str, str]]:
    return [(code, words) for code, words, _limit in BANDS] + [(OVER, "Over 24 hours"), (UNTRIAGED, "Not triaged")]


def build(f: Filters, now: dt.datetime) -> list[Table]:
    counts: dict[tuple[str, str], int] = {}
    for r in referrals(f).values("grade", "band").annotate(n=Count("pk")).order_by():
        grade = r["grade"] if r["grade"] in GRADES else UNGRADED
        counts[(grade, r["band"])] = counts.get((grade, r["band"]), 0) + r["n"]
    bands = _band_codes()
    rows = []
    for grade in [*GRADES, UNGRADED]:
        cells = [Cell(sum(n for (g, _b), n in counts.items() if g == grade), f"{grade}:all")]
        cells += [Cell(counts.get((grade, code), 0), f"{grade}:{code}") for code, _w in bands]
        if grade != UNGRADED or cells[0].value:
            rows.append(Row(GRADES.get(grade, "No grade yet"), cells, grade))
    return [
        Table(
            "grades",
            "Referrals by grade and time to triage",
            ["Referrals", *[words for _c, words in bands]],
            rows,
            row_header="Grade",
            note="Time to triage runs from when the referral was received to when it was triaged.",
        )
    ]


def behind(f: Filters, now: dt.datetime, key: str) -> Iterable[Behind]:
    grade, _, band = key.partition(":")
    found = referrals(f)
    if grade == UNGRADED:
        found = found.exclude(grade__in=GRADES)
    elif grade:
        found = found.filter(grade=grade)
    if band and band != "all":
        found = found.filter(band=band)
    rows = (
        found.filter(participations__role="subject", participations__person__membership__isnull=False)
        .values("occurred_at", "participations__person__membership__individual", "source", "source_id", "grade", "band")
        .order_by("-occurred_at", "pk")[:BEHIND_LIMIT]
    )
    words = dict(_band_codes())
    return [
        Behind(
            r["occurred_at"],
            r["participations__person__membership__individual"],
            f"Referral, {label(r['grade']) or 'no grade'}, triage {words.get(r['band'], '').lower()}",
            f"{r['source']} {r['source_id']}",
        )
        for r in rows
    ]


DASHBOARD = Dashboard(
    "referrals",
    "Referrals by grade and triage time",
    "Referrals received in the period by the grade triage gave them and how long triage took.",
    build,
    behind,
)
