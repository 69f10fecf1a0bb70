"""A child in custody (C1, C2): appropriate adult and PACE reviews, local authority
accommodation when bail is refused."""

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
)


@rule("C1")
def c1(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """A child in custody: appropriate adult within 2 h; reviews at 6 h then every 9 h (PACE s40)."""
    spec = policy.clause("C1")

    def check(item: tuple[EventRec, str]) -> list[FindingDraft]:
        custody, _ = item
        d = custody.details
        arrived = ts(d.get("arrived_at")) or event_time(custody)
        if arrived > as_of or not picture.is_child_individual(picture.individual_id, arrived):
            return []
        released = ts(d.get("released_at"))
        end = released if released is not None and released <= as_of else as_of
        problems: list[str] = []
        pending: list[dt.datetime] = []
        aa_due = arrived + spec.hours("appropriate_adult")
        aa = ts(d.get("appropriate_adult_arrived_at"))
        if aa is not None and aa <= as_of:
            if aa > aa_due:
                problems.append(f"appropriate adult arrived {hours(aa - arrived)} after arrival")
        elif end > aa_due:
            problems.append(f"no appropriate adult {hours(end - arrived)} after arrival")
        elif released is None:
            pending.append(aa_due)
        reviews = sorted(t for r in d.get("reviews") or [] if (t := ts(r.get("at"))) is not None and t <= as_of)
        due = arrived + spec.hours("first_review")
        for t in reviews:
            if t > due:
                problems.append(f"a detention review {hours(t - due)} late")
                break
            due = t + spec.hours("next_review")
        else:
            if end > due:
                problems.append(f"a detention review overdue by {hours(end - due)}")
            elif released is None or released > as_of:
                pending.append(due)
        if not problems and not pending:
            return []
        reason = (
            f"Custody of {child_words(picture, arrived)}: {'; '.join(problems)}."
            if problems
            else f"{child_words(picture, arrived).capitalize()} is in custody: next check due {min(pending):%H:%M}."
        )
        return [draft(policy, "C1", reason, [custody.ref], key=custody.ref, due_by=min(pending, default=None))]

    return guarded(policy, "C1", picture.events("custody", roles=("detainee", "subject", "suspect", "offender")), check)


@rule("C2")
def c2(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Charged and refused bail: local authority accommodation requested; not provided needs a
    s38(7) certificate reason and a partnership escalation."""

    def check(item: tuple[EventRec, str]) -> list[FindingDraft]:
        custody, _ = item
        d = custody.details
        charged = ts(d.get("charged_at"))
        if not d.get("bail_refused") or (charged is not None and charged > as_of):
            return []
        if not picture.is_child_individual(picture.individual_id, charged or event_time(custody)):
            return []
        problems = []
        if not d.get("la_accommodation_requested_at"):
            problems.append("no local authority accommodation was requested")
        elif d.get("la_accommodation_outcome") == "not_provided" and not d.get("certificate_reason"):
            problems.append("accommodation was not provided and no s38(7) certificate reason is recorded")
        released = ts(d.get("released_at"))
        if problems and charged is not None and (released is None or released.date() > charged.date()):
            problems.append("the child was held overnight")
        if not problems:
            return []
        return [
            draft(
                policy,
                "C2",
                f"{child_words(picture, charged).capitalize()} was charged and refused bail: {'; '.join(problems)}.",
                [custody.ref],
                key=custody.ref,
            )
        ]

    return guarded(policy, "C2", picture.events("custody"), check)


@rule("C3")
def c3(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """A s38(6) transfer the local authority refused, or has not answered within the policy's
    hours, while the child is still held: the inspector reviews the detention (and the refusal
    goes to the partnership escalation log). Quiet once the child leaves custody."""
    spec = policy.clause("C3")

    def check(item: tuple[EventRec, str]) -> list[FindingDraft]:
        custody, _ = item
        d = custody.details
        asked = ts(d.get("la_accommodation_requested_at"))
        if asked is None or asked > as_of:
            return []
        released = ts(d.get("released_at"))
        if (released is not None and released <= as_of) or not picture.is_child_individual(
            picture.individual_id, asked
        ):
            return []
        answered = ts(d.get("la_accommodation_answered_at"))
        outcome = d.get("la_accommodation_outcome") if answered is None or answered <= as_of else None
        if outcome == "not_provided":
            problem = "the local authority refused the s38(6) transfer"
        elif not outcome and as_of - asked > spec.hours("answer"):
            problem = f"the local authority has not answered the s38(6) transfer request after {hours(as_of - asked)}"
        else:
            return []
        return [
            draft(
                policy,
                "C3",
                f"{child_words(picture, asked).capitalize()} is held in custody: {problem}.",
                [custody.ref],
                key=custody.ref,
            )
        ]

    return guarded(policy, "C3", picture.events("custody"), check)
