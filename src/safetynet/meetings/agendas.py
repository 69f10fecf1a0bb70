"""Agendas built from the picture: who a meeting of each type should discuss, and why.

- **MACE**: children with an open exploitation finding (X1 screening, X2 adult of concern
  around several children, X4 CSE marker without a plan), children named in *emerging*
  intelligence (not confirmed, any grading) within the policy's window, and the adults of
  concern the X2 findings name.
- **MARAC**: the victim and the perpetrator, and every child of either (parent, step-parent or
  carer, in this household or another, D2), with the case flagged as a repeat when the victim
  was at a MARAC within the policy's D2 `repeat_days`.
- **Missing tasking**: children with `repeat_missing_episodes` missing reports or more within
  `repeat_missing_days`.
- **Daily management meeting**: children missing now (a report with no found time in the last
  30 days) and children with a critical finding raised in the last day.
- **Strategy discussion**: the child it is called about and their brothers and sisters
  (children sharing a parent), with the policy's deadline from the record that called it.

The settings are policy clause X3's (`thresholds`, `clocks`). Only current records count
(`live`); every candidate is an individual id with a reason in words and, where a finding put
them there, its clause. The chair adds and removes items afterwards, with a reason."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db.models import Q

from safetynet.identity.memberships import individual_of_people, records_of
from safetynet.identity.models import Membership
from safetynet.meetings.services import MEETING_TYPES, AgendaEntry, MeetingRefused
from safetynet.records.models import Event, Participation, Person, Relationship
from safetynet.risk.models import Finding
from safetynet.risk.policy import Policy, current_policy
from safetynet.risk.rules.base import working_days_after

PARENT_TYPES = ("parent_of", "step_parent_of", "carer_of")
OPEN = (Finding.State.OPEN, Finding.State.ACKNOWLEDGED)
CHILD_AGE = 18
MISSING_NOW_DAYS = 30


def _children(individual_ids: Iterable[int], today: dt.date) -> set[int]:
    """The individuals among `individual_ids` with a record giving an age under 18 today."""
    born_after = today.replace(year=today.year - CHILD_AGE)
    return set(
        Membership.objects.filter(individual_id__in=list(individual_ids), person__dob__gt=born_after).values_list(
            "individual_id", flat=True
        )
    )


def mace(now: dt.datetime, policy: Policy | None = None) -> list[AgendaEntry]:
    """MACE candidates: open exploitation findings, emerging intelligence, adults of concern."""
    spec = (policy or current_policy()).clause("X3")
    out: dict[int, AgendaEntry] = {}
    titles = {c: (policy or current_policy()).clause(c).title for c in ("X1", "X2", "X4")}
    adults: dict[tuple[str, str], str] = {}
    for individual, clause, detail in (
        Finding.objects.filter(clause__in=list(titles), state__in=OPEN, kind="work")
        .order_by("raised_at")
        .values_list("individual_id", "clause", "detail")
    ):
        out.setdefault(individual, AgendaEntry(individual, f"Open finding: {titles[clause]}", clause, "child"))
        for named in (detail or {}).get("named") or []:
            ref = named.get("ref") if isinstance(named, dict) else None
            if clause == "X2" and isinstance(ref, dict):
                adults[(str(ref.get("source")), str(ref.get("id")))] = clause
    since = now - dt.timedelta(days=spec.number("emerging_intelligence_days"))
    emerging = Participation.objects.filter(
        event__event_type="intelligence",
        event__recorded_at__isnull=False,
        event__deleted=False,
        event__occurred_at__gte=since,
        event__occurred_at__lte=now,
    ).values_list("person_id", "event__details__confirmed")
    # Emerging: not confirmed (a missing key counts as unconfirmed, so it is read here, not in SQL).
    people = individual_of_people(person for person, confirmed in emerging if confirmed is not True)
    for individual in sorted(_children(people.values(), now.date())):
        out.setdefault(
            individual, AgendaEntry(individual, "Emerging intelligence: not confirmed, any grading", "", "child")
        )
    persons = Person.live.filter(
        Q(*[Q(source=s, source_id=i) for s, i in adults], _connector=Q.OR) if adults else Q(pk__in=[])
    )
    for individual in sorted(set(individual_of_people(persons.values_list("pk", flat=True)).values())):
        out.setdefault(individual, AgendaEntry(individual, "Adult of concern around several children", "X2", "adult"))
    return list(out.values())


def children_of(individual_id: int, today: dt.date) -> list[int]:
    """Every child the individual is a parent, step-parent or carer of (any household)."""
    mine = records_of(individual_id)
    rels = Relationship.live.filter(rel_type__in=PARENT_TYPES, person_a_id__in=mine).values_list(
        "person_b_id", flat=True
    )
    kids = individual_of_people(p for p in rels if p is not None)
    return sorted(_children(kids.values(), today) - {individual_id})


def repeat_marac(victim: int, now: dt.datetime, policy: Policy | None = None) -> bool:
    """Whether the victim was at a MARAC within the policy's D2 `repeat_days` before `now`."""
    days = (policy or current_policy()).clause("D2").number("repeat_days")
    return Event.live.filter(
        event_type="meeting",
        details__meeting_type="marac",
        participations__person_id__in=records_of(victim),
        occurred_at__gte=now - dt.timedelta(days=days),
        occurred_at__lte=now,
    ).exists()


def marac(victim: int, perpetrator: int | None, now: dt.datetime, policy: Policy | None = None) -> list[AgendaEntry]:
    """The MARAC case: the victim, the perpetrator and every child of either."""
    repeat = repeat_marac(victim, now, policy)
    reason = "Victim" + (" (repeat: at a MARAC within 12 months)" if repeat else "")
    out = [AgendaEntry(victim, reason, "", "victim", repeat)]
    if perpetrator:
        out.append(AgendaEntry(perpetrator, "Perpetrator", "", "perpetrator"))
    seen = {victim, perpetrator}
    for parent, whose in ((victim, "the victim"), (perpetrator, "the perpetrator")):
        for child in children_of(parent, now.date()) if parent else []:
            if child not in seen:
                seen.add(child)
                out.append(AgendaEntry(child, f"Child of {whose} (any household)", "D2", "child"))
    return out


def missing_tasking(now: dt.datetime, policy: Policy | None = None) -> list[AgendaEntry]:
    """Children with repeat missing episodes in the policy's window."""
    spec = (policy or current_policy()).clause("X3")
    at_least = int(spec.number("repeat_missing_episodes"))
    days = int(spec.number("repeat_missing_days"))
    reports = Participation.objects.filter(
        event__event_type="missing_report",
        event__recorded_at__isnull=False,
        event__deleted=False,
        event__occurred_at__gte=now - dt.timedelta(days=days),
        event__occurred_at__lte=now,
        role__in=("missing_person", "subject"),
    ).values_list("person_id", "event_id")
    people = individual_of_people({p for p, _ in reports})
    episodes: dict[int, set[int]] = defaultdict(set)
    for person, event in reports:
        if person in people:
            episodes[people[person]].add(event)
    counts = Counter({i: len(e) for i, e in episodes.items() if len(e) >= at_least})
    children = _children(counts, now.date())
    return [
        AgendaEntry(i, f"Missing {n} times in the last {days} days", "", "child")
        for i, n in counts.most_common()
        if i in children
    ]


def daily_management(now: dt.datetime) -> list[AgendaEntry]:
    """Children missing now, and children with a critical finding raised in the last day."""
    missing = Participation.objects.filter(
        event__event_type="missing_report",
        event__recorded_at__isnull=False,
        event__deleted=False,
        event__occurred_at__gte=now - dt.timedelta(days=MISSING_NOW_DAYS),
        event__occurred_at__lte=now,
        role__in=("missing_person", "subject"),
    ).exclude(event__details__has_key="found_at")
    out: dict[int, AgendaEntry] = {}
    for individual in sorted(set(individual_of_people(missing.values_list("person_id", flat=True)).values())):
        out[individual] = AgendaEntry(individual, "Missing now", "", "child")
    critical = Finding.objects.filter(
        severity="critical", state__in=OPEN, kind="work", raised_at__gte=now - dt.timedelta(days=1)
    ).values_list("individual_id", "clause")
    for individual, clause in critical:
        out.setdefault(
            individual, AgendaEntry(individual, f"Critical finding raised in the last day ({clause})", clause, "child")
        )
    return list(out.values())


def strategy_discussion(child: int, now: dt.datetime) -> list[AgendaEntry]:
    """The child, and their brothers and sisters (children sharing a parent or carer)."""
    out = [AgendaEntry(child, "The child the strategy discussion is about", "", "child")]
    mine = records_of(child)
    parents = Relationship.live.filter(rel_type__in=PARENT_TYPES, person_b_id__in=mine).values_list(
        "person_a_id", flat=True
    )
    for parent in set(individual_of_people(p for p in parents if p is not None).values()):
        for sibling in children_of(parent, now.date()):
            if sibling != child and all(e.individual_id != sibling for e in out):
                out.append(AgendaEntry(sibling, "Brother or sister (shares a parent or carer)", "", "child"))
    return out


def strategy_due(trigger: Event | None, policy: Policy | None = None) -> dt.datetime | None:
    """By when a strategy discussion called by `trigger` should be held (None without one)."""
    if trigger is None:
        return None
    start = trigger.occurred_at or trigger.recorded_at
    days = int((policy or current_policy()).clause("X3").number("strategy_discussion_working_days"))
    return working_days_after(start, days) if start else None


def for_meeting(
    meeting_type: str,
    now: dt.datetime,
    *,
    victim: int | None = None,
    perpetrator: int | None = None,
    child: int | None = None,
) -> list[AgendaEntry]:
    """The agenda a meeting of `meeting_type` starts with (the screens' and the API's one rule);
    MeetingRefused names the person a MARAC (`victim`) or a strategy discussion (`child`) needs."""
    if meeting_type == "marac":
        if not victim:
            raise MeetingRefused("victim", "expected the victim a MARAC case is about")
        return marac(victim, perpetrator, now)
    if meeting_type == "strategy_discussion":
        if not child:
            raise MeetingRefused("child", "expected the child a strategy discussion is about")
        return strategy_discussion(child, now)
    if meeting_type == "mace":
        return mace(now)
    if meeting_type == "missing_tasking":
        return missing_tasking(now)
    if meeting_type == "daily_management":
        return daily_management(now)
    raise MeetingRefused("meeting_type", f"expected one of {', '.join(MEETING_TYPES)}")
