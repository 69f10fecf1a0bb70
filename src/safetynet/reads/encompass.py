"""Read models for notifications to partners: the police's Operation Encompass list (schools
still to be told, from open D1 findings; what was sent and whether the school acknowledged it),
their GP list (children in a domestic abuse incident in the last 30 days whose GP practice has
not been told: no deadline, no finding), and a partner's (school's, GP practice's) list of the
notifications sent to it. Every child passes through the access rules; a child the viewer may
not open is left out, and each list is written to the access log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from safetynet.identity.memberships import individual_of_people
from safetynet.mash.encompass import (
    ENCOMPASS,
    GP,
    Scheme,
    notifications_about,
    organisation_of_user,
    partners_of,
    schools_of,
)
from safetynet.reads import access
from safetynet.reads import person as people
from safetynet.records.models import Event, Organisation
from safetynet.risk.models import Finding
from safetynet.risk.policy import current_policy
from safetynet.risk.rules.base import next_school_day_start

LIST_SIZE = 200
SENT_DAYS = 30
GP_DAYS = 30  # incidents the police list for GP practices to be told of
CHILD_AGE = 18


@dataclass
class ToSend:
    """An incident whose partner has not been told: D1's open finding (school), or a GP practice's."""

    individual_id: int
    name: str
    incident: Event
    due_by: dt.datetime | None
    overdue: bool
    partner: str  # the school or GP practice; "" when none is on record
    told_at: dt.datetime | None = None  # when the school was told after all (late: D1 stays as a breach)


@dataclass
class Sent:
    """A notification sent in safetynet, with the partner's (school's, GP practice's) acknowledgement."""

    notification: Event
    individual_id: int | None
    name: str
    partner: str
    sent_at: str
    sent_by: str
    information: str
    acknowledged_at: str
    acknowledged_by: str


def _incident_ref(finding: Finding) -> tuple[str, str] | None:
    """The incident a D1 finding is about: its key, else the first record it cites."""
    ref = finding.key if isinstance(finding.key, dict) else (finding.cites or [None])[0]
    return (str(ref["source"]), str(ref["id"])) if isinstance(ref, dict) and "id" in ref else None


def _incidents(findings: list[Finding]) -> dict[tuple[str, str], Event]:
    keys = {ref for f in findings if (ref := _incident_ref(f)) is not None}
    found = Event.live.filter(
        source__in={s for s, _ in keys}, source_id__in={i for _, i in keys}, event_type="incident"
    )
    return {(e.source, e.source_id): e for e in found if (e.source, e.source_id) in keys}


def _when(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _told(incidents: list[Event]) -> dict[tuple[int, int], dt.datetime | None]:
    """(incident pk, individual) -> when the school was told about it (the notification's `sent_at`)."""
    return {key: _when((note.details or {}).get("sent_at")) for key, note in notifications_about(incidents).items()}


def _deadline(incident: Event) -> dt.datetime | None:
    if incident.occurred_at is None:
        return None
    hour = int(current_policy().clause("D1").number("school_day_starts_hour"))  # the rule's own deadline
    return next_school_day_start(current_policy(), incident.occurred_at, hour)


def to_send(user: Any, now: dt.datetime) -> list[ToSend]:
    """Open D1 findings of children the viewer may open: the schools still to be told, and
    those told after the school day began (`told_at`), the earliest deadline first."""
    visible = access.visible_individuals(user).values("pk")
    findings = list(
        Finding.objects.filter(clause="D1", state=Finding.State.OPEN, individual_id__in=visible).order_by(
            "due_by", "pk"
        )[:LIST_SIZE]
    )
    incidents = _incidents(findings)
    told = _told(list(incidents.values()))
    heads = people.headlines_for({f.individual_id for f in findings}, now.date())
    schools = schools_of({f.individual_id for f in findings})
    rows = []
    for finding in findings:
        ref = _incident_ref(finding)
        incident = incidents.get(ref) if ref is not None else None
        if incident is None or finding.individual_id not in heads:
            continue
        school = schools.get(finding.individual_id)
        due = _deadline(incident)
        rows.append(
            ToSend(
                individual_id=finding.individual_id,
                name=heads[finding.individual_id].name,
                incident=incident,
                due_by=due,
                overdue=due is not None and due < now,
                partner=school.name if school is not None else "",
                told_at=told.get((incident.pk, finding.individual_id)),
            )
        )
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(rows, key=lambda r: (r.told_at is not None, r.due_by or far))


def _sent(notes: list[Event], user: Any, today: dt.date) -> list[Sent]:
    """Rows for `notes` (participations prefetched or not), children the viewer may not open left out."""
    subject = {n.pk: p.person_id for n in notes for p in n.participations.all() if p.role == "subject"}
    members = individual_of_people(subject.values())
    may = access.may_open(user)(set(members.values()))
    heads = people.headlines_for(may, today)
    partners = {
        (o.source, o.source_id): o.name
        for o in Organisation.live.filter(source_id__in={(n.details or {}).get("to", {}).get("id") for n in notes})
    }
    rows = []
    for note in notes:
        individual = members.get(subject.get(note.pk, -1))
        if individual not in may:
            continue
        d = note.details or {}
        to = d.get("to") or {}
        rows.append(
            Sent(
                notification=note,
                individual_id=individual,
                name=heads[individual].name if individual in heads else "",
                partner=partners.get((str(to.get("source")), str(to.get("id"))), ""),
                sent_at=str(d.get("sent_at") or ""),
                sent_by=str((d.get("sent_by") or {}).get("name", "")),
                information=str(d.get("information") or ""),
                acknowledged_at=str(d.get("acknowledged_at") or ""),
                acknowledged_by=str((d.get("acknowledged_by") or {}).get("name", "")),
            )
        )
    return rows


def sent_rows(notes: list[Event], user: Any, now: dt.datetime) -> list[Sent]:
    """Rows for notifications just written (the API answers one as it is now)."""
    return _sent(notes, user, now.date())


def _notifications(scheme: Scheme | None) -> Any:
    """Notifications sent in safetynet under `scheme` (None: every scheme)."""
    keys = [scheme.key] if scheme is not None else [ENCOMPASS.key, GP.key]
    return (
        Event.live.filter(event_type="notification", source="safetynet", details__scheme__in=keys)
        .prefetch_related("participations")
        .order_by("-occurred_at", "-pk")
    )


def sent(user: Any, now: dt.datetime, scheme: Scheme = ENCOMPASS) -> list[Sent]:
    """Notifications under `scheme` sent in safetynet in the last 30 days, the unacknowledged first."""
    notes = list(_notifications(scheme).filter(occurred_at__gte=now - dt.timedelta(days=SENT_DAYS))[:LIST_SIZE])
    rows = _sent(notes, user, now.date())
    return sorted(rows, key=lambda r: bool(r.acknowledged_at))


def for_partner(user: Any, now: dt.datetime) -> tuple[str, list[Sent]]:
    """The name of the organisation the user's team stands for (a school, a GP practice) and the
    notifications sent to it under any scheme, the unacknowledged first."""
    partner = organisation_of_user(user)
    if partner is None:
        return "", []
    notes = list(
        _notifications(None).filter(details__to__source=partner.source, details__to__id=partner.source_id)[:LIST_SIZE]
    )
    rows = _sent(notes, user, now.date())
    return partner.name, sorted(rows, key=lambda r: bool(r.acknowledged_at))


def gp_to_send(user: Any, now: dt.datetime) -> list[ToSend]:
    """Children (under 18) in a domestic abuse incident of the last 30 days, the viewer may open,
    whose GP practice has not been told, the newest incident first. No deadline and no finding:
    the standards set none for health (docs/mash.md), so this is a list, never an escalation."""
    incidents = list(
        access.visible_events(
            user,
            Event.live.filter(
                event_type="incident",
                details__domestic_abuse=True,
                occurred_at__gte=now - dt.timedelta(days=GP_DAYS),
                occurred_at__lte=now,
            ),
        )
        .prefetch_related("participations")
        .order_by("-occurred_at", "-pk")[:LIST_SIZE]
    )
    individual_of = individual_of_people({p.person_id for i in incidents for p in i.participations.all()})
    may = access.visible_individual_ids(user, set(individual_of.values()))
    heads = people.headlines_for(may, now.date())
    children = {i for i, h in heads.items() if h.age is not None and h.age < CHILD_AGE}
    practices, told = partners_of(children, GP), notifications_about(incidents, GP)
    rows: list[ToSend] = []
    for incident in incidents:
        seen: set[int] = set()
        for part in incident.participations.all():
            child = individual_of.get(part.person_id)
            if child not in children or child in seen or (incident.pk, child) in told:
                continue
            seen.add(child)
            practice = practices.get(child)
            rows.append(
                ToSend(child, heads[child].name, incident, None, False, practice.name if practice is not None else "")
            )
    return rows[:LIST_SIZE]


def log_list(user: Any, rows: list[ToSend] | list[Sent], what: str) -> None:
    """The access-log entry for a list: the incidents (to send) or notifications (sent) shown."""
    ids = [r.incident.pk if isinstance(r, ToSend) else r.notification.pk for r in rows]
    access.log_view(
        user,
        object_type="event",
        object_ids=ids,
        individual_ids=[r.individual_id for r in rows if r.individual_id],
        fields=[f"encompass_{what}"],
    )
