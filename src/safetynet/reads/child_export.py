"""A child's chronology and picture as CSV, through the export helper: exactly what the screen
shows the viewer (events redacted for them, people they may not open withheld by name), marked
OFFICIAL-SENSITIVE with who and when, logged as an export of the child and of everyone it names.

The chronology is every event as filtered on screen (not one page), newest first, one row each in
words. The picture is the person page's sections but the chronology (which has its own file):
who the child is, current findings, markers, orders, plans and relationships, one row per item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse

from safetynet.exports.services import Column, export_csv
from safetynet.identity.models import Individual
from safetynet.reads import person as people
from safetynet.reads.chronology import ChronologyLine, shown_people
from safetynet.reads.labels import label
from safetynet.reads.naming import shown_individuals
from safetynet.reads.person_page import PersonPage


def _people_words(line: ChronologyLine) -> str:
    return "; ".join(f"{m.role}: {m.name}" for m in line.people if not m.this_child)


CHRONOLOGY_COLUMNS: list[Column] = [
    ("When", lambda line: line.event.occurred_at),
    ("Until", lambda line: line.event.ended_at),
    ("What", lambda line: label(line.event.event_type)),
    ("This child's part", lambda line: ", ".join(label(r) for r in line.roles)),
    ("Agency", lambda line: line.agency),
    ("Place", lambda line: line.place),
    ("Summary", lambda line: line.summary.text if line.summary else ""),
    ("Facts", lambda line: " ".join(line.facts)),
    ("Others in it", _people_words),
    ("Source", lambda line: line.event.source),
    ("Reference", lambda line: line.event.source_id),
]


def chronology_csv(request: HttpRequest, individual: Individual, lines: list[ChronologyLine]) -> HttpResponse:
    """The chronology `lines` (built for this viewer) as CSV, logged as an export of the child
    and of everyone the lines name by name."""
    named = [i for i in shown_people(lines) if i != individual.pk]
    return export_csv(
        request,
        lines,
        CHRONOLOGY_COLUMNS,
        title=f"Chronology of person record {individual.pk}",
        filename=f"chronology-{individual.pk}",
        individual_ids=[individual.pk, *named],
        object_type="individual",
        object_ids=[individual.pk],
        fields=["chronology", *(["named_in_chronology"] if named else [])],
    )


@dataclass(frozen=True)
class PictureRow:
    section: str
    what: str
    detail: str
    start: dt.date | dt.datetime | None = None
    end: dt.date | dt.datetime | None = None
    source: str = ""


PICTURE_COLUMNS: list[Column] = [
    ("Section", lambda r: r.section),
    ("What", lambda r: r.what),
    ("Detail", lambda r: r.detail),
    ("From", lambda r: r.start),
    ("To", lambda r: r.end),
    ("Source", lambda r: r.source),
]


def _identity(headline: people.Headline) -> list[PictureRow]:
    facts = [
        ("Name", headline.name),
        ("Other names", ", ".join(headline.other_names)),
        ("Date of birth", headline.date_of_birth),
        ("Age", "" if headline.age is None else str(headline.age)),
        ("Sex", label(headline.sex)),
        ("Postcode", headline.postcode),
        ("Care status", label(headline.care_status)),
        ("Records linked", str(headline.record_count)),
    ]
    return [PictureRow("Identity", what, value) for what, value in facts]


def _findings(groups: Iterable[Any]) -> list[PictureRow]:
    return [
        PictureRow(
            "Finding",
            f"{group.clause} {group.title}",
            f"{row.severity_label}: {row.reason}",
            row.finding.raised_at,
            row.finding.due_by,
            label(row.finding.owner_role),
        )
        for group in groups
        for row in group.rows
    ]


def picture_rows(page: PersonPage) -> list[PictureRow]:
    """The person page's sections as rows (the chronology aside)."""
    c = page.context
    rows = _identity(c["headline"]) + _findings(c["finding_groups"])
    rows += [PictureRow("Marker", label(m.marker_type), "", m.valid_from, m.valid_to, m.source) for m in c["markers"]]
    rows += [
        PictureRow("Order", label(o.order_type), f"The child is its {part}", o.valid_from, o.valid_to, o.source)
        for o, part in c["orders"]
    ]
    rows += [
        PictureRow(
            "Plan", label(p.plan_type), f"review due {p.review_due or 'not recorded'}", p.created_on, None, p.source
        )
        for p in c["plans"]
    ]
    rows += [
        PictureRow("Relationship", r.direction, r.other_name, r.valid_from, r.valid_to, r.source)
        for r in c["relationships"]
    ]
    return rows


def picture_csv(request: HttpRequest, individual: Individual, page: PersonPage) -> HttpResponse:
    """The person page (built for this viewer) as CSV, logged as an export of the child, of
    anyone its findings name and of a probable match's other child whose findings it shows."""
    in_findings = shown_individuals(page.named)
    named = sorted(set(in_findings) - {individual.pk})
    return export_csv(
        request,
        picture_rows(page),
        PICTURE_COLUMNS,
        title=f"Picture of person record {individual.pk}",
        filename=f"picture-{individual.pk}",
        individual_ids=[individual.pk, *named, *page.probable],
        object_type="individual",
        object_ids=[individual.pk],
        fields=["picture", *page.log_fields, *(["named_in_finding"] if in_findings else [])],
    )
