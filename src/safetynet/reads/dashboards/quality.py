"""The forensic backlog (devices seized and not yet returned from examination, by priority, by
how long they have waited and whether past the force's target, policy clause O2) and data
quality (person records without an ethnicity and not linked to anyone, uncertain pairs waiting
for review, lines rejected at the door)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import CharField, Count, Q, QuerySet, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Substr

from safetynet.exploitation.online import target_days
from safetynet.identity.models import ReviewPair
from safetynet.interchange.models import ImportReject
from safetynet.reads.dashboards.base import BEHIND_LIMIT, Behind, Cell, Dashboard, Filters, Row, Table
from safetynet.reads.labels import label
from safetynet.records.models import Event, Person

WAITS = [("30", "Under 30 days", 0, 30), ("90", "30 to 90 days", 30, 90), ("180", "90 to 180 days", 90, 180)]
LONGEST = ("older", "Over 180 days", 180)
PRIORITIES = ("priority", "standard")


def devices(f: Filters) -> QuerySet[Any]:
    """Device examinations not yet returned, with their priority and the day they were
    submitted (ISO text, "" when not submitted yet) annotated."""
    found = Event.live.filter(event_type="device_examination")
    sources = f.sources()
    if sources is not None:
        found = found.filter(source__in=sources)
    return (
        found.annotate(returned=_text("returned_at"), submitted=Substr(_text("submitted_at"), 1, 10))
        .filter(returned="")
        .annotate(priority_given=_text("priority"))
    )


def _text(key: str) -> Coalesce:
    """The text of a key of the record's details, "" when absent (compared as text)."""
    return Coalesce(KT(f"details__{key}"), Value(""), output_field=CharField())


def _priority_q(priority: str) -> Q:
    return (
        Q(priority_given="priority")
        if priority == "priority"
        else ~Q(priority_given="priority") | Q(priority_given__isnull=True)
    )


def _waited_q(stage: str, low: int, high: int | None, today: dt.date) -> Q:
    """Waited at least `low` and under `high` days by `today`: since submission (text dates
    compare as ISO) or, not yet submitted, since seizure."""
    if stage == "submitted":
        q = Q(submitted__lte=(today - dt.timedelta(days=low)).isoformat())
        return q & Q(submitted__gt=(today - dt.timedelta(days=high)).isoformat()) if high is not None else q
    q = Q(occurred_at__date__lte=today - dt.timedelta(days=low))
    return q & Q(occurred_at__date__gt=today - dt.timedelta(days=high)) if high is not None else q


def _stage_q(stage: str) -> Q:
    return ~Q(submitted="") if stage == "submitted" else Q(submitted="")


def _band_q(stage: str, band: str, today: dt.date, priority: str) -> Q:
    for code, _w, low, high in WAITS:
        if code == band:
            return _waited_q(stage, low, high, today)
    if band == LONGEST[0]:
        return _waited_q(stage, LONGEST[2], None, today)
    if band == "late" and stage == "submitted":
        return _waited_q(stage, target_days(priority), None, today)
    return Q() if band == "all" else Q(pk__in=[])


def build_backlog(f: Filters, now: dt.datetime) -> list[Table]:
    today = now.date()
    bands = [*(code for code, *_r in WAITS), LONGEST[0], "late"]
    rows = []
    for stage, stage_words in (("submitted", "submitted, waiting for results"), ("seized", "seized, not submitted")):
        for priority in PRIORITIES:
            got = devices(f).filter(_stage_q(stage) & _priority_q(priority))
            counts = got.aggregate(
                all=Count("pk"), **{b: Count("pk", filter=_band_q(stage, b, today, priority)) for b in bands}
            )
            code = f"{stage}:{priority}"
            cells = [Cell(counts["all"], f"{code}:all")] + [Cell(counts[b], f"{code}:{b}") for b in bands]
            rows.append(Row(f"{label(priority)}, {stage_words}", cells, code))
    return [
        Table(
            "devices",
            "Devices waiting for examination results",
            ["Devices", *[w for _c, w, *_r in WAITS], LONGEST[1], "Past the target"],
            rows,
            row_header="Devices",
            note=(
                f"Waiting since submission (seizure when not yet submitted); the target is "
                f"{target_days('priority')} days for priority and {target_days('standard')} for standard (clause O2)."
            ),
        )
    ]


def behind_backlog(f: Filters, now: dt.datetime, key: str) -> Iterable[Behind]:
    stage, _, rest = key.partition(":")
    priority, _, band = rest.partition(":")
    if stage not in ("submitted", "seized") or priority not in PRIORITIES:
        return []
    found = devices(f).filter(_stage_q(stage) & _priority_q(priority) & _band_q(stage, band, now.date(), priority))
    rows = found.values("occurred_at", "submitted", "source", "source_id").order_by("submitted", "occurred_at")
    return [
        Behind(
            dt.date.fromisoformat(r["submitted"]) if r["submitted"] else r["occurred_at"],
            None,
            f"Device, {priority}, " + ("submitted" if r["submitted"] else "seized, not submitted"),
            f"{r['source']} {r['source_id']}",
        )
        for r in rows[:BEHIND_LIMIT]
    ]


def people(f: Filters) -> QuerySet[Person]:
    found = Person.live.filter(recorded_at__isnull=False)
    sources = f.sources()
    if sources is not None:
        found = found.filter(source__in=sources)
    return found.filter(f.person(""))


NO_ETHNICITY = Q(self_defined_ethnicity="", observed_ethnicity="")
UNLINKED = Q(membership__isnull=True)


def pairs(f: Filters) -> QuerySet[ReviewPair]:
    found = ReviewPair.objects.filter(status=ReviewPair.Status.OPEN)
    sources = f.sources()
    if sources is not None:
        found = found.filter(Q(person_a__source__in=sources) | Q(person_b__source__in=sources))
    if f.area_q is not None:
        found = found.filter(f.person("person_a__") | f.person("person_b__"))
    return found


def rejects(f: Filters) -> QuerySet[ImportReject]:
    return ImportReject.objects.filter(batch__started_at__gte=f.since, batch__started_at__lt=f.until)


def build_quality(f: Filters, now: dt.datetime) -> list[Table]:
    records = (
        people(f)
        .values("source")
        .annotate(n=Count("pk"), ethnicity=Count("pk", filter=NO_ETHNICITY), unlinked=Count("pk", filter=UNLINKED))
        .order_by("source")
    )
    week_ago = now - dt.timedelta(days=7)
    waiting = (
        pairs(f).values("reason").annotate(n=Count("pk"), old=Count("pk", filter=Q(created_at__lt=week_ago))).order_by()
    )
    reasons = dict(ReviewPair.Reason.choices)
    refused = (
        rejects(f)
        .values("batch__door", "kind")
        .annotate(n=Count("pk"), batches=Count("batch", distinct=True))
        .order_by("batch__door", "kind")
    )
    return [
        Table(
            "records",
            "Person records by source system",
            ["Person records", "No ethnicity recorded", "Not linked to anyone"],
            [
                Row(
                    r["source"],
                    [
                        Cell(r["n"]),
                        Cell(r["ethnicity"], f"ethnicity:{r['source']}"),
                        Cell(r["unlinked"], f"unlinked:{r['source']}"),
                    ],
                    r["source"],
                )
                for r in records
            ],
            chart_column=1,
            row_header="Source system",
            note=(
                "Every person record held now (the period does not apply): no self-defined or observed "
                "ethnicity; no individual yet."
            ),
        ),
        Table(
            "pairs",
            "Uncertain pairs waiting for review",
            ["Waiting", "Waiting over a week"],
            [
                Row(
                    str(reasons.get(r["reason"], r["reason"])),
                    [Cell(r["n"], f"pairs:{r['reason']}"), Cell(r["old"], f"old:{r['reason']}")],
                    r["reason"],
                )
                for r in waiting
            ],
            row_header="Why uncertain",
            note="Pairs of records in the linkage model's review band, waiting now.",
        ),
        Table(
            "rejects",
            "Lines rejected at the door in the period",
            ["Lines rejected", "Batches"],
            [
                Row(
                    f"{label(r['batch__door'])}, {r['kind'] or 'unknown kind'}",
                    [Cell(r["n"], f"rejects:{r['batch__door']}:{r['kind']}"), Cell(r["batches"])],
                    f"{r['batch__door']}:{r['kind']}",
                )
                for r in refused
            ],
            row_header="Door and kind",
            note="Rejected lines are about nobody stored: the area filter does not apply to them.",
        ),
    ]


def behind_quality(f: Filters, now: dt.datetime, key: str) -> Iterable[Behind]:
    what, _, rest = key.partition(":")
    if what in ("ethnicity", "unlinked"):
        found = people(f).filter(source=rest).filter(NO_ETHNICITY if what == "ethnicity" else UNLINKED)
        words = "No ethnicity recorded" if what == "ethnicity" else "Not linked to anyone"
        rows = found.values("recorded_at", "membership__individual_id", "source", "source_id").order_by("-recorded_at")
        return [
            Behind(r["recorded_at"], r["membership__individual_id"], words, f"{r['source']} {r['source_id']}")
            for r in rows[:BEHIND_LIMIT]
        ]
    if what in ("pairs", "old"):
        found_pairs = pairs(f).filter(reason=rest)
        if what == "old":
            found_pairs = found_pairs.filter(created_at__lt=now - dt.timedelta(days=7))
        pair_rows = found_pairs.values(
            "pk", "created_at", "person_a__membership__individual_id", "person_a__source", "person_b__source"
        ).order_by("created_at")
        return [
            Behind(
                r["created_at"],
                r["person_a__membership__individual_id"],
                f"Pair of a {r['person_a__source']} and a {r['person_b__source']} record waiting for review",
                f"review pair {r['pk']}",
            )
            for r in pair_rows[:BEHIND_LIMIT]
        ]
    if what == "rejects":
        door, _, kind = rest.partition(":")
        lines = rejects(f).filter(batch__door=door, kind=kind).values("batch__started_at", "batch_id", "line", "field")
        return [
            Behind(
                r["batch__started_at"],
                None,
                f"Rejected: {r['field'] or 'the line'}",
                f"batch {r['batch_id']} line {r['line']}",
            )
            for r in lines.order_by("-batch__started_at", "line")[:BEHIND_LIMIT]
        ]
    return []


BACKLOG = Dashboard(
    "forensic-backlog",
    "Forensic backlog",
    "Devices seized and not yet returned from examination, by priority and how long they have waited.",
    build_backlog,
    behind_backlog,
    uses_period=False,
    area_note="Devices are not filed by where a child lives: the area filter does not apply.",
)
QUALITY = Dashboard(
    "data-quality",
    "Data quality",
    "Person records without an ethnicity or not linked to anyone, uncertain pairs waiting for "
    "review, and lines rejected at the door in the period.",
    build_quality,
    behind_quality,
)
