"""Police protection (P1): Children Act 1989 s46."""

from __future__ import annotations

import datetime as dt

from safetynet.risk.picture import EventRec, Picture
from safetynet.risk.policy import Policy
from safetynet.risk.rules.base import (
    FindingDraft,
    child_words,
    draft,
    event_time,
    guarded,
    hours,
    rule,
    ts,
    working_days_after,
)
from safetynet.risk.rules.meetings import NOT_HELD


def _name(staff: object) -> str:
    return str(staff.get("name") or "").strip().lower() if isinstance(staff, dict) else ""


@rule("P1")
def p1(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Police protection (Children Act 1989 s46): 72 h hard limit, a designated officer who is not
    the initiating officer, social care notified, strategy discussion within 1 working day,
    accommodation waits escalated, an end rationale."""
    spec = policy.clause("P1")
    meetings = [
        e
        for e, _ in picture.events("meeting")
        if e.details.get("meeting_type") == "strategy_discussion" and e.details.get("status") not in NOT_HELD
    ]

    def check(item: tuple[EventRec, str]) -> list[FindingDraft]:
        pp, _ = item
        d = pp.details
        started = ts(d.get("started_at")) or event_time(pp)
        if started > as_of:
            return []
        ended = ts(d.get("ended_at"))
        ended = ended if ended is not None and ended <= as_of else None
        problems: list[str] = []
        severity = None
        owner = None
        limit = started + spec.hours("limit")
        officer = d.get("designated_officer")
        if not officer:
            problems.append("no designated officer recorded")
        elif _name(officer) and _name(officer) == _name(pp.recorded_by):
            problems.append("the initiating officer is recorded as the designated officer")
        if not d.get("csc_notified_at"):
            problems.append("children's social care not recorded as notified")
        if ended is None and as_of > limit:
            problems.append(f"still in police protection after {hours(as_of - started)}, beyond the 72-hour limit")
            severity = "critical"
            owner = "superintendent"
        if ended is not None and not d.get("end_rationale"):
            problems.append("no rationale recorded for ending police protection")
        if ended is not None and ended > limit:
            problems.append(f"ended {hours(ended - started)} after it began, beyond the 72-hour limit")
        requested = ts(d.get("accommodation_requested_at"))
        provided = ts(d.get("accommodation_provided_at"))
        if requested is not None and requested <= as_of:
            waited = (provided if provided is not None and provided <= as_of else as_of) - requested
            if waited > spec.hours("accommodation_superintendent"):
                problems.append(f"waited {hours(waited)} for accommodation (superintendent and partnership escalation)")
                owner = owner or "superintendent"
            elif waited > spec.hours("accommodation_inspector"):
                problems.append(f"waited {hours(waited)} for accommodation (inspector)")
        strategy_due = working_days_after(started, int(spec.number("strategy_discussion_working_days")))
        held = [m for m in meetings if m.occurred_at and started <= m.occurred_at]
        if as_of > strategy_due and not any(m.occurred_at <= strategy_due for m in held):  # type: ignore[operator]
            problems.append("no strategy discussion within one working day")
        due = limit if ended is None else None
        if not problems and due is None:
            return []
        reason = (
            f"Police protection of {child_words(picture, started)}: {'; '.join(problems)}."
            if problems
            else f"{child_words(picture, started).capitalize()} is in police protection: the 72-hour limit ends "
            f"{limit:%d %b %H:%M}."
        )
        return [
            draft(
                policy,
                "P1",
                reason,
                [pp.ref],
                key=pp.ref,
                due_by=due,
                severity=severity,
                owner_role=owner,
            )
        ]

    return guarded(policy, "P1", picture.events("police_protection") if picture.is_child else [], check)
