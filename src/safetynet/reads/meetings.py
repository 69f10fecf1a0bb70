"""Meetings as each viewer reads them: the list (upcoming first) and one meeting with its agenda,
attendance, information shared, decisions and actions (docs/meetings.md).

People on an agenda and the person an action is for are named under the same rule as the people
a finding names (`reads.naming`): a viewer who may not open a person reads their part in the
meeting and "Not shown". Information an agency shared as police-only (`police_only`) is withheld
from roles that may not read intelligence text, and the page says so. A meeting's list rows hold
no personal data (type, date, chair, counts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db.models import Q, QuerySet

from safetynet.access.models import Team, UserProfile
from safetynet.access.profiles import has_permission
from safetynet.exports.services import export_csv, export_pdf
from safetynet.identity.memberships import records_of
from safetynet.meetings.agendas import strategy_due
from safetynet.meetings.services import MEETING_TYPES, SOURCE, may_complete
from safetynet.reads import access
from safetynet.reads.naming import NamedLine, named_for
from safetynet.records.models import Event, Person, Relationship
from safetynet.risk.models import Finding
from safetynet.risk.rules.base import working_days_after
from safetynet.work.models import Task

SHOW_MEETINGS = [("upcoming", "Upcoming"), ("held", "Held"), ("cancelled", "Cancelled"), ("all", "All")]
PAGE_SIZE = 50
OUTCOME_WORKING_DAYS = 2


def type_label(details: dict[str, Any]) -> str:
    return MEETING_TYPES.get(str(details.get("meeting_type")), "Meeting")


def status_of(details: dict[str, Any]) -> str:
    return str(details.get("status") or "held")


def _meetings() -> QuerySet[Event]:
    return Event.live.filter(event_type="meeting", source=SOURCE)


@dataclass
class MeetingRow:
    meeting: Event
    type_label: str
    status: str
    chair: str
    items: int
    open_actions: int
    overdue_actions: int
    outcome_late: bool


@dataclass
class MeetingList:
    rows: list[MeetingRow]
    counts: dict[str, int]
    total: int


def _filter(show: str) -> Q:
    if show == "upcoming":
        return Q(details__status="scheduled")
    if show in ("held", "cancelled"):
        return Q(details__status=show)
    return Q()


def _actions(details: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in details.get("actions") or [] if isinstance(a, dict)]


def _overdue(action: dict[str, Any], today: dt.date) -> bool:
    due = str(action.get("due") or "")[:10]
    return bool(due) and not action.get("done_at") and due < today.isoformat()


def meeting_list(user: Any, now: dt.datetime, show: str = "upcoming", meeting_type: str = "") -> MeetingList:
    """Meetings by status (upcoming soonest first, the rest latest first), at most PAGE_SIZE."""
    base = _meetings()
    if meeting_type in MEETING_TYPES:
        base = base.filter(details__meeting_type=meeting_type)
    counts = {value: base.filter(_filter(value)).count() for value, _ in SHOW_MEETINGS}
    chosen = base.filter(_filter(show))
    chosen = chosen.order_by("occurred_at", "pk") if show == "upcoming" else chosen.order_by("-occurred_at", "-pk")
    rows = []
    for m in chosen[:PAGE_SIZE]:
        d = m.details or {}
        actions = _actions(d)
        held = status_of(d) == "held" and m.occurred_at is not None
        rows.append(
            MeetingRow(
                meeting=m,
                type_label=type_label(d),
                status=status_of(d),
                chair=str((d.get("chair") or {}).get("name") or "") if isinstance(d.get("chair"), dict) else "",
                items=sum(1 for i in d.get("agenda") or [] if isinstance(i, dict) and not i.get("removed_reason")),
                open_actions=sum(1 for a in actions if not a.get("done_at")),
                overdue_actions=sum(1 for a in actions if _overdue(a, now.date())),
                outcome_late=held
                and not d.get("outcome_recorded")
                and now > working_days_after(m.occurred_at, OUTCOME_WORKING_DAYS),  # type: ignore[arg-type]
            )
        )
    return MeetingList(rows=rows, counts=counts, total=counts.get(show, 0))


def meeting_for_user(user: Any, pk: int) -> Event:
    """The meeting, for a viewer who may attend meetings (404, logged as denied, otherwise)."""
    found = _meetings().filter(pk=pk).first()
    if found is None or not has_permission(user, "attend_meetings"):
        raise access.refused(user, object_type="meeting", object_id=pk)
    return found


@dataclass
class AgendaRow:
    index: int
    person: NamedLine
    reason: str
    clause: str
    role: str
    repeat: bool
    removed_reason: str


@dataclass
class ActionRow:
    id: str
    text: str
    owner: str
    about: NamedLine | None
    due: str
    done_at: str
    outcome: str
    overdue: bool
    task_id: int | None
    may_complete: bool

    @property
    def due_text(self) -> str:
        """The due date as people read it: "2 March 2026"."""
        try:
            day = dt.date.fromisoformat(self.due)
        except ValueError:
            return self.due
        return f"{day.day} {day:%B %Y}"


@dataclass
class SharedRow:
    by: str
    text: str
    withheld: bool


@dataclass
class MeetingDetail:
    meeting: Event
    type_label: str
    status: str
    chair: str
    agenda: list[AgendaRow]
    attendees: list[dict[str, str]]
    apologies: list[dict[str, str]]
    shared: list[SharedRow]
    decisions: list[str]
    outcome: str
    actions: list[ActionRow]
    strategy_due: dt.datetime | None
    cancelled_reason: str
    individual_ids: list[int] = field(default_factory=list)

    @property
    def agencies_present(self) -> list[str]:
        return sorted({str(a.get("organisation") or "") for a in self.attendees if a.get("organisation")})

    @property
    def listed(self) -> list[AgendaRow]:
        return [r for r in self.agenda if not r.removed_reason]

    @property
    def removed(self) -> list[AgendaRow]:
        return [r for r in self.agenda if r.removed_reason]


def _owner_label(owner: Any) -> str:
    if isinstance(owner, dict):
        name = str(owner.get("name") or owner.get("team") or "")
        org = str(owner.get("organisation") or "")
        return f"{name} ({org})" if org and name else name or org
    return str(owner or "No owner")


def _tasks_of(meeting: Event) -> dict[str, int]:
    """action id -> its task (X7), one per action."""
    found = Finding.objects.filter(clause="X7", key={"source": meeting.source, "id": meeting.source_id}).values_list(
        "detail", "task__pk"
    )
    out: dict[str, int] = {}
    for detail, task in found:
        action = ((detail or {}).get("meeting_action") or {}).get("action")
        if action is not None and task is not None:
            out[str(action)] = task
    return out


def _named(user: Any, details: dict[str, Any]) -> tuple[list[NamedLine], list[NamedLine | None]]:
    """The agenda's people and each action's person, as `user` may read them."""
    agenda = [i for i in details.get("agenda") or [] if isinstance(i, dict)]
    entries = [{"kind": "person", "as": str(i.get("role") or "person"), "ref": i.get("person")} for i in agenda]
    abouts = [a.get("about") for a in _actions(details)]
    entries += [{"kind": "person", "as": "for", "ref": r} for r in abouts if isinstance(r, dict)]
    shim = SimpleNamespace(pk=0, detail={"named": [e for e in entries if isinstance(e["ref"], dict)]})
    lines = named_for(user, [shim]).get(0, [])
    by_ref = {line.ref: line for line in lines}

    def line_of(ref: Any) -> NamedLine | None:
        if not isinstance(ref, dict):
            return None
        return by_ref.get((str(ref.get("source", "")), str(ref.get("id", ""))))

    people = [line_of(i.get("person")) for i in agenda]
    return [p for p in people if p is not None], [line_of(r) for r in abouts]


def meeting_detail(user: Any, meeting: Event, now: dt.datetime) -> MeetingDetail:
    """One meeting as `user` reads it (see the module docstring)."""
    d = meeting.details or {}
    agenda_items = [i for i in d.get("agenda") or [] if isinstance(i, dict)]
    people, abouts = _named(user, d)
    agenda = [
        AgendaRow(
            index=n,
            person=people[n],
            reason=str(item.get("reason") or ""),
            clause=str(item.get("clause") or ""),
            role=str(item.get("role") or ""),
            repeat=bool(item.get("repeat")),
            removed_reason=str(item.get("removed_reason") or ""),
        )
        for n, item in enumerate(agenda_items)
        if n < len(people)
    ]
    tasks = _tasks_of(meeting)
    visible_tasks = set(Task.objects.filter(pk__in=tasks.values()).values_list("pk", flat=True))
    actions = [
        ActionRow(
            id=str(a.get("id") or n),
            text=str(a.get("text") or ""),
            owner=_owner_label(a.get("owner")),
            about=abouts[n],
            due=str(a.get("due") or "")[:10],
            done_at=str(a.get("done_at") or ""),
            outcome=str(a.get("outcome") or ""),
            overdue=_overdue(a, now.date()),
            task_id=tasks.get(str(a.get("id"))) if tasks.get(str(a.get("id"))) in visible_tasks else None,
            may_complete=not a.get("done_at") and bool(a.get("id")) and may_complete(user, a),
        )
        for n, a in enumerate(_actions(d))
    ]
    intel = has_permission(user, "view_intelligence_text")
    shared = [
        SharedRow(
            by=_owner_label(i.get("by")),
            text="" if i.get("police_only") and not intel else str(i.get("text") or ""),
            withheld=bool(i.get("police_only")) and not intel,
        )
        for i in d.get("information_shared") or []
        if isinstance(i, dict)
    ]
    trigger_ref = d.get("trigger") if isinstance(d.get("trigger"), dict) else None
    trigger = (
        Event.live.filter(source=trigger_ref.get("source"), source_id=trigger_ref.get("id")).first()
        if trigger_ref
        else None
    )
    shown = {line.individual_id for line in people if line.shown and line.individual_id}
    shown |= {line.individual_id for line in abouts if line is not None and line.shown and line.individual_id}
    decisions = d.get("decisions") or []
    return MeetingDetail(
        meeting=meeting,
        type_label=type_label(d),
        status=status_of(d),
        chair=_owner_label(d.get("chair")),
        agenda=agenda,
        attendees=[a for a in d.get("attendees") or [] if isinstance(a, dict)],
        apologies=[a for a in d.get("apologies") or [] if isinstance(a, dict)],
        shared=shared,
        decisions=[decisions] if isinstance(decisions, str) else [str(x) for x in decisions],
        outcome=str(d.get("outcome") or ""),
        actions=actions,
        strategy_due=strategy_due(trigger) if d.get("meeting_type") == "strategy_discussion" else None,
        cancelled_reason=str(d.get("cancelled_reason") or ""),
        individual_ids=sorted(i for i in shown if i is not None),
    )


def log_meeting(user: Any, detail: MeetingDetail, fields: list[str]) -> None:
    """The access-log entry for a meeting read: the meeting and every person it named."""
    access.log_view(
        user,
        object_type="meeting",
        object_ids=[detail.meeting.pk],
        individual_ids=detail.individual_ids,
        fields=fields,
    )


def owner_choices() -> list[tuple[str, str]]:
    """Who an action may be given to: people whose role acts on tasks (police, social care,
    health) and the teams of those agencies, as ("user:ID" | "team:CODE", label)."""
    agencies = ("police", "csc", "health")
    teams = [
        (f"team:{t.code}", f"Team: {t.name} ({t.agency.name})")
        for t in Team.objects.filter(agency__code__in=agencies)
        .select_related("agency")
        .order_by("agency__code", "name")
    ]
    people = []
    profiles = UserProfile.objects.filter(agency__code__in=agencies, user__is_active=True).select_related(
        "user", "agency"
    )
    for p in profiles.order_by("agency__code", "user__last_name", "user__username"):
        if has_permission(p.user, "resolve_task"):
            name = (p.user.get_full_name() or p.user.get_username()).strip()
            people.append((f"user:{p.user.pk}", f"{name} ({p.get_role_display()}, {p.agency.name})"))
    return teams + people


def partners_of(user: Any, individual_id: int) -> list[tuple[int, str]]:
    """The individual's partners and ex-partners (a MARAC's possible perpetrators), named as
    `user` may read them; people they may not open are left out."""
    mine = records_of(individual_id)
    kinds = ("partner_of", "ex_partner_of", "boyfriend_girlfriend")
    rels = Relationship.live.filter(rel_type__in=kinds).filter(Q(person_a_id__in=mine) | Q(person_b_id__in=mine))
    others = {b if a in mine else a for a, b in rels.values_list("person_a_id", "person_b_id")} - set(mine) - {None}
    persons = {(p.source, p.source_id) for p in Person.live.filter(pk__in=others)}
    entries = [{"kind": "person", "as": "partner", "ref": {"source": s, "id": i}} for s, i in sorted(persons)]
    lines = named_for(user, [SimpleNamespace(pk=0, detail={"named": entries})]).get(0, [])
    out: dict[int, str] = {}
    for line in lines:
        if line.shown and line.individual_id and line.individual_id != individual_id:
            out.setdefault(line.individual_id, line.text)
    return sorted(out.items(), key=lambda kv: kv[1])


# The actions as CSV columns (the screens' and the API's download).
ACTION_COLUMNS: list[tuple[str, Any]] = [
    ("Action", lambda a: a.id),
    ("What must be done", lambda a: a.text),
    ("Owner", lambda a: a.owner),
    ("For", lambda a: a.about.text if a.about else ""),
    ("Due", lambda a: a.due),
    ("Done", lambda a: a.done_at[:16].replace("T", " ")),
    ("Outcome", lambda a: a.outcome),
]


def minutes_pdf(request: Any, detail: MeetingDetail) -> Any:
    """The minutes as the requesting viewer reads them, as a marked PDF logged as an export of
    every person named (the screens' and the API's one download; ExportRefused without `export`)."""
    meeting = detail.meeting
    return export_pdf(
        request,
        "web/meeting_minutes.html",
        {"detail": detail, "meeting": meeting},
        title=f"{detail.type_label} minutes",
        individual_ids=detail.individual_ids,
        object_type="meeting",
        object_ids=[meeting.pk],
        fields=["minutes"],
        filename=f"{detail.type_label} minutes {meeting.pk}",
    )


def actions_csv(request: Any, detail: MeetingDetail) -> Any:
    """The actions as CSV, logged as an export of every person named."""
    return export_csv(
        request,
        detail.actions,
        ACTION_COLUMNS,
        title=f"{detail.type_label} actions",
        filename=f"{detail.type_label} actions {detail.meeting.pk}",
        individual_ids=detail.individual_ids,
        object_type="meeting_actions",
        object_ids=[detail.meeting.pk],
    )
