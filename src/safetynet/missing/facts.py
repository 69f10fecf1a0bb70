"""What the linked picture says about a missing child, read before anyone grades the episode:
the policy floor (clause M1) and the facts behind it, and the lines of enquiry the picture
proposes (clause M3's people and places: CAWN adults, relationships and associates with their
addresses, places and associates on the child's plans, the places the child was most often
found). Read from the risk engine's picture, so the screen shows what the rules see."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from safetynet.identity.models import Membership
from safetynet.records.models import Location, Person, PersonAddress, Plan
from safetynet.risk.picture import EventRec, Picture
from safetynet.risk.picture_load import load_picture
from safetynet.risk.policy import current_policy
from safetynet.risk.rules.missing import GRADES, episodes, grade, label_words

PLAN_TYPES = ("trigger_plan", "philomena_profile", "fast_action_response_plan")
RELATIONSHIPS = ("boyfriend_girlfriend", "associate_of", "parent_of")


@dataclass(frozen=True)
class Floor:
    """The policy floor for this person's episode (None for an adult) and the facts behind it."""

    grade: str | None
    facts: list[str]
    policy_version: str
    episodes_90_days: int = 0
    episodes_12_months: int = 0
    episodes_ever: int = 0


@dataclass(frozen=True)
class Proposal:
    """A line of enquiry the picture proposes: a person and/or a place, and why."""

    text: str
    proposed_from: str
    person: dict[str, str] | None = None
    location: dict[str, str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def below(chosen: str, floor: str | None) -> bool:
    """Whether grade `chosen` is below `floor` on the APP scale."""
    return floor is not None and GRADES.index(chosen) < GRADES.index(floor)


def floor_for(individual_id: int, as_of: dt.datetime, *, exclude_event: int | None = None) -> Floor:
    """The floor and its facts as of `as_of` (the episode being graded left out of the counts)."""
    policy = current_policy()
    picture = load_picture(individual_id, as_of)
    starts = [
        e.occurred_at for e in episodes(picture) if e.pk != exclude_event and e.occurred_at and e.occurred_at <= as_of
    ]
    past = [e for e in episodes(picture) if e.pk != exclude_event and e.occurred_at and e.occurred_at <= as_of]
    in_days = [sum(1 for t in starts if t is not None and as_of - t <= dt.timedelta(days=d)) for d in (90, 365)]
    child = picture.is_child_individual(picture.individual_id, as_of)
    facts = [_age_words(picture, as_of, child)]
    if picture.care_statuses - {"none"}:
        facts.append("Care status: " + ", ".join(sorted(s.replace("_", " ") for s in picture.care_statuses)) + ".")
    markers = sorted({m.marker_type for m in picture.markers()})
    if markers:
        facts.append("Warning markers: " + ", ".join(m.replace("_", " ") for m in markers) + ".")
    cawn = [m for m in picture.markers(None, "cawn_child") if m.linked_person is not None]
    if cawn:
        facts.append(f"{len(cawn)} adult(s) named in a child abduction warning notice.")
    facts.append(
        f"Reported missing {in_days[0]} time(s) in the last 90 days, {in_days[1]} in 12 months, {len(past)} ever."
    )
    if past:
        facts.append("Last episode: " + _outcome_words(past[-1], as_of))
    plans = [p for p in picture.plans(*PLAN_TYPES)]
    for plan in plans:
        due = "no review date" if plan.review_due is None else f"review due {plan.review_due:%d %b %Y}"
        stale = " (overdue)" if plan.review_due is not None and plan.review_due < as_of.date() else ""
        facts.append(f"Open {plan.plan_type.replace('_', ' ')}: {due}{stale}.")
    if not plans and in_days[0] >= 2:
        facts.append("No trigger plan or Philomena profile although the child keeps going missing.")
    floor = str(policy.clause("M1").thresholds.get("floor", "high")) if child else None
    return Floor(floor, facts, policy.version, in_days[0], in_days[1], len(past))


def _age_words(picture: Picture, as_of: dt.datetime, child: bool) -> str:
    age = picture.age(as_of)
    if age is None:
        return "Age not known; treated as a child." if child else "Age not known."
    return f"Aged {int(age)}{' (a child)' if child else ''}."


def _outcome_words(report: EventRec, as_of: dt.datetime) -> str:
    found = report.details.get("found_at")
    start = report.occurred_at
    when = f"reported {start:%d %b %Y}" if start else "reported"
    risk = grade(report.details.get("initial_risk"))
    graded = f", graded {risk.replace('_', ' ')}" if risk else ""
    if not found:
        return f"{when}{graded}, not recorded as found."
    how = " (returned of own accord)" if report.details.get("returned_of_own_accord") else ""
    place = " at a place on record" if report.details.get("found_location") else ""
    return f"{when}{graded}, found{place}{how}."


def proposals(individual_id: int, as_of: dt.datetime, *, exclude_event: int | None = None) -> list[Proposal]:
    """Lines of enquiry proposed from the picture, each naming a person or a place."""
    picture = load_picture(individual_id, as_of)
    out: list[Proposal] = []
    for m in picture.markers(None, "cawn_child"):
        if (ref := _ref(picture, m.linked_person)) is not None:
            out.append(Proposal("Adult named in a child abduction warning notice", "cawn", ref, _home(ref)))
    for rel, other in picture.relationships():
        if rel.rel_type in RELATIONSHIPS and (ref := _ref(picture, other)) is not None:
            why = f"Known relationship: {label_words(rel.rel_type)}"
            out.append(Proposal(why, "relationship", ref, _home(ref)))
    out += _plan_proposals(picture)
    places: Counter[tuple[str, str]] = Counter()
    for e in episodes(picture):
        loc = e.details.get("found_location")
        if e.pk != exclude_event and isinstance(loc, dict) and loc.get("source") and loc.get("id"):
            places[(str(loc["source"]), str(loc["id"]))] += 1
    for (source, sid), count in places.most_common(3):
        ref = {"source": source, "id": sid}
        out.append(Proposal(f"Found here before ({count} time(s))", "found_before", None, ref, {"count": count}))
    unique: dict[tuple[str, str], Proposal] = {}
    for p in out:
        unique.setdefault((str(p.person), str(p.location)), p)
    return list(unique.values())


def _plan_proposals(picture: Picture) -> list[Proposal]:
    ids = [p.pk for p in picture.plans(*PLAN_TYPES)]
    out: list[Proposal] = []
    for plan in Plan.live.filter(pk__in=ids).prefetch_related("associates", "places"):
        kind = plan.plan_type.replace("_", " ")
        for person in plan.associates.all():
            ref = {"source": person.source, "id": person.source_id}
            out.append(Proposal(f"Associate on the {kind}", "plan", ref, _home(ref)))
        for place in plan.places.all():
            out.append(Proposal(f"Place on the {kind}", "plan", None, {"source": place.source, "id": place.source_id}))
    return out


def _ref(picture: Picture, pk: int | None) -> dict[str, str] | None:
    rec = picture.person(pk)
    return dict(rec.ref) if rec is not None else None


def _home(ref: dict[str, str]) -> dict[str, str] | None:
    """The current home address of the person `ref` names (any record of the same individual)."""
    person = Person.live.filter(source=ref["source"], source_id=ref["id"]).first()
    if person is None:
        return None
    individual = Membership.objects.filter(person=person).values_list("individual_id", flat=True).first()
    if individual is None:
        return None
    persons = Membership.objects.filter(individual_id=individual).values_list("person_id", flat=True)
    address = (
        PersonAddress.objects.filter(person_id__in=persons, valid_to__isnull=True)
        .exclude(kind="previous")
        .select_related("location")
        .order_by("-valid_from")
        .first()
    )
    if address is None:
        return None
    return {"source": address.location.source, "id": address.location.source_id}


def person_words(ref: Any) -> str:
    """A person's name as recorded (for the screens and the API, behind their access checks)."""
    if not isinstance(ref, dict):
        return ""
    person = Person.live.filter(source=ref.get("source"), source_id=ref.get("id")).first()
    if person is None:
        return "a person not on record"
    return " ".join(n for n in (person.given_names, person.family_name) if n) or "a person with no recorded name"


def place_words(ref: Any) -> str:
    """A place's address as recorded."""
    if not isinstance(ref, dict):
        return ""
    place = Location.live.filter(source=ref.get("source"), source_id=ref.get("id")).first()
    if place is None:
        return "a place not on record"
    parts = [*(place.address_lines or []), place.town, place.postcode]
    return ", ".join(str(p) for p in parts if p) or "a place with no recorded address"
