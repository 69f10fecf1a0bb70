"""Act now vs practice: which findings are work for someone now, and the roll-up of the rest.

The policy says per clause (`work: {mode, window_days}`) whether its findings are always work,
work only while the record they are about is open or closed within a window, or practice. A
breach on work closed longer ago than the window (a review made late on a missing episode
that ended last year) is a fact about practice, not work for tonight's sergeant: all such
breaches of one clause for one child become one practice finding with a count, a date range
and each breach (its date, record, reason and cites) in `detail`, for oversight and case
audits. Practice findings never become tasks (`work.sync_tasks` takes work findings only).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from safetynet.risk.picture import EventRec, Picture
from safetynet.risk.policy import Policy
from safetynet.risk.rules.base import FindingDraft, ts

WORK = "work"
PRACTICE = "practice"


def settled_at(event: EventRec) -> dt.datetime | None:
    """When the work an event stands for was over (None: still open). A missing episode ends
    when the child is found, a referral when it is triaged, a custody at release, a police
    protection at its end, a device examination when results return, a crime when it is closed
    with no further action; any other event when it ended or happened."""
    d = event.details if isinstance(event.details, dict) else {}
    kind = event.event_type
    if kind == "missing_report":
        return ts(d.get("found_at"))
    if kind == "referral":
        triage = d.get("triage")
        return ts(triage.get("at")) if isinstance(triage, dict) else None
    if kind == "custody":
        return ts(d.get("released_at")) or event.ended_at
    if kind == "police_protection":
        return ts(d.get("ended_at")) or event.ended_at
    if kind == "device_examination":
        return ts(d.get("returned_at"))
    if kind == "crime" and d.get("status") != "no_further_action":
        return None  # under investigation, charged, or not said: the case is still open
    return event.ended_at or event.occurred_at


def _events_by_ref(picture: Picture) -> dict[tuple[str, str], EventRec]:
    return {(e.ref["source"], e.ref["id"]): e for e, _ in picture.events()}


def sort_work_and_practice(
    drafts: list[FindingDraft], picture: Picture, policy: Policy, as_of: dt.datetime
) -> list[FindingDraft]:
    """Returns the work drafts as they are and the practice ones rolled up, one per clause."""
    events: dict[tuple[str, str], EventRec] | None = None
    work: list[FindingDraft] = []
    breaches: dict[str, list[tuple[dt.datetime | None, FindingDraft]]] = {}
    for d in drafts:
        spec = policy.document.clauses.get(d.clause)
        mode = spec.work.mode if spec is not None and not d.error else "always"
        if mode == "always":
            work.append(d)
            continue
        event: EventRec | None = None
        if d.key is not None:
            if events is None:
                events = _events_by_ref(picture)
            event = events.get(d.key)
        if mode == "open_or_recent":
            assert spec is not None
            if d.key is None or event is None or (d.due_by is not None and d.due_by > as_of):
                work.append(d)  # about the child now, or a clock still running
                continue
            try:
                ended = settled_at(event)
            except (TypeError, ValueError):
                ended = None  # unreadable: treat as open, the rule's own error finding says why
            if ended is None or ended > as_of - dt.timedelta(days=float(spec.work.window_days)):
                work.append(d)
                continue
        breaches.setdefault(d.clause, []).append((event.occurred_at if event else None, d))
    return work + [_roll_up(policy, clause, items) for clause, items in sorted(breaches.items())]


def _roll_up(policy: Policy, clause: str, items: list[tuple[dt.datetime | None, FindingDraft]]) -> FindingDraft:
    """One practice finding for a child's breaches of one clause on work already closed."""
    spec = policy.clause(clause)
    items = sorted(items, key=lambda item: (item[0] or dt.datetime.min.replace(tzinfo=dt.UTC), item[1].key or ("", "")))
    dates = [at for at, _ in items if at is not None]
    cites: list[tuple[str, str]] = []
    for _, d in items:
        cites.extend(c for c in d.cites if c not in cites)
    span = f" between {dates[0]:%d %b %Y} and {dates[-1]:%d %b %Y}" if dates else ""
    detail: dict[str, Any] = {
        "count": len(items),
        "from": dates[0].isoformat() if dates else None,
        "to": dates[-1].isoformat() if dates else None,
        "breaches": [
            {
                "at": at.isoformat() if at else None,
                "record": d.key_ref,
                "reason": d.reason,
                "cites": d.cite_refs,
                "aspect": d.aspect,
            }
            for at, d in items
        ],
    }
    return FindingDraft(
        clause=clause,
        severity=spec.severity,
        reason=f"Practice: {len(items)} breach(es) of {clause} ({spec.title.lower()}) on work already closed"
        f"{span}. For oversight and case audit, not a task; each breach is listed in the finding's detail.",
        cites=tuple(cites),
        owner_role=spec.owner_role,
        key=None,
        aspect=PRACTICE,
        kind=PRACTICE,
        detail=detail,
    )
