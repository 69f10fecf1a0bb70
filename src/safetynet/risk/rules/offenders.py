"""Offender management: S1, a registered sex offender linked to the child; S2, a registered sex
offender's next visit, due by their ARMS priority, not made."""

from __future__ import annotations

import datetime as dt
from typing import Any

from safetynet.risk.picture import MarkerRec, Picture
from safetynet.risk.policy import Policy
from safetynet.risk.rules.base import (
    FindingDraft,
    child_words,
    day,
    draft,
    named_person,
    rule,
)


@rule("S1")
def s1(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """A registered sex offender linked to the child's home or to an incident with the child.
    The finding names the offender and the other children near them (living at the address, or
    in the incident), rendered for each viewer by the naming rules (reads/naming.py)."""
    if not picture.is_child:
        return []
    found: dict[int, tuple[MarkerRec, str, int | None, set[int]]] = {}
    for home in picture.homes:
        for p in picture.residents_of(home):
            adult = picture.individual_of(p)
            if adult is None or adult == picture.individual_id:
                continue
            for marker in picture.markers(adult, "registered_sex_offender"):
                if home in picture.homes_of(adult):
                    near = {r for r in picture.residents_of(home) if not picture.is_own(r)}
                    found.setdefault(marker.pk, (marker, "lives at the child's address", p, near))
    for event, _ in picture.events("incident", "crime"):
        for p, _ in picture.others_in(event):
            for marker in picture.markers(picture.individual_of(p), "registered_sex_offender"):
                near = {q for q, _ in picture.others_in(event)}
                found.setdefault(marker.pk, (marker, "is linked to an incident involving the child", p, near))
    out = []
    for _, (marker, how, offender, near) in sorted(found.items()):
        person = picture.person(offender)
        children = sorted(
            {
                (rec.ref["source"], rec.ref["id"])
                for q in near
                if (rec := picture.person(q)) is not None
                and picture.individual_of(q) != picture.individual_of(offender)
                and picture.is_child_individual(picture.individual_of(q), as_of)
            }
        )
        named = [named_person("registered sex offender", person.ref if person else None)]
        named += [named_person("another child near the offender", {"source": s, "id": i}) for s, i in children]
        out.append(
            draft(
                policy,
                "S1",
                f"A registered sex offender {how} ({child_words(picture)}); the public protection unit must be "
                "alerted and responders shown the flag.",
                [marker.ref],
                key=marker.ref,
                named=named,
            )
        )
    return out


ARMS_PRIORITIES: tuple[str, ...] = ("very_high", "high", "medium", "low")
ARMS_WORDS = {"very_high": "very high", "high": "high", "medium": "medium", "low": "low"}


def arms_of(visits: list[tuple[dt.datetime | None, dict[str, Any]]]) -> dict[str, Any] | None:
    """The latest ARMS assessment among an offender's visits (time, details), by the day it was
    made (the visit's day when it gives none); None when none is recorded."""
    best: tuple[dt.date, dict[str, Any]] | None = None
    for when, details in visits:
        arms = details.get("arms") if isinstance(details, dict) else None
        if not isinstance(arms, dict) or arms.get("priority") not in ARMS_PRIORITIES:
            continue
        on = day(arms.get("assessed_on")) or (when.date() if when else None)
        if on is None:
            continue
        if best is None or on >= best[0]:
            best = (on, {**arms, "assessed_on": on})
    return best[1] if best else None


def visit_interval(policy: Policy, priority: str | None) -> dt.timedelta:
    """Days between visits for an ARMS priority (S2's clocks; `unassessed_days` without one)."""
    name = f"{priority}_days" if priority in ARMS_PRIORITIES else "unassessed_days"
    return policy.clause("S2").days(name)


def next_visit_due(
    policy: Policy, last_visit: dt.datetime | None, registered: dt.date | None, priority: str | None
) -> dt.datetime | None:
    """When the next visit is due: the interval for the priority after the last visit, or
    after the registration when no visit is recorded (None when neither is known)."""
    if last_visit is not None:
        start = last_visit
    elif registered is not None:
        start = dt.datetime.combine(registered, dt.time(), tzinfo=dt.UTC)
    else:
        return None
    return start + visit_interval(policy, priority)


@rule("S2")
def s2(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """A registered sex offender whose next visit, due by their ARMS priority, has not been made."""
    if picture.is_child:
        return []
    registrations = picture.markers(None, "registered_sex_offender")
    if not registrations:
        return []
    registration = min(registrations, key=lambda m: (m.valid_from or dt.date.max, m.pk))
    visits = [
        (e, e.occurred_at)
        for e, _ in picture.events("offender_visit", roles=("subject",))
        if e.occurred_at is not None and e.occurred_at <= as_of
    ]
    last = max(visits, key=lambda v: (v[1], v[0].pk))[0] if visits else None
    arms = arms_of([(w, e.details) for e, w in visits])
    priority = arms["priority"] if arms else None
    due = next_visit_due(policy, last.occurred_at if last else None, registration.valid_from, priority)
    if due is None or due >= as_of:
        return []
    how = (
        f"ARMS priority {ARMS_WORDS[priority]}, a visit every {visit_interval(policy, priority).days} days"
        if priority
        else f"no ARMS assessment recorded, a visit every {visit_interval(policy, priority).days} days"
    )
    since = f"the last visit was on {last.occurred_at:%d %b %Y}" if last and last.occurred_at else "no visit recorded"
    return [
        draft(
            policy,
            "S2",
            f"This registered sex offender's next visit was due on {due:%d %b %Y} ({how}); {since}.",
            [registration.ref, *([last.ref] if last else [])],
            key=registration.ref,
            due_by=due,
        )
    ]
