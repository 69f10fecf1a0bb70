"""Timeliness by clause and team: the breaches of the policy's clocks on work already closed
(the practice findings of the risk engine, `work.practice`), counted per clause and team in a
period, with the chart's geometry and the breaches behind each number.

The team is the role that owns the clause's work (the practice finding's owner role: the MASH
for triage clocks, the sergeants for supervisory reviews, custody officers for detention):
records do not say which station or area team recorded them, so that breakdown is not built.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from safetynet.identity.models import Membership
from safetynet.lib.periods import bounds
from safetynet.reads import person as people
from safetynet.reads.access import visible_individual_ids
from safetynet.reads.labels import label
from safetynet.records.models import Event, Participation
from safetynet.risk.models import Finding
from safetynet.risk.policy import current_policy
from safetynet.work.practice import Breach, practice_breaches, practice_findings

BREACH_LIST_LIMIT = 500
# The chart's geometry (SVG user units): a label column, then bars up to BAR_MAX wide.
LABEL_WIDTH, BAR_MAX, BAR_HEIGHT, BAR_GAP = 190, 240, 22, 8


@dataclass(frozen=True)
class Clock:
    """What starts a clause's clocks, by meaning: each record of `event_type` dated in the period
    about a child in one of `roles` (and, for `domestic_abuse`, only a domestic abuse incident)."""

    event_type: str
    roles: tuple[str, ...]
    started_by: str  # in words, for the page and the docs
    domestic_abuse: bool = False
    # The role is not a child's by itself (a detainee may be an adult): only a participant under
    # 18 at the start of the period, or whose date of birth is not recorded, starts the clock.
    children_only: bool = False


# The clauses that are clocks on one kind of record (docs/oversight.md "Timeliness as a rate").
# The others (a grade below the floor, a line of enquiry, a plan missing) are not clocks: their
# breaches are counted, with no rate.
CLOCKS: dict[str, Clock] = {
    "M2": Clock("missing_report", ("missing_person",), "each missing report (its supervision clocks)"),
    "M6": Clock("missing_report", ("missing_person",), "each missing report (the return home interview clock)"),
    "H1": Clock("referral", ("subject",), "each referral (the triage clock)"),
    "C1": Clock("custody", ("detainee",), "each child's detention (appropriate adult and reviews)", children_only=True),
    "P1": Clock("police_protection", ("subject",), "each police protection (the 72-hour limit)"),
    "D1": Clock(
        "incident", ("present_child",), "each domestic abuse incident with a child present (the school told)", True
    ),
}


# Records that are about a child in the clock's role by what they are (the missing child of a
# missing report, a referral's subject, the child in police protection): counted by type.
ALWAYS_ABOUT_A_CHILD = frozenset({"missing_report", "referral", "police_protection"})


@dataclass(frozen=True)
class TimelinessRow:
    clause: str
    clause_title: str
    team: str
    team_label: str
    breaches: int
    children: int
    clocks: int | None = None  # records that started the clause's clocks in the period (None: not a clock)

    @property
    def rate(self) -> float | None:
        """Breaches per 100 clocks run (None when the clause is not a clock or none ran)."""
        if not self.clocks:
            return None
        return round(100 * self.breaches / self.clocks, 1)

    @property
    def rate_words(self) -> str:
        return "" if self.rate is None else f"{self.rate:g}"


@dataclass(frozen=True)
class Bar:
    y: int
    width: int
    label: str
    value: int
    text_x: int
    text_y: int


@dataclass(frozen=True)
class Timeliness:
    period_from: dt.date
    period_to: dt.date
    team: str
    rows: list[TimelinessRow]
    teams: list[tuple[str, str]]

    @property
    def breaches(self) -> int:
        return sum(r.breaches for r in self.rows)

    @property
    def chart_height(self) -> int:
        return max(1, len(self.rows)) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP

    @property
    def chart_width(self) -> int:
        return LABEL_WIDTH + BAR_MAX + 50

    def bars(self) -> list[Bar]:
        """One horizontal bar per row, its length proportional to the breaches, the number
        written beside it (never colour alone)."""
        top = max((r.breaches for r in self.rows), default=0) or 1
        out = []
        for i, r in enumerate(self.rows):
            y = BAR_GAP + i * (BAR_HEIGHT + BAR_GAP)
            width = max(1, round(BAR_MAX * r.breaches / top)) if r.breaches else 0
            out.append(
                Bar(y, width, f"{r.clause} · {r.team_label}", r.breaches, LABEL_WIDTH + width + 6, y + BAR_HEIGHT - 6)
            )
        return out


def team_label(role: str) -> str:
    return label(role)


def _titles() -> dict[str, str]:
    return {code: spec.title for code, spec in current_policy().document.clauses.items()}


def _children_in(area: Callable[[str], Q] | None) -> QuerySet[Any] | None:
    """The individuals with a person record in the area (None: the whole county)."""
    return None if area is None else Membership.objects.filter(area("person__")).values("individual_id")


# Breaches live inside each practice finding's `detail` (one finding per child and clause holds
# them all): the database expands the list (PostgreSQL's jsonb_array_elements, SQLite's
# json_each) and counts, so the chart reads counts, never the findings.
_BREACHES = {
    "postgresql": (
        "jsonb_array_elements(CASE WHEN jsonb_typeof(f.detail->'breaches') = 'array' "
        "THEN f.detail->'breaches' ELSE '[]'::jsonb END) AS b",
        "(b->>'at')::timestamptz",
    ),
    "sqlite": ("json_each(f.detail, '$.breaches') AS b", "datetime(json_extract(b.value, '$.at'))"),
}


def _counted(
    since: dt.datetime, until: dt.datetime, team: str, individuals: QuerySet[Any] | None
) -> list[tuple[str, str, int, int]]:
    """(clause, owner role, breaches, children) of current practice findings' breaches dated in
    [since, until), for one team and the `individuals` asked (None: everyone)."""
    expand, at = _BREACHES["postgresql" if connection.vendor == "postgresql" else "sqlite"]
    params: list[Any] = (
        [since, until] if connection.vendor == "postgresql" else [_sqlite_time(t) for t in (since, until)]
    )
    where = [f"{at} >= %s", f"{at} < %s"]
    if team:
        where.append("f.owner_role = %s")
        params.append(team)
    if individuals is not None:
        inner, inner_params = individuals.query.sql_with_params()
        where.append(f"f.individual_id IN ({inner})")
        params.extend(inner_params)
    sql = (
        f"SELECT f.clause, f.owner_role, COUNT(*), COUNT(DISTINCT f.individual_id) FROM {Finding._meta.db_table} f, "
        f"{expand} WHERE f.kind = 'practice' AND f.state IN ('open', 'acknowledged') AND {' AND '.join(where)} "
        "GROUP BY f.clause, f.owner_role"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(str(c), str(r), int(n), int(k)) for c, r, n, k in cursor.fetchall()]


def _sqlite_time(at: dt.datetime) -> str:
    """`at` as SQLite's datetime() writes UTC times, so the two compare as text."""
    return at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def clocks_run(
    since: dt.datetime, until: dt.datetime, clauses: list[str], area: Callable[[str], Q] | None = None
) -> dict[str, int]:
    """Per clause of `clauses` that is a clock: the records dated in [since, until) that started
    its clocks (with a child in the clock's role, living in `area` when one is asked), in one
    query over the period's records of those types read from the covering index, a participant
    checked through the participations' (event, role) index where the type does not say it."""
    wanted = {c: CLOCKS[c] for c in clauses if c in CLOCKS}
    if not wanted:
        return {}
    tests: dict[tuple[str, tuple[str, ...], bool, bool], str] = {}
    for clock in wanted.values():
        tests.setdefault(_test_key(clock), f"k{len(tests)}")
    events = Event.objects.filter(
        event_type__in=sorted({c.event_type for c in wanted.values()}),
        deleted=False,
        occurred_at__gte=since,
        occurred_at__lt=until,
    )
    born_after = _adult_birthday(since)

    def with_participant(event_type: str, roles: tuple[str, ...], children_only: bool) -> Q:
        """The record of `event_type` has its participant: checked only when the type does not
        say it alone (a detainee who must be a child, a child present at an incident) or an
        area is asked; a missing report, a referral or a police protection is about its child."""
        if not children_only and area is None and event_type in ALWAYS_ABOUT_A_CHILD:
            return Q(event_type=event_type)
        part = Participation.objects.filter(event_id=OuterRef("pk"), role__in=roles)
        if children_only:
            part = part.filter(Q(person__dob__gt=born_after) | Q(person__dob__isnull=True))
        if area is not None:
            part = part.filter(area("person__"))
        return Q(event_type=event_type) & Q(Exists(part))

    # One pass over the period's records read from the covering index (type, time, id, deleted)
    # alone; a clock that also depends on the record's details (a domestic abuse incident) is
    # counted among the few records that have the participant, by their ids.
    plain = {key: name for key, name in tests.items() if not key[2]}
    found: dict[str, int] = {}
    if plain:
        counted = {name: Count("pk", filter=with_participant(k[0], k[1], k[3])) for k, name in plain.items()}
        found.update({name: int(n or 0) for name, n in events.aggregate(**counted).items()})
    for key, name in tests.items():
        if key in plain:
            continue
        ids = list(events.filter(with_participant(key[0], key[1], key[3])).values_list("pk", flat=True))
        found[name] = Event.objects.filter(pk__in=ids, details__domestic_abuse=True).count() if ids else 0
    return {clause: found[tests[_test_key(k)]] for clause, k in wanted.items()}


def _test_key(clock: Clock) -> tuple[str, tuple[str, ...], bool, bool]:
    return (clock.event_type, clock.roles, clock.domestic_abuse, clock.children_only)


def _adult_birthday(since: dt.datetime) -> dt.date:
    """People born on or before this day were 18 or over at `since`."""
    day = since.date()
    try:
        return day.replace(year=day.year - 18)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 18, day=28)


def timeliness(start: dt.date, end: dt.date, team: str = "", area: Callable[[str], Q] | None = None) -> Timeliness:
    """Breaches and children per clause and team for breaches dated in [start, end], of children
    in `area` (a Q builder on Person through a prefix; None for the whole county), with the
    clocks each clause ran in the period beside them (the rate)."""
    since, until = bounds(start, end)
    counted = _counted(since, until, team, _children_in(area))
    titles = _titles()
    owners = {code: str(spec.owner_role) for code, spec in current_policy().document.clauses.items() if spec.enabled}
    breached = {clause for clause, _r, _n, _k in counted}
    # A clock clause with no breach in the period that still ran clocks: a row with none (rate 0).
    quiet_clauses = [
        clause
        for clause in CLOCKS
        if clause in owners and clause not in breached and (not team or owners[clause] == team)
    ]
    ran = clocks_run(since, until, sorted(breached | set(quiet_clauses)), area)
    quiet = [(clause, owners[clause], 0, 0) for clause in quiet_clauses if ran.get(clause)]
    rows = [
        TimelinessRow(clause, titles.get(clause, ""), role, team_label(role), n, kids, ran.get(clause))
        for clause, role, n, kids in sorted([*counted, *quiet])
    ]
    return Timeliness(start, end, team, rows, teams())


def teams() -> list[tuple[str, str]]:
    """(code, label) of every team that owns practice findings: the team filter's choices."""
    found = sorted(set(practice_findings().order_by().values_list("owner_role", flat=True).distinct()))
    return [(t, team_label(t)) for t in found]


@dataclass(frozen=True)
class BreachRow:
    breach: Breach
    name: str  # "" when the viewer may not open the child's record

    @property
    def individual_id(self) -> int:
        return self.breach.individual_id


def breaches_behind(
    user: Any,
    start: dt.date,
    end: dt.date,
    *,
    clause: str,
    team: str,
    today: dt.date,
    area: Callable[[str], Q] | None = None,
) -> tuple[list[BreachRow], bool]:
    """The breaches behind one number of the chart (clause and team in the period), newest
    first, each with the child's name when the viewer may open the record; and whether the
    list was cut at BREACH_LIST_LIMIT."""
    since, until = bounds(start, end)
    found = sorted(
        practice_breaches(
            clause=clause, owner_role=team or None, since=since, until=until, individuals=_children_in(area)
        ),
        key=lambda b: (b.at or dt.datetime.min.replace(tzinfo=dt.UTC), b.finding_id),
        reverse=True,
    )
    shown = found[:BREACH_LIST_LIMIT]
    visible = set(visible_individual_ids(user, sorted({b.individual_id for b in shown})))
    heads = people.headlines_for(visible, today)
    return [
        BreachRow(
            b,
            (heads[b.individual_id].name if b.individual_id in heads else "Name not recorded")
            if b.individual_id in visible
            else "",
        )
        for b in shown
    ], len(found) > BREACH_LIST_LIMIT
