"""Notifications to partners after a domestic abuse incident with a child in it: Operation
Encompass (the police tell the child's school before the next school day, D1) and GP
notifications (the police tell the GP practice the child is registered with; no statutory
deadline, so shown, never escalated: docs/mash.md). Each is a `Scheme`; sending, the refusals,
the lookup of what was already sent and the partner's acknowledgement are one code path.

Capture is a source: a notification is an interchange `event` of type `notification`
(`scheme: operation_encompass`, `to`: the school, `sent_at`, the information shared, who sent it)
linked to the incident and naming the child, written through the capture service. D1 reads it
(a notification linked to the incident, sent before the next school day's start, closes D1); the
school's acknowledgement is its next version (`acknowledged_at`, `acknowledged_by`). D1 is the
police's duty to send on time: an unsent notification escalates (D1's task); an unacknowledged
one is shown to the police and the school, never escalated.

Only notifications sent in safetynet are acknowledged in it: one a source system sent is that
system's record, acknowledged there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from safetynet.access.profiles import has_permission, profile_of
from safetynet.identity.memberships import individual_of_people, records_of
from safetynet.identity.models import Membership
from safetynet.interchange.written import CaptureRejected, next_version, write, written_event
from safetynet.lib.clock import Clock, system_clock
from safetynet.meetings.services import actor, person_ref
from safetynet.records.models import Event, Organisation

INFORMATION_MIN = 10
TEXT_MAX = 4000


@dataclass(frozen=True)
class Scheme:
    """One kind of notification: its `details.scheme`, who is told (`partner`, the Person field
    naming that organisation), the summary written, and who acknowledges it."""

    key: str
    partner: str  # "school", "GP practice"
    person_field: str  # Person foreign key to the partner organisation
    summary: str
    none_on_record: str  # what to do when the child has no partner on record
    acknowledger: str  # who acknowledges, in words


ENCOMPASS = Scheme(
    "operation_encompass",
    "school",
    "school",
    "Operation Encompass notification to the school",
    "tell the school by phone",
    "the school",
)
GP = Scheme(
    "gp_notification",
    "GP practice",
    "gp_practice",
    "Domestic abuse notification to the GP practice",
    "tell the health visiting or school nursing team by phone",
    "the GP practice",
)
SCHEMES = {s.key: s for s in (ENCOMPASS, GP)}
SCHEME = ENCOMPASS.key


class NotificationRefused(Exception):
    """Bad input for a notification: `field` names the input, `expected` what was expected."""

    def __init__(self, field: str, expected: str) -> None:
        super().__init__(f"{field}: {expected}")
        self.field = field
        self.expected = expected


class NotYourNotification(Exception):
    """`acting_user` may not make this change (the message says why)."""


def partners_of(individual_ids: Iterable[int], scheme: Scheme = ENCOMPASS) -> dict[int, Organisation]:
    """Each child's partner organisation under `scheme` (school, GP practice) as their most
    recently recorded source record naming one gives it (children with none left out), in one query."""
    name = scheme.person_field
    rows = (
        Membership.objects.filter(
            individual_id__in=list(individual_ids),
            **{f"person__{name}__isnull": False},
            person__recorded_at__isnull=False,  # Person.live: neither stubs nor withdrawn
            person__deleted=False,
        )
        .select_related(f"person__{name}")
        .order_by("-person__recorded_at", "-person_id")
    )
    found: dict[int, Organisation] = {}
    for row in rows:
        organisation = getattr(row.person, name)
        if organisation is not None:
            found.setdefault(row.individual_id, organisation)
    return found


def schools_of(individual_ids: Iterable[int]) -> dict[int, Organisation]:
    """Each child's school (`partners_of` for Operation Encompass)."""
    return partners_of(individual_ids, ENCOMPASS)


def school_of(individual_id: int) -> Organisation | None:
    """The child's school as their most recently recorded source record gives it."""
    return schools_of([individual_id]).get(individual_id)


def _ref(record: Event | Organisation) -> dict[str, str]:
    return {"source": record.source, "id": record.source_id}


def notifications_about(incidents: list[Event], scheme: Scheme = ENCOMPASS) -> dict[tuple[int, int], Event]:
    """(incident pk, individual) -> the notification under `scheme` sent about that incident
    for that child, in three queries (a notification naming nobody counts for every child in it)."""
    notes = (
        Event.live.filter(event_type="notification", linked_events__in=incidents, details__scheme=scheme.key)
        .prefetch_related("participations", "linked_events")
        .order_by("occurred_at", "pk")
        .distinct()
    )
    people_of = {i.pk: [p.person_id for p in i.participations.all()] for i in incidents}
    individual_of = individual_of_people({p for ps in people_of.values() for p in ps})
    found: dict[tuple[int, int], Event] = {}
    for note in notes:
        named = {individual_of.get(p.person_id) for p in note.participations.all()}
        for incident in note.linked_events.all():
            for person in people_of.get(incident.pk, []):
                individual = individual_of.get(person)
                if individual is not None and (not named or individual in named):
                    found.setdefault((incident.pk, individual), note)
    return found


def sent_for(incident: Event, individual_id: int, scheme: Scheme = ENCOMPASS) -> Event | None:
    """The notification under `scheme` already sent about `incident` for this child."""
    return notifications_about([incident], scheme).get((incident.pk, individual_id))


def _incident(incident_id: int, individual_id: int) -> Event:
    incident = Event.live.filter(pk=incident_id, event_type="incident").first()
    if incident is None:
        raise NotificationRefused("incident", f"expected the id of an incident, not {incident_id}")
    if not (incident.details or {}).get("domestic_abuse"):
        raise NotificationRefused("incident", "expected a domestic abuse incident: these notifications are for those")
    if not incident.participations.filter(person_id__in=records_of(individual_id)).exists():
        raise NotificationRefused("child", "expected a child who was in the incident")
    return incident


def _information(value: Any, scheme: Scheme) -> str:
    text = str(value or "").strip()
    if len(text) < INFORMATION_MIN:
        raise NotificationRefused(
            "information",
            f"expected at least {INFORMATION_MIN} characters: what the {scheme.partner} needs to know to support "
            "the child",
        )
    if len(text) > TEXT_MAX or "\x00" in text:
        raise NotificationRefused("information", f"expected text of {TEXT_MAX:,} characters or fewer")
    return text


def send(
    incident_id: int,
    individual_id: int,
    information: str,
    *,
    acting_user: Any,
    clock: Clock = system_clock,
    scheme: Scheme = ENCOMPASS,
) -> Event:
    """Tells the child's partner under `scheme` (school, GP practice) about the incident now; the
    notification as stored."""
    if acting_user is not None and not has_permission(acting_user, "notify_partners"):
        raise NotYourNotification(f"expected a role with the notify_partners permission to tell a {scheme.partner}")
    incident = _incident(incident_id, individual_id)
    partner = partners_of([individual_id], scheme).get(individual_id)
    if partner is None:
        raise NotificationRefused(
            "child", f"expected a child with a {scheme.partner} on record ({scheme.none_on_record})"
        )
    earlier = sent_for(incident, individual_id, scheme)
    if earlier is not None:
        sent_at = (earlier.details or {}).get("sent_at", "")
        raise NotificationRefused(
            "incident", f"expected an incident the {scheme.partner} has not been told of: sent {sent_at}"
        )
    now = clock.now()
    record: dict[str, Any] = {
        "kind": "event",
        "event_type": "notification",
        "occurred_at": now.isoformat(),
        "summary": scheme.summary,
        "details": {
            "scheme": scheme.key,
            "to": _ref(partner),
            "sent_at": now.isoformat(),
            "information": _information(information, scheme),
            "sent_by": actor(acting_user) if acting_user is not None else {"name": "safetynet"},
        },
        "participants": [{"person": person_ref(individual_id), "role": "subject"}],
        "linked_events": [_ref(incident)],
    }
    try:
        return write([record], acting_user=acting_user, clock=clock, label=scheme.summary.lower())
    except CaptureRejected as rejected:
        raise NotificationRefused(rejected.field or "notification", rejected.reason) from rejected


def organisation_of_user(user: Any) -> Organisation | None:
    """The organisation a user's team stands for (a school's designated safeguarding lead, a GP
    practice's safeguarding lead)."""
    profile = profile_of(user)
    team = profile.team if profile is not None else None
    return team.organisation if team is not None and team.organisation_id else None


school_of_user = organisation_of_user


def acknowledge(notification_id: int, *, acting_user: Any, clock: Clock = system_clock) -> Event:
    """The school or GP practice acknowledges a notification sent to it in safetynet; the new version."""
    if not has_permission(acting_user, "acknowledge_notifications"):
        raise NotYourNotification("expected a role with the acknowledge_notifications permission")
    note = written_event(notification_id, "notification")
    scheme = SCHEMES.get(str((note.details or {}).get("scheme"))) if note is not None else None
    if note is None or scheme is None:
        raise NotificationRefused(
            "notification",
            f"expected the id of a notification to a school or GP practice sent in safetynet, not {notification_id}",
        )
    partner = organisation_of_user(acting_user)
    if partner is None or (note.details or {}).get("to") != _ref(partner):
        raise NotYourNotification(f"expected a member of the {scheme.partner} the notification was sent to")
    if (note.details or {}).get("acknowledged_at"):
        raise NotificationRefused(
            "notification",
            f"expected a notification not yet acknowledged: acknowledged {note.details['acknowledged_at']}",
        )
    record = next_version(note, clock)
    record["details"]["acknowledged_at"] = clock.now().isoformat()
    record["details"]["acknowledged_by"] = actor(acting_user)
    try:
        return write(
            [record],
            acting_user=acting_user,
            clock=clock,
            reason=f"acknowledged by {scheme.acknowledger}",
            label=scheme.summary.lower(),
        )
    except CaptureRejected as rejected:
        raise NotificationRefused(rejected.field or "notification", rejected.reason) from rejected
