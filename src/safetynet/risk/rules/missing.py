"""Missing children: M1-M7 (risk-policy.md, "Missing children")."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

from safetynet.risk.picture import EventRec, OrderRec, Picture
from safetynet.risk.policy import Policy
from safetynet.risk.rules.base import (
    FindingDraft,
    at_least,
    child_words,
    draft,
    event_time,
    guarded,
    hours,
    named_person,
    named_place,
    rank_of,
    rule,
    ts,
)

GRADES = ("very_low", "low", "medium", "high")
LEGACY = {"no_apparent_risk": "very_low", "absent": "very_low"}


def grade(value: object) -> str | None:
    """The APP grade, reading the retired 'absent' / 'no apparent risk' bands as very low."""
    if value is None:
        return None
    text = str(value)
    return LEGACY.get(text, text)


def episodes(picture: Picture) -> list[EventRec]:
    """This child's missing reports, oldest first."""
    return [e for e, _ in picture.events("missing_report", roles=("missing_person",))]


def is_open(report: EventRec, as_of: dt.datetime) -> bool:
    found = ts(report.details.get("found_at"))
    return found is None or found > as_of


def _reviews_by_time(report: EventRec, as_of: dt.datetime) -> list[dict]:
    """The report's reviews made by `as_of`, oldest first (a review with no time last)."""
    reviews = [r for r in report.details.get("reviews") or [] if isinstance(r, dict)]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    timed = [(ts(r.get("at")) or far, i, r) for i, r in enumerate(reviews)]
    return [r for at, _, r in sorted(timed, key=lambda x: (x[0], x[1])) if at == far or at <= as_of]


def is_supervisor(staff: object, supervisors: set[str]) -> bool:
    """A supervisor by rank (sergeant or above), read from `rank`, falling back to `role`."""
    rank = rank_of(staff)
    return rank in supervisors or at_least(rank, "sergeant")


@rule("M1")
def m1(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """A missing child whose grade in force (the latest review's, else the report's initial
    grade) is below the floor without a supervisor's rationale, or with one that cites how often
    the child goes missing; or a report with no grade at all."""
    spec = policy.clause("M1")
    floor = str(spec.thresholds.get("floor", "high"))
    supervisors = set(spec.words("supervisor_roles"))
    frequency = spec.words("frequency_words")

    def check(report: EventRec) -> list[FindingDraft]:
        if not picture.is_child_individual(picture.individual_id, report.occurred_at):
            return []
        child = child_words(picture, report.occurred_at)
        reviews = _reviews_by_time(report, as_of)
        graded = [g for r in reviews if (g := grade(r.get("risk"))) is not None]
        initial = grade(report.details.get("initial_risk"))
        in_force = graded[-1] if graded else initial
        if in_force is None:
            start = report.reported_at or report.occurred_at
            if start is not None and as_of < start + policy.clause("M2").hours("initial_risk"):
                return []  # not yet owed
            return [
                draft(
                    policy,
                    "M1",
                    f"Missing report for {child} carries no risk grade, neither on the report nor at any review; "
                    f"the force's floor for a missing child is {floor}.",
                    [report.ref],
                    key=report.ref,
                )
            ]
        if in_force not in GRADES or GRADES.index(in_force) >= GRADES.index(floor):
            return []
        by_supervisor = [r for r in reviews if is_supervisor(r.get("by"), supervisors)]
        rationales = [str(r.get("rationale") or "") for r in by_supervisor] + [
            str(report.details.get("risk_rationale") or "")
        ]
        cites_frequency = any(w in text.lower() for text in rationales for w in frequency)
        written = any(str(r.get("rationale") or "").strip() for r in by_supervisor)
        if written and not cites_frequency:
            return []
        why = (
            "the rationale cites how often the child goes missing, which is never a reason to lower risk"
            if cites_frequency
            else "with no supervisor's written rationale"
        )
        graded_how = "" if not graded or (initial == in_force and len(set(graded)) == 1) else " at the latest review"
        if initial is None and graded:
            graded_how = " by its reviews (the report itself carries no grade)"
        return [
            draft(
                policy,
                "M1",
                f"Missing report for {child} graded {in_force.replace('_', ' ')}{graded_how}, "
                f"below the force's {floor} floor; {why}.",
                [report.ref],
                key=report.ref,
            )
        ]

    return guarded(policy, "M1", episodes(picture), check)


def _review_ranks(details: dict, start: dt.datetime) -> list[tuple[dt.datetime | None, str]]:
    """(time, rank) of each review, oldest first."""
    reviews = [r for r in details.get("reviews") or [] if isinstance(r, dict)]
    return sorted(((ts(r.get("at")), rank_of(r.get("by"))) for r in reviews), key=lambda x: x[0] or start)


@rule("M2")
def m2(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Supervision clocks of a missing episode: initial risk 15 min, sergeant review 1 h,
    inspector 2 h, officer in charge 1 h, re-review every 8 h while open. Late, overdue or
    (while running) pending. The format records the initial risk grade but not when it was
    set, so a report that carries one has met that clock."""
    spec = policy.clause("M2")

    def check(report: EventRec) -> list[FindingDraft]:
        d = report.details
        start = report.reported_at or report.occurred_at
        if start is None or start > as_of:
            return []
        found = ts(d.get("found_at"))
        reviews = _review_ranks(d, start)
        late: list[str] = []
        pending: list[tuple[dt.datetime, str]] = []

        def requirement(label: str, done: dt.datetime | None, deadline: dt.datetime) -> None:
            if done is not None:
                if done > deadline:
                    late.append(f"{label} after {hours(done - start)}")
                return
            if found is not None and found <= deadline:
                return  # found before it fell due: nothing was owed
            if found is not None:
                late.append(f"no {label} before the child was found {hours(found - start)} after the report")
            elif as_of > deadline:
                late.append(f"no {label} {hours(as_of - start)} after the report")
            else:
                pending.append((deadline, label))

        if not d.get("initial_risk"):
            requirement("initial risk assessment", None, start + spec.hours("initial_risk"))
        # By rank (`rank`, falling back to `role`): a review by a higher rank meets a lower one's.
        sergeant = [t for t, rank in reviews if at_least(rank, "sergeant") and t is not None]
        inspector = [t for t, rank in reviews if at_least(rank, "inspector") and t is not None]
        requirement("supervisor review", min(sergeant, default=None), start + spec.hours("supervisor_review"))
        requirement("inspector review", min(inspector, default=None), start + spec.hours("inspector_review"))
        oic = d.get("officer_in_charge")
        if oic is None:
            requirement("officer in charge", None, start + spec.hours("officer_in_charge"))
        elif isinstance(oic, dict) and oic.get("assigned_at"):
            requirement("officer in charge", ts(oic["assigned_at"]), start + spec.hours("officer_in_charge"))
        if is_open(report, as_of):
            times = [t for t, _ in reviews if t is not None and t <= as_of]
            last = max(times, default=start)
            due = last + spec.hours("re_review_while_open")
            if as_of > due:
                late.append(f"no review for {hours(as_of - last)} while the child is still missing")
            else:
                pending.append((due, "re-review while missing"))
        if late:
            return [
                draft(
                    policy,
                    "M2",
                    f"Missing report for {child_words(picture, start)}: {'; '.join(late)}.",
                    [report.ref],
                    key=report.ref,
                    due_by=min((t for t, _ in pending), default=None),
                )
            ]
        if pending:
            due, label = min(pending)
            return [
                draft(
                    policy,
                    "M2",
                    f"Missing report for {child_words(picture, start)}: {label} due by {due:%H:%M} "
                    f"({hours(due - start)} after the report).",
                    [report.ref],
                    key=report.ref,
                    due_by=due,
                )
            ]
        return []

    return guarded(policy, "M2", [e for e in episodes(picture) if picture.is_child], check)


def enquiry_leads(picture: Picture, report: EventRec) -> list[dict[str, Any] | None]:
    """The people and places `lines_of_enquiry` counts, each by reference for the screen to
    name: CAWN adults, related people (with their addresses), plan places, and the three most
    frequent previous found locations with how often."""
    leads: list[dict[str, Any] | None] = []
    for m in picture.markers(None, "cawn_child"):
        if m.linked_person is not None:
            leads.append(
                named_person("adult named in a child abduction warning notice", _person_ref(picture, m.linked_person))
            )
    for rel, other in picture.relationships():
        if rel.rel_type in ("boyfriend_girlfriend", "associate_of", "parent_of") and other is not None:
            leads.append(named_person(f"known relationship: {label_words(rel.rel_type)}", _person_ref(picture, other)))
    places: Counter[tuple[str, str]] = Counter(
        key
        for e in episodes(picture)
        if e.pk != report.pk and (key := _place_key(e.details.get("found_location"))) is not None
    )
    for (source, source_id), count in places.most_common(3):
        leads.append(named_place("found here before", {"source": source, "id": source_id}, count=count))
    return leads


def _place_key(value: object) -> tuple[str, str] | None:
    if isinstance(value, dict) and value.get("source") and value.get("id"):
        return (str(value["source"]), str(value["id"]))
    return None


def label_words(code: str) -> str:
    """A coded value as words ("boyfriend_girlfriend" -> "boyfriend or girlfriend")."""
    return {"boyfriend_girlfriend": "boyfriend or girlfriend", "associate_of": "associate", "parent_of": "parent"}.get(
        code, code.replace("_", " ")
    )


def lines_of_enquiry(picture: Picture, report: EventRec) -> list[str]:
    """Lines of enquiry proposed from what is known (CAWN adults, relationships, plan places,
    the most frequent previous found locations); counted, never named, in a reason."""
    lines = []
    cawn = [m for m in picture.markers(None, "cawn_child") if m.linked_person is not None]
    if cawn:
        lines.append(f"{len(cawn)} adult(s) named in a child abduction warning notice")
    rels = [
        r for r, _ in picture.relationships() if r.rel_type in ("boyfriend_girlfriend", "associate_of", "parent_of")
    ]
    if rels:
        lines.append(f"{len(rels)} known relationship(s) and their addresses")
    places = Counter(
        str(e.details.get("found_location"))
        for e in episodes(picture)
        if e.pk != report.pk and e.details.get("found_location")
    )
    if places:
        lines.append(f"the {min(3, len(places))} most frequent previous found location(s)")
    return lines


@rule("M3")
def m3(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """A generic line of enquiry ("check addresses") with no address or person is not one."""
    generic = policy.clause("M3").words("generic_phrases")

    def check(report: EventRec) -> list[FindingDraft]:
        bad = [
            line
            for line in report.details.get("lines_of_enquiry") or []
            if isinstance(line, dict)
            and not line.get("location")
            and not line.get("person")
            and any(p in str(line.get("text") or "").lower() for p in generic)
        ]
        if not bad:
            return []
        known = lines_of_enquiry(picture, report)
        proposal = f" Known to the system: {'; '.join(known)}." if known else ""
        named = enquiry_leads(picture, report)
        return [
            draft(
                policy,
                "M3",
                f"Missing report for {child_words(picture, report.occurred_at)} has {len(bad)} line(s) of enquiry "
                f"naming no address or person.{proposal}",
                [report.ref],
                key=report.ref,
                named=named,
            )
        ]

    return guarded(policy, "M3", episodes(picture), check)


@rule("M4")
def m4(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """>= 3 episodes in 90 days needs a current trigger plan or Philomena profile."""
    if not picture.is_child:
        return []
    spec = policy.clause("M4")
    window = spec.days("window_days")
    recent = [e for e in episodes(picture) if e.occurred_at and as_of - window < e.occurred_at <= as_of]
    if len(recent) < spec.number("episodes"):
        return []
    plans = picture.plans(*spec.words("plan_types"))
    current = [p for p in plans if p.review_due is None or p.review_due >= as_of.date()]
    if current:
        return []
    cites = [e.ref for e in recent]
    if plans:
        stale = max(plans, key=lambda p: p.review_due or dt.date.min)
        return [
            draft(
                policy,
                "M4",
                f"{child_words(picture).capitalize()} has been reported missing {len(recent)} times in "
                f"{window.days} days and the trigger plan was due for review on {stale.review_due}.",
                [stale.ref, *cites],
                key=stale.ref,
            )
        ]
    return [
        draft(
            policy,
            "M4",
            f"{child_words(picture).capitalize()} has been reported missing {len(recent)} times in {window.days} days "
            "with no trigger plan or Philomena profile; a strategy meeting should be recommended to social care.",
            cites,
        )
    ]


@rule("M5")
def m5(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Every episode is recorded: an incident naming the child as missing with no missing report."""
    window = policy.clause("M5").hours("window_hours")
    reports = [e.occurred_at for e in episodes(picture) if e.occurred_at]

    def check(item: tuple[EventRec, str]) -> list[FindingDraft]:
        event, _ = item
        at = event.occurred_at
        if at is None or any(abs(r - at) <= window for r in reports):
            return []
        return [
            draft(
                policy,
                "M5",
                f"An incident records {child_words(picture, at)} as missing but no missing report was made; "
                "every episode must be recorded, including ones closed before handover.",
                [event.ref],
                key=event.ref,
            )
        ]

    return guarded(policy, "M5", picture.events("incident", roles=("missing_person",)), check)


FAMILY = ("parent_of", "step_parent_of", "carer_of", "sibling_of")


def _received(referral: EventRec) -> dt.datetime:
    return ts(referral.details.get("received_at")) or event_time(referral)


@rule("M6")
def m6(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Return home interview within 72 h of being found; found with adults or at a place of
    concern, a safeguarding referral within the referral clock."""
    spec = policy.clause("M6")
    limit = spec.hours("return_home_interview")
    referral_limit = spec.hours("safeguarding_referral")
    concern_types = set(spec.words("place_of_concern_types"))
    known: dict[str, set[int | None]] = {}

    def family_or_household() -> set[int | None]:
        if "people" not in known:  # only children found with someone need it
            family = {picture.individual_of(other) for rel, other in picture.relationships() if rel.rel_type in FAMILY}
            household = {picture.individual_of(p) for home in picture.homes for p in picture.residents_of(home)}
            known["people"] = family | household
        return known["people"]

    def check(report: EventRec) -> list[FindingDraft]:
        found = ts(report.details.get("found_at"))
        if found is None or found > as_of or not picture.is_child_individual(picture.individual_id, found):
            return []
        return _m6_interview(picture, policy, as_of, report, found, limit) + _m6_referral(
            picture, policy, as_of, report, found, referral_limit, concern_types, family_or_household
        )

    return guarded(policy, "M6", episodes(picture), check)


def _m6_interview(
    picture: Picture, policy: Policy, as_of: dt.datetime, report: EventRec, found: dt.datetime, limit: dt.timedelta
) -> list[FindingDraft]:
    """M6's return home interview: within `limit` of the child being found."""
    rhi = report.details.get("return_home_interview") or {}
    done = ts(rhi.get("completed_at")) if isinstance(rhi, dict) else None
    due = found + limit
    if done is not None and done <= as_of:
        if done <= due:
            return []
        why = f"was completed {hours(done - found)} after the child was found"
    elif as_of > due:
        why = f"has not been completed {hours(as_of - found)} after the child was found"
    else:
        why = f"is due by {due:%d %b %H:%M}"
    return [
        draft(
            policy,
            "M6",
            f"Return home interview for {child_words(picture, found)} {why} (limit {hours(limit)}).",
            [report.ref],
            key=report.ref,
            due_by=due,
        )
    ]


def _m6_referral(
    picture: Picture,
    policy: Policy,
    as_of: dt.datetime,
    report: EventRec,
    found: dt.datetime,
    referral_limit: dt.timedelta,
    concern_types: set[str],
    family_or_household: Callable[[], set[int | None]],
) -> list[FindingDraft]:
    """M6's safeguarding referral: a child found with adults who are not family or household,
    or at a place of concern, needs one within `referral_limit`."""
    # People co-located with the child when found, other than family and household: the
    # "found with adults" of the policy. A person of unknown age never recorded as a child
    # counts as an adult (the referral errs on the side of the child).
    adults, unknown_age = [], 0
    for pk, _ in picture.others_in(report, "co_located"):
        who = picture.individual_of(pk)
        if who in family_or_household() or picture.is_child_individual(who, found):
            continue
        adults.append(pk)
        unknown_age += picture.age_of(who, found) is None
    place = picture.location_type_of_ref(report.details.get("found_location"))
    concern = place in concern_types
    if not adults and not concern:
        return []
    due = found + referral_limit
    # A referral linked to the report, or one about the child received after they were found
    # (a referral made while the child was still missing is about something else).
    linked = [e for e in picture.linked_to(report) if e.event_type == "referral"]
    about = [e for e, _ in picture.events("referral") if found <= _received(e) <= due]
    made = sorted({e.pk: e for e in linked + about if _received(e) <= as_of}.values(), key=_received)
    many = len(adults) > 1
    if unknown_age:
        adults_words = f"with {len(adults)} {'people' if many else 'person'} (adult or of unknown age) not family"
    else:
        adults_words = f"with {len(adults)} adult{'s' if many else ''} who {'are' if many else 'is'} not family"
    place_words = f"at a {place.replace('_', ' ')}"
    circumstances = " and ".join(w for w, ok in ((adults_words, adults), (place_words, concern)) if ok)
    if made and _received(made[0]) <= due:
        return []
    if made:
        why = f"the safeguarding referral was made {hours(_received(made[0]) - found)} later"
    elif as_of > due:
        why = f"no safeguarding referral has been made in the {hours(as_of - found)} since"
    else:
        why = f"a safeguarding referral is due by {due:%d %b %H:%M}"
    cites = [report.ref, *(r.ref for r in made[:1])]
    cites += [ref for pk in adults if (ref := _person_ref(picture, pk)) is not None]
    return [
        draft(
            policy,
            "M6",
            f"{child_words(picture, found).capitalize()} was found {circumstances}; {why} "
            f"(limit {hours(referral_limit)}).",
            cites,
            key=report.ref,
            due_by=due,
            aspect="referral",
        )
    ]


def _person_ref(picture: Picture, pk: int | None) -> dict[str, str] | None:
    rec = picture.person(pk)
    return rec.ref if rec is not None else None


@rule("M7")
def m7(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """A CAWN order needs a cawn_child marker on the child and a cawn_adult marker on the adult."""

    def check(order: object) -> list[FindingDraft]:
        assert isinstance(order, OrderRec)
        if order.order_type != "cawn" or not any(picture.is_own(p) for p in order.protected):
            return []
        adult = picture.individual_of(order.subject)
        on_child = any(
            picture.individual_of(m.linked_person) == adult for m in picture.markers(None, "cawn_child")
        ) or any(m.linked_person is None for m in picture.markers(None, "cawn_child"))
        on_adult = any(
            picture.individual_of(m.linked_person) == picture.individual_id
            for m in picture.markers(adult, "cawn_adult")
        )
        if on_child and on_adult:
            return []
        missing = [w for w, ok in (("the child", on_child), ("the adult", on_adult)) if not ok]
        subject = _person_ref(picture, order.subject)
        return [
            draft(
                policy,
                "M7",
                f"A child abduction warning notice protects {child_words(picture)} but {' and '.join(missing)} "
                f"{'has' if len(missing) == 1 else 'have'} no warning marker, so officers will not see it.",
                [order.ref],
                key=order.ref,
                named=[
                    named_person(
                        "adult named in the notice" + ("" if on_adult else ", with no warning marker"), subject
                    )
                ],
            )
        ]

    return guarded(policy, "M7", picture.orders(), check)
