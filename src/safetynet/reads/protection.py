"""The protection workspace as each viewer reads it (docs/protection.md): children in police
protection now (the 72-hour limit counting down, the wait for accommodation, the flags an
inspector acts on) and in custody now; the requests to accommodate a child that children's
social care answers; one police protection or custody record with its clocks, the open P1, C1
and C2 findings and their tasks, and the partnership escalations raised about it.

A record opens for a viewer the access rules let see it (`reads.access.event_for_user`), or for
children's social care (`answer_accommodation`) once the police asked it to accommodate the
child: the request itself shares the child with the local authority, as a strategy discussion
would."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from safetynet.access.profiles import has_permission
from safetynet.identity.models import Membership
from safetynet.protection import custody, police
from safetynet.protection.common import SOURCE
from safetynet.reads import access
from safetynet.reads.person import display_name
from safetynet.records.models import Event, Participation
from safetynet.risk.models import Finding
from safetynet.risk.policy import current_policy
from safetynet.risk.rules.base import ts
from safetynet.work.models import PartnershipEscalation

CHILD_ROLES = ("subject", "detainee")
ASKED = {police.EVENT_TYPE: "accommodation_requested_at", custody.EVENT_TYPE: "la_accommodation_requested_at"}
ENDED = {police.EVENT_TYPE: "ended_at", custody.EVENT_TYPE: "released_at"}
CLAUSES = {police.EVENT_TYPE: ("P1",), custody.EVENT_TYPE: ("C1", "C2", "C3")}


def hours_words(span: dt.timedelta) -> str:
    """A span as "3 h 20 min" (whole minutes, never negative)."""
    minutes = max(int(span.total_seconds() // 60), 0)
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if hours else f"{rest} min"


def _records(event_type: str) -> QuerySet[Event]:
    return Event.live.filter(event_type=event_type, source=SOURCE)


def _children(events: list[Event]) -> dict[int, tuple[int, str]]:
    """Each event's child: (individual id, name as the record names them), by event id."""
    parts = list(
        Participation.objects.filter(event_id__in=[e.pk for e in events], role__in=CHILD_ROLES)
        .select_related("person")
        .order_by("pk")
    )
    members = dict(
        Membership.objects.filter(person_id__in={p.person_id for p in parts}).values_list("person_id", "individual_id")
    )
    out: dict[int, tuple[int, str]] = {}
    for part in parts:
        member = members.get(part.person_id)
        if member is not None:
            out.setdefault(part.event_id, (int(member), display_name(part.person)))
    return out


def record_for_user(user: Any, pk: int, event_type: str) -> Event:
    """The police protection or custody record `pk` written in safetynet, for a viewer who may see
    it, or for children's social care once the police asked them to accommodate the child;
    Http404 otherwise (written to the access log as a refusal)."""
    event = _records(event_type).filter(pk=pk).first()
    if event is None:
        raise access.refused(user, object_type="event", object_id=pk)
    if has_permission(user, "answer_accommodation") and (event.details or {}).get(ASKED[event_type]):
        if not _shared_by_request(user, [event]):
            raise access.refused(user, object_type="event", object_id=pk)
        return access.redact_event(user, event)
    return access.event_for_user(user, pk)


def _shared_by_request(user: Any, events: list[Event]) -> set[int]:
    """The ids among `events` (requests to social care) that `user` may open: of a type and
    grading their role may see, about no child restricted from them (a restriction still
    holds, whatever the request shares)."""
    shown = access.visible_event_ids(user, [e.pk for e in events])
    hidden = set(access.restricted_individual_ids(user))
    involved = Participation.objects.filter(event_id__in=shown).values_list(
        "event_id", "person__membership__individual_id"
    )
    return shown - {pk for pk, individual in involved if individual in hidden}


@dataclass
class PoliceRow:
    event: Event
    individual_id: int
    name: str
    started: dt.datetime | None
    limit_ends: dt.datetime | None
    left: str
    past_limit: bool
    place: str
    police_station: bool
    designated: str
    waiting: str
    flags: list[str] = field(default_factory=list)


@dataclass
class CustodyRow:
    event: Event
    individual_id: int
    name: str
    arrived: dt.datetime | None
    held: str
    charged: bool
    bail_refused: bool
    transfer: str
    next_review: dt.datetime | None
    flags: list[str] = field(default_factory=list)


@dataclass
class ProtectionNow:
    police: list[PoliceRow]
    custody: list[CustodyRow]

    @property
    def individual_ids(self) -> list[int]:
        return sorted({r.individual_id for r in self.police} | {r.individual_id for r in self.custody})


def _wait(details: dict[str, Any], now: dt.datetime) -> tuple[str, dt.timedelta | None]:
    asked = ts(details.get("accommodation_requested_at"))
    if asked is None:
        return "Not requested", None
    provided = ts(details.get("accommodation_provided_at"))
    if provided is not None:
        return f"Provided after {hours_words(provided - asked)}", provided - asked
    return f"Waiting {hours_words(now - asked)}", now - asked


def wait_flags(waited: dt.timedelta | None, still_waiting: bool) -> list[str]:
    """The policy's thresholds (P1) a wait for accommodation has passed, in words."""
    if waited is None:
        return []
    spec = current_policy().clause("P1")
    verb = "Waiting" if still_waiting else "Waited"
    if waited > spec.hours("accommodation_superintendent"):
        return [f"{verb} over 12 hours for accommodation: superintendent and partnership escalation"]
    if waited > spec.hours("accommodation_inspector"):
        return [f"{verb} over 4 hours for accommodation: inspector"]
    return []


def _police_row(event: Event, child: tuple[int, str], now: dt.datetime) -> PoliceRow:
    d = event.details or {}
    started = ts(d.get("started_at")) or event.occurred_at
    limit = police.limit_ends(event)
    waiting, waited = _wait(d, now)
    officer = d.get("designated_officer")
    flags = []
    if d.get("place_is_police_station"):
        flags.append("Police station as place of safety")
    if not officer:
        flags.append("No designated officer")
    if not d.get("csc_notified_at"):
        flags.append("Children's social care not told")
    flags += wait_flags(waited, not d.get("accommodation_provided_at"))
    return PoliceRow(
        event=event,
        individual_id=child[0],
        name=child[1],
        started=started,
        limit_ends=limit,
        left=hours_words(limit - now) if limit and limit > now else "Limit passed",
        past_limit=bool(limit and limit <= now),
        place=str(d.get("place_of_safety") or ""),
        police_station=bool(d.get("place_is_police_station")),
        designated=str(officer.get("name") or "") if isinstance(officer, dict) else "",
        waiting=waiting,
        flags=flags,
    )


def next_review(details: dict[str, Any], arrived: dt.datetime | None) -> dt.datetime | None:
    """When the next PACE review is due: 6 hours after detention was authorised (s40(3)), then
    at most 9 hours after the last (policy C1); None once released."""
    if details.get("released_at"):
        return None
    spec = current_policy().clause("C1")
    start = ts(details.get("authorised_at")) or arrived
    if start is None:
        return None
    times = sorted(t for r in details.get("reviews") or [] if isinstance(r, dict) and (t := ts(r.get("at"))))
    return times[-1] + spec.hours("next_review") if times else start + spec.hours("first_review")


def transfer_words(details: dict[str, Any]) -> str:
    """The s38(6) request's state in words."""
    if not details.get("la_accommodation_requested_at"):
        return "Not requested"
    outcome = details.get("la_accommodation_outcome")
    if outcome:
        return custody.OUTCOMES.get(str(outcome), str(outcome))
    return "Waiting for children's social care"


def _custody_row(event: Event, child: tuple[int, str], now: dt.datetime) -> CustodyRow:
    d = event.details or {}
    arrived = ts(d.get("arrived_at")) or event.occurred_at
    due = next_review(d, arrived)
    flags = []
    if due is not None and due < now:
        flags.append(f"Review overdue by {hours_words(now - due)}")
    if not d.get("appropriate_adult_arrived_at"):
        flags.append("No appropriate adult yet")
    if d.get("bail_refused") and not d.get("la_accommodation_requested_at"):
        flags.append("Refused bail: no s38(6) request")
    if d.get("la_accommodation_outcome") == "not_provided" and not d.get("certificate_reason"):
        flags.append("Transfer refused: no certificate")
    return CustodyRow(
        event=event,
        individual_id=child[0],
        name=child[1],
        arrived=arrived,
        held=hours_words(now - arrived) if arrived else "",
        charged=bool(d.get("charged_at")),
        bail_refused=bool(d.get("bail_refused")),
        transfer=transfer_words(d),
        next_review=due,
        flags=flags,
    )


def _open_now(user: Any, event_type: str, asked_only: bool = False) -> list[tuple[Event, tuple[int, str]]]:
    events = _records(event_type).filter(**{f"details__{ENDED[event_type]}__isnull": True})
    current = [e for e in events.order_by("occurred_at", "pk") if not (e.details or {}).get(ENDED[event_type])]
    if asked_only:
        current = [e for e in current if (e.details or {}).get(ASKED[event_type])]
        shared = _shared_by_request(user, current)
        current = [e for e in current if e.pk in shared]
    else:
        shown = access.visible_event_ids(user, [e.pk for e in current])
        current = [e for e in current if e.pk in shown]
    children = _children(current)
    if not asked_only:
        seen = set(access.visible_individual_ids(user, {c[0] for c in children.values()}))
        children = {pk: c for pk, c in children.items() if c[0] in seen}
    return [(e, children[e.pk]) for e in current if e.pk in children]


def protection_now(user: Any, now: dt.datetime) -> ProtectionNow:
    """Children in police protection now (the nearest 72-hour limit first) and in custody now
    (the longest held first), as far as the viewer may see them."""
    rows = [_police_row(e, c, now) for e, c in _open_now(user, police.EVENT_TYPE)]
    rows.sort(key=lambda r: (r.limit_ends is None, r.limit_ends or now))
    return ProtectionNow(rows, [_custody_row(e, c, now) for e, c in _open_now(user, custody.EVENT_TYPE)])


def requests_for_social_care(user: Any, now: dt.datetime) -> ProtectionNow:
    """The requests children's social care has to answer: a child in police protection waiting
    for accommodation, a child in custody whose s38(6) transfer is not answered; longest first."""
    if not has_permission(user, "answer_accommodation"):
        return ProtectionNow([], [])
    waiting = [
        _police_row(e, c, now)
        for e, c in _open_now(user, police.EVENT_TYPE, asked_only=True)
        if not (e.details or {}).get("accommodation_provided_at")
    ]
    transfers = [
        _custody_row(e, c, now)
        for e, c in _open_now(user, custody.EVENT_TYPE, asked_only=True)
        if not (e.details or {}).get("la_accommodation_outcome")
    ]
    return ProtectionNow(waiting, transfers)


@dataclass
class RecordDetail:
    event: Event
    individual_id: int | None
    child: str
    row: PoliceRow | CustodyRow | None
    findings: list[Finding]
    escalations: list[PartnershipEscalation]
    meetings: list[Event]


def record_detail(event: Event, now: dt.datetime) -> RecordDetail:
    """One police protection or custody record: its row (clocks and flags), the open P1/C1/C2
    findings about it with their tasks, its partnership escalations and strategy discussions."""
    child = _children([event]).get(event.pk)
    row: PoliceRow | CustodyRow | None = None
    if child is not None:
        row = (_police_row if event.event_type == police.EVENT_TYPE else _custody_row)(event, child, now)
    about = {"source": event.source, "id": event.source_id}
    findings = Finding.objects.filter(
        clause__in=CLAUSES[event.event_type], key=about, state__in=("open", "acknowledged")
    ).select_related("task")
    escalated = PartnershipEscalation.objects.filter(refusal_id=event.pk).select_related("owner_agency")
    meetings = Event.live.filter(event_type="meeting", source=SOURCE, details__trigger__id=event.source_id)
    return RecordDetail(
        event=event,
        individual_id=child[0] if child else None,
        child=child[1] if child else "",
        row=row,
        findings=list(findings.order_by("clause", "pk")),
        escalations=list(escalated.order_by("raised_at", "pk")),
        meetings=list(meetings.order_by("occurred_at")),
    )


def log_record(user: Any, detail: RecordDetail) -> None:
    ids = [detail.individual_id] if detail.individual_id else []
    access.log_view(
        user, object_type="event", object_ids=[detail.event.pk], individual_ids=ids, fields=[detail.event.event_type]
    )


POLICE_RANKS = ("response_officer", "sergeant", "inspector", "superintendent", "public_protection_officer")


def officer_choices() -> list[tuple[int, str]]:
    """Active police officers who may be named designated officer, as (user id, "Name (Rank)");
    the service refuses anyone but an inspector who did not initiate the police protection."""
    users = get_user_model().objects.filter(is_active=True, profile__role__in=POLICE_RANKS)
    out = []
    for user in users.select_related("profile").order_by("profile__role", "last_name", "username"):
        rank = user.profile.get_role_display()
        out.append((int(user.pk), f"{user.get_full_name() or user.username} ({rank})"))
    return out
