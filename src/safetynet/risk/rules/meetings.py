"""Meeting actions as their owners' work: X7.

A meeting's action is work for its owner from the moment the meeting is held until it is done.
X3 looks at the meeting as a whole for whoever holds the record (an outcome within two working
days, no unowned action); X7 puts each owned, dated action about a child into its owner's queue,
where an overdue one escalates like any task. An action is routable when its owner names an
agency on this system (`organisation`: police, csc, health) and, optionally, a team (`team`)
or a user (`username`) and their `role`; it is about this child when its `about` is one of the
child's records (docs/meetings.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from safetynet.access.roles import AGENCY_OF_ROLE
from safetynet.risk.picture import EventRec, Picture
from safetynet.risk.policy import Policy
from safetynet.risk.rules.base import FindingDraft, a_or_an, child_words, day, draft, guarded, rule, ts

# The meeting statuses whose actions are not yet (scheduled) or never (cancelled) anyone's work.
NOT_HELD = ("scheduled", "cancelled")


def meeting_label(details: dict[str, Any]) -> str:
    """'MARAC', 'strategy discussion', ...: how a reason names a meeting's type."""
    kind = str(details.get("meeting_type") or "meeting").replace("_", " ")
    return kind.upper() if kind in ("mace", "marac", "mappa") else kind


def action_owner_role(owner: Any, policy: Policy) -> str | None:
    """The role whose queue an action owned by `owner` goes to; None when the owner is not an
    agency on this system (free text, probation, housing: X3 counts those for the chair)."""
    if not isinstance(owner, dict):
        return None
    agency = str(owner.get("organisation") or "")
    role = str(owner.get("role") or "")
    if role and AGENCY_OF_ROLE.get(role) == agency:
        return role
    chain = policy.document.escalation.chains.get(agency)  # type: ignore[call-overload]
    return str(chain[0]) if chain else None


def _is_about(picture: Picture, about: Any, source: str) -> bool:
    if isinstance(about, str):
        about = {"source": source, "id": about}
    if not isinstance(about, dict):
        return False
    return any(r["source"] == about.get("source") and r["id"] == about.get("id") for r in picture.refs)


def _due(value: Any) -> dt.datetime | None:
    """An action's due date as the end of that day where the force is (`TIME_ZONE`: 23:59 in
    London is 22:59 UTC in summer), or its exact time when one was given."""
    if isinstance(value, str) and len(value) == 10:
        d = day(value)
        local = dt.datetime.combine(d, dt.time(23, 59), tzinfo=ZoneInfo(settings.TIME_ZONE)) if d else None
        return local.astimezone(dt.UTC) if local else None
    return ts(value)


@rule("X7")
def x7(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Each open action of a held meeting, owned by an agency on this system, dated and about this
    child, is a task for its owner due on its date. The owned actions of a disruption plan
    (docs/exploitation.md) are read the same way, about the adult or a child."""

    def check(meeting: EventRec) -> list[FindingDraft]:
        d = meeting.details
        held = meeting.occurred_at
        if d.get("status") in NOT_HELD or held is None or held > as_of:
            return []
        out = []
        kind = "disruption plan" if meeting.event_type == "disruption_plan" else meeting_label(d)
        for index, action in enumerate(d.get("actions") or []):
            if not isinstance(action, dict) or not _is_about(picture, action.get("about"), meeting.source):
                continue
            done = ts(action.get("done_at"))
            due = _due(action.get("due"))
            role = action_owner_role(action.get("owner"), policy)
            if (done is not None and done <= as_of) or due is None or role is None:
                continue
            owner = action["owner"]
            assign = {k: str(owner[k]) for k in ("team", "username") if owner.get(k)}
            about = child_words(picture, held) if picture.is_child else "an adult of concern"
            draft_ = draft(
                policy,
                "X7",
                f"An action from {a_or_an(kind).lower()} {kind} about {about} is due "
                f"{due.day} {due:%B %Y} and not yet done.",
                [meeting.ref],
                key=meeting.ref,
                due_by=due,
                owner_role=role,
                aspect=str(action.get("id") or index),
            )
            detail = dict(draft_.detail or {})
            key = "plan_action" if meeting.event_type == "disruption_plan" else "meeting_action"
            detail[key] = {"meeting": meeting.ref, "action": str(action.get("id") or index)}
            if assign:
                detail["assign"] = assign
            out.append(_with_detail(draft_, detail))
        return out

    plans = [e for e, _ in picture.events("disruption_plan")]
    meetings = [e for e, _ in picture.events("meeting")] if picture.is_child else []
    return guarded(policy, "X7", meetings + plans, check)


def _with_detail(found: FindingDraft, detail: dict[str, Any]) -> FindingDraft:
    return replace(found, detail=detail)
