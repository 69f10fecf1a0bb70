"""Online abuse (O1, O2): indecent-image offences, devices submitted and uploaded to CAID, forensic
results within target."""

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
    rule,
    ts,
)


def _image_offence(crime: EventRec) -> bool:
    d = crime.details
    offence = str(d.get("offence") or "").lower()
    return bool(d.get("online")) and (bool(d.get("sexual_offence")) or "image" in offence)


# The roles a child can hold in an image offence: depicted, or sharing or receiving it.
DEPICTED = ("victim", "subject")
INVOLVED = (*DEPICTED, "suspect", "offender", "witness", "associate", "present_child")


@rule("O1")
def o1(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Indecent-image offence: devices submitted within 7 days, CAID upload when results return."""
    limit = policy.clause("O1").days("device_submission_days")

    def check(item: tuple[EventRec, str]) -> list[FindingDraft]:
        crime, role = item
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
        mine = {(r["source"], r["id"]) for r in picture.refs}
        for entry in crime.details.get("children_involved") or []:
            ref = entry.get("person") if isinstance(entry, dict) else None
            if isinstance(ref, dict) and (ref.get("source"), ref.get("id")) in mine and not entry.get("decision"):
                problems.append("no safeguarding decision recorded for this child")
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
                f"Indecent-image offence involving {child_words(picture, at)}"
                f"{'' if role in DEPICTED else ' (who shared or received the images)'}: {'; '.join(problems)}.",
                [crime.ref, *(e.ref for e in exams)],
                key=crime.ref,
                due_by=due if not submitted else None,
            )
        ]

    # Every child involved is considered: the child depicted (recorded as victim or subject) and
    # the children who shared or received the images (suspect, offender, witness, associate).
    return guarded(policy, "O1", picture.events("crime", roles=INVOLVED) if picture.is_child else [], check)


@rule("O2")
def o2(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Forensic results within the force's targets: priority 30 days, standard 75 days."""
    spec = policy.clause("O2")
    exams: dict[int, EventRec] = {}
    for crime, _ in picture.events("crime", roles=DEPICTED):
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
                # Due the day the target passed: a device still awaited is overdue at once, so the
                # sweep escalates it up the police chain (docs/exploitation.md).
                due_by=due if returned is None else None,
            )
        ]

    return guarded(policy, "O2", sorted(exams.values(), key=lambda e: e.pk) if picture.is_child else [], check)
