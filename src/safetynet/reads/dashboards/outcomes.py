"""Outcomes: what came of the work, in the period. Crimes against children by their outcome
(charged, no further action, still under investigation), protective orders made for children,
plans put in place, and whether children went missing less after an intervention.

By meaning (docs/oversight.md "Outcomes"):

- A **crime against a child** is a `crime` record dated in the period with a victim who was
  under 18 at the start of the period (a full date of birth recorded) and is linked to an
  individual. Its outcome is the record's `status` (`charged`, `no_further_action`,
  `under_investigation`; `other` or not said). The format carries no date of charge, so a
  crime is counted by its own date.
- A **protective order** is an `order` record whose `from` date falls in the period and that
  protects a child (`protected`), by type (CAWN, sexual harm prevention, sexual risk,
  non-molestation, DVPO, other).
- A **plan put in place** is a `plan` record about a child whose `created_at` falls in the period.
- An **intervention** is such a plan or protective order. For each child with one in the
  period, its first one (of that kind) is the intervention's day; the child's missing reports in
  the INTERVENTION_DAYS days up to and including that day are "before", those in the
  INTERVENTION_DAYS days after it are "after" (a report on the day itself is what the
  intervention answered, so it counts before).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Count, Q, QuerySet, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.utils import timezone

from safetynet.reads.dashboards.base import BEHIND_LIMIT, Behind, Cell, Dashboard, Filters, Row, Table
from safetynet.reads.labels import label
from safetynet.records.models import Event, Order, Participation, Plan

CHILD = "person__membership__individual"
ADULT_AGE = 18
INTERVENTION_DAYS = 90
CRIME_OUTCOMES = [
    ("charged", "Charged"),
    ("no_further_action", "No further action"),
    ("under_investigation", "Under investigation"),
    ("other", "Other or not recorded"),
]
INTERVENTIONS = [("plan", "A plan put in place"), ("order", "A protective order"), ("any", "Either")]


def _born_after(f: Filters) -> dt.date:
    """Children at the start of the period were born after this day."""
    start = f.start
    try:
        return start.replace(year=start.year - ADULT_AGE)
    except ValueError:  # 29 February
        return start.replace(year=start.year - ADULT_AGE, day=28)


# ---- crimes against children by outcome -------------------------------------------------


def crime_victims(f: Filters) -> QuerySet[Any]:
    """A child victim's part in each crime dated in the period, with the crime's outcome
    annotated (`outcome`, one of CRIME_OUTCOMES' codes)."""
    found = Participation.objects.filter(
        role="victim",
        event__event_type="crime",
        event__deleted=False,
        event__occurred_at__gte=f.since,
        event__occurred_at__lt=f.until,
        person__membership__isnull=False,
        person__dob__gt=_born_after(f),
    )
    sources = f.sources()
    if sources is not None:
        found = found.filter(event__source__in=sources)
    found = found.filter(f.person("person__"))
    return found.annotate(
        status=Coalesce(KeyTextTransform("status", "event__details"), Value(""), output_field=CharField()),
    )


def _outcome_q(code: str) -> Q:
    if code == "other":
        return ~Q(status__in=[c for c, _w in CRIME_OUTCOMES if c != "other"])
    return Q(status=code)


def _crimes_table(f: Filters) -> Table:
    counts = crime_victims(f).aggregate(
        **{f"{code}_crimes": Count("event", distinct=True, filter=_outcome_q(code)) for code, _w in CRIME_OUTCOMES},
        **{f"{code}_children": Count(CHILD, distinct=True, filter=_outcome_q(code)) for code, _w in CRIME_OUTCOMES},
        all_crimes=Count("event", distinct=True),
        all_children=Count(CHILD, distinct=True),
    )
    rows = [
        Row(
            words,
            [
                Cell(counts[f"{code}_crimes"] or 0, f"crimes:{code}"),
                Cell(counts[f"{code}_children"] or 0, f"crimes:{code}"),
            ],
            code,
        )
        for code, words in [*CRIME_OUTCOMES, ("all", "All crimes against children")]
    ]
    return Table(
        "crimes",
        "Crimes against children by outcome",
        ["Crimes", "Children (victims)"],
        rows,
        row_header="Outcome",
        note=(
            "Crimes dated in the period with a victim under 18 at its start. The outcome is the crime record's "
            "status; records carry no date of charge, so a crime is counted by its own date."
        ),
    )


def _crimes_behind(f: Filters, code: str) -> list[Behind]:
    found = crime_victims(f)
    if code != "all":
        found = found.filter(_outcome_q(code))
    rows = found.values("event__occurred_at", CHILD, "event__source", "event__source_id", "status").order_by(
        "-event__occurred_at", "event_id"
    )[:BEHIND_LIMIT]
    return [
        Behind(
            r["event__occurred_at"],
            r[CHILD],
            f"Crime against a child, {label(r['status']).lower() or 'outcome not recorded'}",
            f"{r['event__source']} {r['event__source_id']}",
        )
        for r in rows
    ]


# ---- protective orders and plans --------------------------------------------------------


def orders_protecting(f: Filters, *, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[Any]:
    """Each (protective order, protected child) whose order starts in [start, end] (the period)."""
    found = Order.protected.through.objects.filter(
        order__deleted=False,
        order__recorded_at__isnull=False,
        order__valid_from__gte=start or f.start,
        order__valid_from__lte=end or f.end,
        person__membership__isnull=False,
    )
    sources = f.sources()
    if sources is not None:
        found = found.filter(order__source__in=sources)
    return found.filter(f.person("person__"))


def plans_made(f: Filters, *, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[Plan]:
    """Plans about a child put in place in [start, end] (the period)."""
    found = Plan.live.filter(
        created_on__gte=start or f.start, created_on__lte=end or f.end, person__membership__isnull=False
    )
    sources = f.sources()
    if sources is not None:
        found = found.filter(source__in=sources)
    return found.filter(f.person("person__"))


def _by_type_table(code: str, title: str, rows_found: Iterable[Any], kinds: list[str], what: str, note: str) -> Table:
    counted = {r["kind"]: r for r in rows_found}
    rows = []
    for kind in kinds:
        r = counted.get(kind, {"n": 0, "children": 0})
        rows.append(Row(label(kind), [Cell(r["n"], f"{code}:{kind}"), Cell(r["children"], f"{code}:{kind}")], kind))
    rows.append(
        Row(
            f"All {what}",
            [
                Cell(sum(r["n"] for r in counted.values()), f"{code}:all"),
                Cell(sum(r["children"] for r in counted.values()), f"{code}:all"),
            ],
            "all",
        )
    )
    return Table(code, title, [what.capitalize(), "Children"], rows, row_header="Type", note=note)


def _orders_table(f: Filters) -> Table:
    found = (
        orders_protecting(f)
        .values(kind=Coalesce("order__order_type", Value(""), output_field=CharField()))
        .annotate(n=Count("order", distinct=True), children=Count(CHILD, distinct=True))
        .order_by()
    )
    return _by_type_table(
        "orders",
        "Protective orders made for children",
        found,
        list(Order.OrderType.values),
        "orders",
        "Orders starting in the period that protect a child; a child protected by orders of two types counts in "
        "both, once in the total per order type.",
    )


def _plans_table(f: Filters) -> Table:
    found = (
        plans_made(f)
        .values(kind=Coalesce("plan_type", Value(""), output_field=CharField()))
        .annotate(n=Count("pk", distinct=True), children=Count(CHILD, distinct=True))
        .order_by()
    )
    return _by_type_table(
        "plans",
        "Plans put in place",
        found,
        list(Plan.PlanType.values),
        "plans",
        "Plans about a child created in the period, by type.",
    )


# ---- repeat missing after an intervention ----------------------------------------------


@dataclass(frozen=True)
class Intervention:
    day: dt.date
    individual_id: int
    kind: str  # plan or order
    what: str
    reference: str


def _interventions(f: Filters) -> dict[str, dict[int, Intervention]]:
    """Each child's first plan and first protective order in the period, and the first of either."""
    found: list[Intervention] = []
    for r in plans_made(f).values("created_on", CHILD, "plan_type", "source", "source_id").order_by("created_on", "pk"):
        found.append(
            Intervention(r["created_on"], r[CHILD], "plan", label(r["plan_type"]), f"{r['source']} {r['source_id']}")
        )
    for r in (
        orders_protecting(f)
        .values("order__valid_from", CHILD, "order__order_type", "order__source", "order__source_id")
        .order_by("order__valid_from", "order_id")
    ):
        found.append(
            Intervention(
                r["order__valid_from"],
                r[CHILD],
                "order",
                label(r["order__order_type"]),
                f"{r['order__source']} {r['order__source_id']}",
            )
        )
    first: dict[str, dict[int, Intervention]] = {"plan": {}, "order": {}, "any": {}}
    for i in sorted(found, key=lambda x: (x.day, x.kind, x.reference)):
        first[i.kind].setdefault(i.individual_id, i)
        first["any"].setdefault(i.individual_id, i)
    return first


@dataclass(frozen=True)
class Episode:
    at: dt.datetime
    individual_id: int
    event_id: int  # its reference is read only for the list behind a number


def _episodes(f: Filters, children: Iterable[int], lowest: dt.date, highest: dt.date) -> dict[int, list[Episode]]:
    """The missing reports about `children` dated from `lowest` to `highest` (local days), by child."""
    wanted = sorted(set(children))
    out: dict[int, list[Episode]] = defaultdict(list)
    if not wanted:
        return out
    tz = timezone.get_current_timezone()
    found = Participation.objects.filter(
        role="missing_person",
        event__event_type="missing_report",
        event__deleted=False,
        event__occurred_at__gte=dt.datetime.combine(lowest, dt.time.min, tz),
        event__occurred_at__lt=dt.datetime.combine(highest + dt.timedelta(days=1), dt.time.min, tz),
        **{f"{CHILD}__in": wanted},
    )
    seen: set[tuple[int, int]] = set()
    # Only what the index holds (the event's id and time, the child): no row is read for counting.
    for event_id, at, child in found.values_list("event_id", "event__occurred_at", CHILD).order_by():
        if (event_id, child) in seen:
            continue
        seen.add((event_id, child))
        out[child].append(Episode(at, child, event_id))
    return out


def _local_day(at: dt.datetime) -> dt.date:
    return (timezone.localtime(at) if timezone.is_aware(at) else at).date()


def _side(day: dt.date, intervention: dt.date) -> str:
    """ "before" (up to and including the intervention's day), "after" or "" (outside both windows)."""
    window = dt.timedelta(days=INTERVENTION_DAYS)
    if intervention - window < day <= intervention:
        return "before"
    if intervention < day <= intervention + window:
        return "after"
    return ""


def _repeat(f: Filters) -> tuple[dict[str, dict[int, Intervention]], dict[str, dict[str, list[Episode]]]]:
    """The interventions by kind and, for each kind, the missing reports before and after."""
    first = _interventions(f)
    days = [i.day for i in first["any"].values()]
    window = dt.timedelta(days=INTERVENTION_DAYS)
    episodes = _episodes(f, first["any"], min(days) - window, max(days) + window) if days else {}
    sides: dict[str, dict[str, list[Episode]]] = {}
    for kind, by_child in first.items():
        sides[kind] = {"before": [], "after": []}
        for child, intervention in by_child.items():
            for e in episodes.get(child, []):
                side = _side(_local_day(e.at), intervention.day)
                if side:
                    sides[kind][side].append(e)
    return first, sides


def _repeat_table(f: Filters) -> Table:
    first, sides = _repeat(f)
    rows = []
    for kind, words in INTERVENTIONS:
        before, after = sides[kind]["before"], sides[kind]["after"]
        rows.append(
            Row(
                words,
                [
                    Cell(len(first[kind]), f"repeat:{kind}:children"),
                    Cell(len({e.individual_id for e in before}), f"repeat:{kind}:before"),
                    Cell(len({e.individual_id for e in after}), f"repeat:{kind}:after"),
                    Cell(len(before), f"repeat:{kind}:before"),
                    Cell(len(after), f"repeat:{kind}:after"),
                ],
                kind,
            )
        )
    n = INTERVENTION_DAYS
    return Table(
        "repeat",
        "Missing episodes before and after an intervention",
        [
            "Children with an intervention",
            f"Children missing in the {n} days before",
            f"Children missing in the {n} days after",
            f"Missing reports in the {n} days before",
            f"Missing reports in the {n} days after",
        ],
        rows,
        row_header="Intervention",
        note=(
            f"An intervention is a plan put in place for the child or a protective order protecting them, dated in "
            f"the period; each child's first one counts. Before: the {n} days up to and including its day; after: "
            f"the {n} days after it (so far, for recent ones)."
        ),
    )


def _repeat_behind(f: Filters, kind: str, which: str) -> list[Behind]:
    first, sides = _repeat(f)
    if kind not in first:
        return []
    if which == "children":
        found = sorted(first[kind].values(), key=lambda i: (i.day, i.reference), reverse=True)
        return [
            Behind(
                i.day, i.individual_id, f"{'Plan' if i.kind == 'plan' else 'Protective order'}: {i.what}", i.reference
            )
            for i in found[:BEHIND_LIMIT]
        ]
    if which not in ("before", "after"):
        return []
    episodes = sorted(sides[kind][which], key=lambda e: (e.at, e.event_id), reverse=True)[:BEHIND_LIMIT]
    refs = {
        pk: f"{source} {source_id}"
        for pk, source, source_id in Event.objects.filter(pk__in=[e.event_id for e in episodes]).values_list(
            "pk", "source", "source_id"
        )
    }
    return [
        Behind(
            e.at,
            e.individual_id,
            f"Missing report {which} the child's {label(first[kind][e.individual_id].kind)}",
            refs.get(e.event_id, ""),
        )
        for e in episodes
    ]


def build(f: Filters, now: dt.datetime) -> list[Table]:
    return [_crimes_table(f), _orders_table(f), _plans_table(f), _repeat_table(f)]


def behind(f: Filters, now: dt.datetime, key: str) -> Iterable[Behind]:
    table, _, rest = key.partition(":")
    if table == "crimes":
        return _crimes_behind(f, rest) if rest in {c for c, _w in CRIME_OUTCOMES} | {"all"} else []
    if table == "orders":
        found = orders_protecting(f)
        if rest != "all":
            found = found.filter(order__order_type=rest)
        rows = found.values(
            "order__valid_from", CHILD, "order__order_type", "order__source", "order__source_id"
        ).order_by("-order__valid_from", "order_id")[:BEHIND_LIMIT]
        return [
            Behind(
                r["order__valid_from"],
                r[CHILD],
                f"Protective order: {label(r['order__order_type'])}",
                f"{r['order__source']} {r['order__source_id']}",
            )
            for r in rows
        ]
    if table == "plans":
        plans = plans_made(f)
        if rest != "all":
            plans = plans.filter(plan_type=rest)
        plan_rows = plans.values("created_on", CHILD, "plan_type", "source", "source_id").order_by("-created_on", "pk")
        return [
            Behind(r["created_on"], r[CHILD], f"Plan: {label(r['plan_type'])}", f"{r['source']} {r['source_id']}")
            for r in plan_rows[:BEHIND_LIMIT]
        ]
    if table == "repeat":
        kind, _, which = rest.partition(":")
        return _repeat_behind(f, kind, which)
    return []


DASHBOARD = Dashboard(
    "outcomes",
    "Outcomes",
    "What came of the work in the period: crimes against children by outcome, protective orders and plans put "
    "in place for children, and whether children went missing less after one.",
    build,
    behind,
)
