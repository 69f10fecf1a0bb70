"""Police protection and custody (P1, C1, C2), offender management (S1), data quality (Q1, Q2)
and the language check (LANG)."""

from __future__ import annotations

import datetime as dt

from safetynet.risk.picture import EventRec, MarkerRec, Picture
from safetynet.risk.policy import Policy
from safetynet.risk.rules.base import (
    FindingDraft,
    a_or_an,
    child_words,
    draft,
    event_time,
    guarded,
    hours,
    present,
    rule,
    ts,
    working_days_after,
)


def _name(staff: object) -> str:
    return str(staff.get("name") or "").strip().lower() if isinstance(staff, dict) else ""


@rule("P1")
def p1(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Police protection (Children Act 1989 s46): 72 h hard limit, a designated officer who is not
    the initiating officer, social care notified, strategy discussion within 1 working day,
    accommodation waits escalated, an end rationale."""
    spec = policy.clause("P1")
    meetings = [e for e, _ in picture.events("meeting") if e.details.get("meeting_type") == "strategy_discussion"]

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


@rule("S1")
def s1(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """A registered sex offender linked to the child's home or to an incident with the child."""
    if not picture.is_child:
        return []
    found: dict[int, tuple[MarkerRec, str]] = {}
    for home in picture.homes:
        for p in picture.residents_of(home):
            adult = picture.individual_of(p)
            if adult is None or adult == picture.individual_id:
                continue
            for marker in picture.markers(adult, "registered_sex_offender"):
                if home in picture.homes_of(adult):
                    found.setdefault(marker.pk, (marker, "lives at the child's address"))
    for event, _ in picture.events("incident", "crime"):
        for p, _ in picture.others_in(event):
            for marker in picture.markers(picture.individual_of(p), "registered_sex_offender"):
                found.setdefault(marker.pk, (marker, "is linked to an incident involving the child"))
    out = []
    for _, (marker, how) in sorted(found.items()):
        out.append(
            draft(
                policy,
                "S1",
                f"A registered sex offender {how} ({child_words(picture)}); the public protection unit must be "
                "alerted and responders shown the flag.",
                [marker.ref],
                key=marker.ref,
            )
        )
    return out


@rule("Q1")
def q1(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """A child with no ethnicity on any record."""
    if not picture.is_child or not picture.own:
        return []
    if any(picture.person(p).has_ethnicity for p in picture.own):  # type: ignore[union-attr]
        return []
    return [
        draft(
            policy,
            "Q1",
            f"No ethnicity is recorded for {child_words(picture)} on any of {len(picture.own)} linked record(s).",
            picture.refs,
        )
    ]


@rule("Q2")
def q2(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Children present at an incident (other than domestic abuse, see D4) with no voice of the child."""

    def check(item: tuple[EventRec, str]) -> list[FindingDraft]:
        incident, role = item
        if incident.details.get("domestic_abuse") or not present(incident, role):
            return []
        contact = incident.details.get("child_contact") or {}
        if contact.get("voice_of_child"):
            return []
        return [
            draft(
                policy,
                "Q2",
                f"Incident with {child_words(picture, incident.occurred_at)} present: "
                "the voice of the child is not recorded.",
                [incident.ref],
                key=incident.ref,
            )
        ]

    return guarded(policy, "Q2", picture.events("incident") if picture.is_child else [], check)


def event_texts(event: EventRec) -> list[str]:
    """The free text of an event a person wrote: summary, risk rationale, review rationales, decisions."""
    d = event.details
    texts = [event.summary, str(d.get("risk_rationale") or "")]
    texts += [str(r.get("rationale") or "") for r in d.get("reviews") or [] if isinstance(r, dict)]
    texts += [str(x) for x in d.get("decisions") or [] if isinstance(x, str)]
    for key in ("rationale", "end_rationale", "text", "findings"):
        if isinstance(d.get(key), str):
            texts.append(d[key])
    return [t for t in texts if t]


@rule("LANG")
def lang(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Language that blames the child, in any record about them."""
    if not picture.is_child:
        return []

    def check(item: tuple[EventRec, str]) -> list[FindingDraft]:
        event, _ = item
        matches = [m for text in event_texts(event) for m in policy.check_language(text, about_child=True)]
        if not matches:
            return []
        first = matches[0]
        return [
            draft(
                policy,
                "LANG",
                f"{a_or_an(event.event_type)} {event.event_type.replace('_', ' ')} record about "
                f"{child_words(picture, event.occurred_at)} says "
                f"'{first.matched}': {first.reason} Suggested: {first.suggestion}",
                [event.ref],
                key=event.ref,
            )
        ]

    return guarded(policy, "LANG", picture.events(), check)
