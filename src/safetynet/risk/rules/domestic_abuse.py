"""Domestic abuse (D1-D4): Operation Encompass, MARAC lists every child, a safety plan when
a perpetrator returns, the voice of the child and body-worn video."""

from __future__ import annotations

import datetime as dt

from safetynet.risk.picture import EventRec, Picture
from safetynet.risk.policy import Policy
from safetynet.risk.rules.base import (
    FindingDraft,
    child_words,
    draft,
    guarded,
    hours,
    named_person,
    next_school_day_start,
    present,
    rule,
    ts,
)

PARENT_TYPES = ("parent_of", "step_parent_of", "carer_of")


@rule("D1")
def d1(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Operation Encompass: the school told before the next school day for a school-age child present."""
    spec = policy.clause("D1")
    has_school = any(picture.person(p) and picture.person(p).school_id for p in picture.own)  # type: ignore[union-attr]

    def check(item: tuple[EventRec, str]) -> list[FindingDraft]:
        incident, role = item
        at = incident.occurred_at
        if at is None or not incident.details.get("domestic_abuse") or not present(incident, role):
            return []
        age = picture.age(at)
        if (
            age is None
            or not (spec.number("school_age_from") <= age < spec.number("school_age_to") + 1)
            or not has_school
        ):
            return []
        deadline = next_school_day_start(policy, at, int(spec.number("school_day_starts_hour")))
        notes = [
            n
            for n in picture.linked_to(incident)
            if n.event_type == "notification"
            and n.details.get("scheme") == "operation_encompass"
            and (not n.participants or any(picture.is_own(p) for p, _ in n.participants))
        ]
        sent = [t for n in notes if (t := ts(n.details.get("sent_at"))) is not None and t <= as_of]
        if sent and min(sent) < deadline:
            return []
        if sent:
            why = f"the school was told {hours(min(sent) - deadline)} after the school day began"
        elif as_of < deadline:
            why = f"the school must be told before {deadline:%a %d %b %H:%M}"
        else:
            why = "the school was not told before the next school day"
        return [
            draft(
                policy,
                "D1",
                f"Domestic abuse incident with {child_words(picture, at)} present: {why} (Operation Encompass).",
                [incident.ref, *(n.ref for n in notes)],
                key=incident.ref,
                due_by=deadline,
            )
        ]

    return guarded(policy, "D1", picture.events("incident"), check)


def parents(picture: Picture) -> dict[int, object]:
    """Individuals who are a parent, step-parent or carer of this child -> the relationship."""
    out: dict[int, object] = {}
    mine = picture.own
    for rel, other in picture.relationships():
        if rel.rel_type in PARENT_TYPES and rel.b in mine and (ind := picture.individual_of(other)) is not None:
            out.setdefault(ind, rel)
    return out


def _marac_subjects(picture: Picture, meeting: EventRec) -> list[tuple[dict[str, str], str]]:
    """The people a MARAC is about (its participants other than those attending), by record."""
    out = []
    for person, role in meeting.participants:
        rec = picture.person(person)
        if rec is not None and role not in ("reporter", "witness"):
            out.append((rec.ref, role.replace("_", " ") or "subject"))
    return out


@rule("D2")
def d2(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """A MARAC about a parent (victim or perpetrator, any household) that does not list this child."""
    if not picture.is_child:
        return []
    out: list[FindingDraft] = []
    mine = [e for e, _ in picture.events("meeting") if e.details.get("status") != "cancelled"]
    listed = {e.pk for e in mine}
    # A later MARAC (held or scheduled) that lists the child answers an earlier one that did not.
    latest_listing = max(
        (e.occurred_at for e in mine if e.details.get("meeting_type") == "marac" and e.occurred_at), default=None
    )
    seen: set[int] = set()
    for parent, rel in parents(picture).items():
        for meeting, _ in picture.events_of(parent, "meeting"):
            if meeting.details.get("meeting_type") != "marac" or meeting.pk in listed or meeting.pk in seen:
                continue
            if (
                meeting.occurred_at is None
                or meeting.occurred_at > as_of
                or (latest_listing is not None and latest_listing >= meeting.occurred_at)
                or not picture.is_child_individual(picture.individual_id, meeting.occurred_at)
            ):
                continue
            seen.add(meeting.pk)

            def check(m: EventRec, rel: object = rel) -> list[FindingDraft]:
                return [
                    draft(
                        policy,
                        "D2",
                        f"A MARAC about the parent or carer of {child_words(picture, m.occurred_at)} does not "
                        "list the child, who needs a safety-planning decision.",
                        [m.ref, rel.ref],  # type: ignore[attr-defined]
                        key=m.ref,
                        named=[named_person(f"{role} at the MARAC", ref) for ref, role in _marac_subjects(picture, m)],
                    )
                ]

            out.extend(guarded(policy, "D2", [meeting], check))
    return out


@rule("D3")
def d3(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """A perpetrator returning to a household with children (no further action, bail ended) needs a
    safety plan for the children."""
    if not picture.is_child:
        return []
    limit = policy.clause("D3").days("safety_plan_days")
    homes = picture.homes
    adults = set(parents(picture)) | {
        picture.individual_of(p) for h in homes for p in picture.residents_of(h) if not picture.is_own(p)
    }
    crimes: dict[int, EventRec] = {}
    for adult in adults:
        for crime, role in picture.events_of(adult, "crime"):
            if role in ("suspect", "offender", "perpetrator"):
                crimes[crime.pk] = crime
    out: list[FindingDraft] = []

    def check(crime: EventRec) -> list[FindingDraft]:
        d = crime.details
        returned = ts(d.get("bail_ended_at"))
        if d.get("status") != "no_further_action" and returned is None:
            return []
        at = crime.occurred_at or crime.recorded_at
        # "At the home": where the child lived then (the family may have moved since).
        then = homes | picture.homes_on(at.date())
        if crime.location_id is not None and then and crime.location_id not in then:
            return []
        returned = returned or ts(d.get("closed_at")) or at
        if returned > as_of:
            return []
        plans = [p for p in picture.plans("safety_plan") if p.created_on and p.created_on >= at.date()]
        if plans:
            return []
        due = returned + limit
        return [
            draft(
                policy,
                "D3",
                f"A domestic abuse suspect in {child_words(picture)}'s household was released (no further action or "
                "bail ended) and there is no safety plan for the child"
                + (f"; due by {due:%d %b}." if as_of <= due else "."),
                [crime.ref],
                key=crime.ref,
                due_by=due,
            )
        ]

    out.extend(guarded(policy, "D3", sorted(crimes.values(), key=lambda c: c.pk), check))
    return out


@rule("D4")
def d4(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Children present at domestic abuse with no voice of the child or no body-worn video."""

    def check(item: tuple[EventRec, str]) -> list[FindingDraft]:
        incident, role = item
        if not incident.details.get("domestic_abuse") or not present(incident, role):
            return []
        contact = incident.details.get("child_contact") or {}
        missing = [
            what
            for what, ok in (
                ("voice of the child", contact.get("voice_of_child")),
                ("body-worn video", contact.get("bwv_used")),
            )
            if not ok
        ]
        if not missing:
            return []
        return [
            draft(
                policy,
                "D4",
                f"Domestic abuse incident with {child_words(picture, incident.occurred_at)} present: no "
                f"{' and no '.join(missing)} recorded.",
                [incident.ref],
                key=incident.ref,
            )
        ]

    return guarded(policy, "D4", picture.events("incident") if picture.is_child else [], check)
