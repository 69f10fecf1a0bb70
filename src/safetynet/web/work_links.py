"""Where a task's work is done: the workspace screen that records what the finding asks for,
offered on the task page as its first action ("Tell the school", "Open the missing episode").

The link is read from the records the finding cites, by their meaning: an incident for
Operation Encompass (D1); a missing episode, referral, police protection or custody written in
safetynet (the workspace where it is worked); and for work on the child as a whole, the child's
exploitation screening (X1) and CSE plans (X4). None when the viewer may not use that screen or
no cited record has one."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from safetynet.reads.work_queue import CitedRecord
from safetynet.web.viewer import may_use

# Cited event type -> (URL name of the screen that works it, what the link says). Records
# written in safetynet only: another system's record is worked in that system.
WORKSPACE_OF_EVENT = {
    "missing_report": ("web:missing_episode", "Open the missing episode"),
    "referral": ("web:mash_referral", "Open the referral"),
    "police_protection": ("web:protection_police", "Open the police protection record"),
    "custody": ("web:custody", "Open the custody record"),
}
# Clause -> (URL name of the child's screen that records the work, what the link says): work
# about the child as a whole rather than one cited record.
WORK_ON_CHILD = {
    "X1": ("web:exploitation_screening", "Screen the child for exploitation"),
    "X4": ("web:exploitation_child_plans", "Record the child's CSE plan"),
}


def where_to_act(user: Any, clause: str, individual_id: int, cites: list[CitedRecord]) -> tuple[str, str] | None:
    """(what the link says, its URL) for the task's work, or None."""
    if clause == "D1":
        incident = next((c for c in cites if c.event_type == "incident" and c.event_id), None)
        if incident is not None and may_use(user, "web:encompass_send"):
            url = reverse("web:encompass_send", args=[incident.event_id, individual_id])
            return "Tell the school (Operation Encompass)", url
        return None
    if clause in WORK_ON_CHILD:
        url_name, words = WORK_ON_CHILD[clause]
        return (words, reverse(url_name, args=[individual_id])) if may_use(user, url_name) else None
    for cite in cites:
        found = WORKSPACE_OF_EVENT.get(cite.event_type)
        if found is not None and cite.source == "safetynet" and cite.event_id and may_use(user, found[0]):
            return found[1], reverse(found[0], args=[cite.event_id])
    return None
