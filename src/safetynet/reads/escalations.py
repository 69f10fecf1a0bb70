"""Read models for the partnership escalation log (screens and API): the escalations raised by
or to the viewer's agency, overdue first, and one escalation with its history. A partner sees
only escalations involving their agency; anything else answers 404 like a missing one. The
child's name shows only to a viewer who may open the child's record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from safetynet.reads import person as people
from safetynet.reads.access import refused, visible_individual_ids
from safetynet.reads.work_queue import display_name, duration
from safetynet.records.models import Event
from safetynet.risk.policy import current_policy
from safetynet.work.escalations import agency_of, involving, level_name, may_answer
from safetynet.work.models import EscalationEvent, PartnershipEscalation, Task

ESCALATION_LIMIT = 200
# The list's filters: (value, label).
SHOW_ESCALATIONS = (
    ("open", "Open"),
    ("for_us", "For my agency to answer"),
    ("by_us", "Raised by my agency"),
    ("all", "All, answered included"),
)


@dataclass
class EscalationRow:
    """One escalation as the list and the detail page show it."""

    escalation: PartnershipEscalation
    child_name: str  # "" when the viewer may not open the child's record
    now: dt.datetime
    # (meeting id, action id) for one raised from a meeting action: read from its X7 task's finding.
    meeting_action: tuple[int, str] | None = None

    @property
    def overdue(self) -> bool:
        return self.escalation.is_overdue(self.now)

    @property
    def late_by(self) -> str:
        return duration(self.now - self.escalation.response_due) if self.overdue else ""

    @property
    def level_label(self) -> str:
        return f"Level {self.escalation.level}: {level_name(self.escalation.level)}"

    @property
    def raised_by_name(self) -> str:
        return display_name(self.escalation.raised_by)

    @property
    def answered_by_name(self) -> str:
        return display_name(self.escalation.answered_by)


def escalations_for(user: Any) -> QuerySet[PartnershipEscalation]:
    """Every escalation `user`'s agency raised or must answer (none without an agency)."""
    agency = agency_of(user)
    if not agency:
        return PartnershipEscalation.objects.none()
    return PartnershipEscalation.objects.filter(involving(agency))


def _meeting_actions(found: Sequence[PartnershipEscalation]) -> dict[int, tuple[int, str]]:
    """escalation id -> (meeting id, action id) for those raised from a meeting action: the
    action's X7 task carries them in its finding's detail (`meeting_action`)."""
    tasks = {e.task_id: e.pk for e in found if e.raised_from == PartnershipEscalation.RaisedFrom.MEETING_ACTION}
    details = Task.objects.filter(pk__in=[t for t in tasks if t]).values_list("pk", "finding__detail")
    refs = {tasks[pk]: (detail or {}).get("meeting_action") or {} for pk, detail in details}
    meeting_ids = {
        (m.source, m.source_id): m.pk
        for m in Event.live.filter(
            event_type="meeting", source_id__in=[str((r.get("meeting") or {}).get("id")) for r in refs.values()]
        ).only("pk", "source", "source_id")
    }
    out: dict[int, tuple[int, str]] = {}
    for escalation_id, ref in refs.items():
        meeting = ref.get("meeting") or {}
        pk = meeting_ids.get((str(meeting.get("source")), str(meeting.get("id"))))
        if pk is not None:
            out[escalation_id] = (pk, str(ref.get("action")))
    return out


def escalation_rows(user: Any, found: Sequence[PartnershipEscalation], now: dt.datetime) -> list[EscalationRow]:
    ids = {e.individual_id for e in found if e.individual_id}
    visible = set(visible_individual_ids(user, sorted(ids)))
    heads = people.headlines_for(visible, now.date())
    actions = _meeting_actions(found)
    return [
        EscalationRow(
            escalation=e,
            child_name=(heads[e.individual_id].name if e.individual_id in heads else "Name not recorded")
            if e.individual_id in visible
            else "",
            now=now,
            meeting_action=actions.get(e.pk),
        )
        for e in found
    ]


@dataclass(frozen=True)
class EscalationList:
    rows: list[EscalationRow]
    counts: dict[str, int]
    show: str
    truncated: bool


def escalation_list(user: Any, now: dt.datetime, show: str = "open", limit: int = ESCALATION_LIMIT) -> EscalationList:
    """The viewer's agency's escalations for the filter `show`, overdue first, then the soonest
    response due; answered ones (under `all`) last, newest answer first."""
    agency = agency_of(user)
    mine = escalations_for(user).select_related("owner_agency", "raised_by_agency", "raised_by", "answered_by")
    open_ = mine.filter(status=PartnershipEscalation.Status.OPEN)
    chosen = {
        "open": open_,
        "for_us": open_.filter(owner_agency__code=agency),
        "by_us": open_.filter(raised_by_agency__code=agency),
        "all": mine,
    }
    qs = chosen.get(show, open_)
    ordered = qs.annotate(
        answered=Case(When(status=PartnershipEscalation.Status.ANSWERED, then=Value(1)), default=Value(0)),
        late=Case(When(response_due__lt=now, then=Value(0)), default=Value(1), output_field=IntegerField()),
    ).order_by("answered", "late", "response_due", "pk")
    found = list(ordered[: limit + 1])
    counts = {key: q.count() for key, q in chosen.items()}
    counts["overdue"] = open_.filter(response_due__lt=now).count()
    return EscalationList(escalation_rows(user, found[:limit], now), counts, show, len(found) > limit)


def escalation_for_user(user: Any, pk: int) -> PartnershipEscalation:
    """The escalation `pk` if `user`'s agency raised it or must answer it; Http404 otherwise (no
    hint why), written to the access log as a refusal."""
    found = (
        escalations_for(user)
        .select_related("owner_agency", "raised_by_agency", "raised_by", "answered_by", "task")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        exists = PartnershipEscalation.objects.filter(pk=pk).values_list("individual_id", flat=True).first()
        raise refused(
            user, object_type="partnership_escalation", object_id=pk, individual_ids=[exists] if exists else []
        )
    return found


@dataclass(frozen=True)
class EscalationDetail:
    row: EscalationRow
    history: list[EscalationEvent]
    may_answer: bool
    task_visible: bool
    levels: list[tuple[int, str, int]]  # (level, name, working days)


def escalation_detail(user: Any, escalation: PartnershipEscalation, now: dt.datetime) -> EscalationDetail:
    row = escalation_rows(user, [escalation], now)[0]
    history = list(escalation.history.select_related("actor"))
    policy = current_policy()
    levels = [(i, lv.name, lv.working_days) for i, lv in enumerate(policy.document.partnership_escalation.levels, 1)]
    return EscalationDetail(
        row=row,
        history=history,
        may_answer=escalation.status == PartnershipEscalation.Status.OPEN and may_answer(escalation, user),
        task_visible=bool(escalation.task_id) and bool(row.child_name),
        levels=levels,
    )
