"""MASH referrals (H1-H3), domestic abuse (D1-D4) and online abuse (O1-O2)."""

from __future__ import annotations

import datetime as dt

from safetynet.risk.picture import EventRec, Picture
from safetynet.risk.policy import Policy
from safetynet.risk.rules.base import (
    FindingDraft,
    a_or_an,
    child_words,
    draft,
    event_time,
    guarded,
    hours,
    next_school_day_start,
    present,
    rule,
    ts,
)

GRADE_ORDER = ("blue", "green", "amber", "red")
PARENT_TYPES = ("parent_of", "step_parent_of", "carer_of")


def _received(referral: EventRec) -> dt.datetime:
    return ts(referral.details.get("received_at")) or event_time(referral)


def _triage(referral: EventRec) -> dict[str, object]:
    triage = referral.details.get("triage")
    return triage if isinstance(triage, dict) else {}


@rule("H1")
def h1(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Triage within the grade's time: red 4 h, amber 24 h, green 48 h, blue record only."""
    spec = policy.clause("H1")

    def check(item: tuple[EventRec, str]) -> list[FindingDraft]:
        referral, _ = item
        received = _received(referral)
        if received > as_of:
            return []
        triage = _triage(referral)
        grade = str(triage.get("grade") or "")
        at = ts(triage.get("at"))
        if grade == "blue":
            return []
        if at is None or at > as_of:
            due = received + spec.hours("red")
            why = f"is not triaged {hours(as_of - received)} after it was received" if as_of > due else "awaits triage"
            return [
                draft(
                    policy,
                    "H1",
                    f"A MASH referral about {child_words(picture, received)} {why} "
                    f"(red referrals: {hours(spec.hours('red'))}).",
                    [referral.ref],
                    key=referral.ref,
                    due_by=due,
                )
            ]
        if grade not in ("red", "amber", "green"):
            return []
        limit = spec.hours(grade)
        if at - received <= limit:
            return []
        return [
            draft(
                policy,
                "H1",
                f"{a_or_an(grade)} {grade} MASH referral about {child_words(picture, received)} "
                f"was triaged {hours(at - received)} "
                f"after it was received (limit {hours(limit)}).",
                [referral.ref],
                key=referral.ref,
            )
        ]

    return guarded(policy, "H1", picture.events("referral") if picture.is_child else [], check)


@rule("H2")
def h2(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Triage that researched only the local authority system although police systems hold history."""
    police = set(policy.clause("H2").words("police_sources"))

    def check(item: tuple[EventRec, str]) -> list[FindingDraft]:
        referral, _ = item
        triage = _triage(referral)
        research = triage.get("research")
        systems = (
            {research} if isinstance(research, str) else set(research or []) if isinstance(research, list) else set()
        )
        if not systems or systems - {"local_authority"}:
            return []
        received = _received(referral)
        history = [
            e for e, _ in picture.events() if e.source in police and e.pk != referral.pk and event_time(e) < received
        ]
        if not history:
            return []
        return [
            draft(
                policy,
                "H2",
                f"A MASH referral about {child_words(picture, received)} was triaged on the local authority system "
                f"alone although police systems held {len(history)} earlier record(s) about the child.",
                [referral.ref, *(e.ref for e in history[-5:])],
                key=referral.ref,
            )
        ]

    return guarded(policy, "H2", picture.events("referral") if picture.is_child else [], check)


@rule("H3")
def h3(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """>= 3 referrals or domestic-abuse incidents in 12 months: at least amber; >= 5: red."""
    spec = policy.clause("H3")
    window = spec.days("window_days")
    counted = [
        e
        for e, _ in picture.events("referral", "incident")
        if e.event_type == "referral" or e.details.get("domestic_abuse")
    ]

    def check(item: tuple[EventRec, str]) -> list[FindingDraft]:
        referral, _ = item
        received = _received(referral)
        grade = str(_triage(referral).get("grade") or "")
        if received > as_of or grade not in GRADE_ORDER:
            return []
        before = [e for e in counted if received - window <= event_time(e) <= received]
        need = (
            "red"
            if len(before) >= spec.number("red_at")
            else "amber"
            if len(before) >= spec.number("amber_at")
            else None
        )
        if need is None or GRADE_ORDER.index(grade) >= GRADE_ORDER.index(need):
            return []
        return [
            draft(
                policy,
                "H3",
                f"A referral about {child_words(picture, received)} was triaged {grade} although it is the "
                f"{len(before)}th referral or domestic abuse incident in {window.days} days (policy: at least {need}"
                f"{'' if need == 'red' else ', strategy discussion considered'}).",
                [referral.ref, *(e.ref for e in before if e.pk != referral.pk)],
                key=referral.ref,
            )
        ]

    return guarded(policy, "H3", picture.events("referral") if picture.is_child else [], check)


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
        deadline = next_school_day_start(at, int(spec.number("school_day_starts_hour")))
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


@rule("D2")
def d2(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """A MARAC about a parent (victim or perpetrator, any household) that does not list this child."""
    if not picture.is_child:
        return []
    out: list[FindingDraft] = []
    listed = {e.pk for e, _ in picture.events("meeting")}
    seen: set[int] = set()
    for parent, rel in parents(picture).items():
        for meeting, _ in picture.events_of(parent, "meeting"):
            if meeting.details.get("meeting_type") != "marac" or meeting.pk in listed or meeting.pk in seen:
                continue
            if (
                meeting.occurred_at is None
                or meeting.occurred_at > as_of
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


def _image_offence(crime: EventRec) -> bool:
    d = crime.details
    offence = str(d.get("offence") or "").lower()
    return bool(d.get("online")) and (bool(d.get("sexual_offence")) or "image" in offence)


@rule("O1")
def o1(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Indecent-image offence: devices submitted within 7 days, CAID upload when results return."""
    limit = policy.clause("O1").days("device_submission_days")

    def check(item: tuple[EventRec, str]) -> list[FindingDraft]:
        crime, _ = item
        at = crime.occurred_at
        if at is None or at > as_of or not _image_offence(crime):
            return []
        exams = [e for e in picture.linked_to(crime) if e.event_type == "device_examination"]
        problems = []
        due = at + limit
        submitted = [t for e in exams if (t := ts(e.details.get("submitted_at"))) is not None and t <= as_of]
        if not submitted:
            if as_of > due:
                problems.append(f"no device submitted for examination {hours(as_of - at)} after the offence")
            else:
                problems.append(f"devices to be submitted for examination by {due:%d %b}")
        elif min(submitted) > due:
            problems.append(
                f"devices submitted {hours(min(submitted) - at)} after the offence (target {limit.days} days)"
            )
        for e in exams:
            returned = ts(e.details.get("returned_at"))
            if returned is not None and returned <= as_of and not e.details.get("caid_uploaded_at"):
                problems.append("results returned but not uploaded to CAID")
        if not problems:
            return []
        return [
            draft(
                policy,
                "O1",
                f"Indecent-image offence involving {child_words(picture, at)}: {'; '.join(problems)}.",
                [crime.ref, *(e.ref for e in exams)],
                key=crime.ref,
                due_by=due if not submitted else None,
            )
        ]

    # The children depicted (victims); a peer who shared images is safeguarded through other clauses.
    return guarded(policy, "O1", picture.events("crime", roles=("victim",)) if picture.is_child else [], check)


@rule("O2")
def o2(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Forensic results within the force's targets: priority 30 days, standard 75 days."""
    spec = policy.clause("O2")
    exams: dict[int, EventRec] = {}
    for crime, _ in picture.events("crime", roles=("victim",)):
        for e in picture.linked_to(crime):
            if e.event_type == "device_examination":
                exams[e.pk] = e
    # The case is the child victim's: a pupil whose own phone was examined as the suspect
    # (role "subject") is not the child whose results are awaited.
    for e, _ in picture.events("device_examination", roles=("victim",)):
        exams[e.pk] = e

    def check(exam: EventRec) -> list[FindingDraft]:
        d = exam.details
        submitted = ts(d.get("submitted_at"))
        if submitted is None or submitted > as_of:
            return []
        priority = d.get("priority") == "priority"
        target = spec.days("priority_days" if priority else "standard_days")
        returned = ts(d.get("returned_at"))
        due = submitted + target
        if returned is not None and returned <= as_of:
            if returned <= due:
                return []
            why = f"returned after {hours(returned - submitted)}"
        elif as_of > due:
            why = f"still awaited after {hours(as_of - submitted)}"
        else:
            return []
        return [
            draft(
                policy,
                "O2",
                f"Forensic results for {child_words(picture, submitted)}'s case {why} "
                f"({'priority' if priority else 'standard'} target {target.days} days).",
                [exam.ref],
                key=exam.ref,
            )
        ]

    return guarded(policy, "O2", sorted(exams.values(), key=lambda e: e.pk) if picture.is_child else [], check)
