"""The end of a missing episode: the child found or returned (when, where, by whom, who with:
each added to the report as `co_located`, so co-location feeds the network and exploitation
rules), the safeguarding referral raised from here when the child was found with adults who are
not family or at a place of concern (policy M6), and the return home interview that children's
social care records within 72 hours. Same rules as `missing.services`: capture door `web`, a
new version per change, refusals naming the field before anything is stored."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from safetynet.identity.models import Membership
from safetynet.lib.clock import Clock, system_clock
from safetynet.meetings.services import actor, person_ref
from safetynet.missing.services import (
    SOURCE,
    MissingRefused,
    at_time,
    clean_text,
    episode_of,
    place_record,
    record_of,
    require,
    start,
    store,
)
from safetynet.records.models import Event, Location, Person
from safetynet.risk.picture_load import load_picture
from safetynet.risk.policy import current_policy
from safetynet.risk.rules.missing import FAMILY

ADULT_AGE = 18


@dataclass(frozen=True)
class Found:
    """What the officer records when the child is found or comes back."""

    found_at: dt.datetime
    found_by: str
    place: str = ""  # an address as typed
    location: dict[str, str] | None = None  # or a place on record
    with_people: list[int] = field(default_factory=list)  # individuals the child was with
    returned_of_own_accord: bool = False
    prevention_interview: bool = False
    referral: str = ""  # the safeguarding concern, required when found with adults


def _adults(child: int, others: list[int], at: dt.datetime) -> list[int]:
    """Of `others`, the people who are not children and not the child's family (a person of
    unknown age counts as an adult: the referral errs on the side of the child)."""
    picture = load_picture(child, at)
    family = {picture.individual_of(o) for rel, o in picture.relationships() if rel.rel_type in FAMILY}
    out = []
    for who in others:
        if who in family or who == child:
            continue
        persons = Person.live.filter(membership__individual_id=who)
        ages = [(at.date() - p.dob).days / 365.25 for p in persons if p.dob is not None]
        if not ages or min(ages) >= ADULT_AGE:
            out.append(who)
    return out


def _missing_child(record: dict[str, Any]) -> int:
    for p in record.get("participants") or []:
        if p.get("role") == "missing_person":
            person = Person.live.filter(source=p["person"]["source"], source_id=p["person"]["id"]).first()
            member = Membership.objects.filter(person=person).first() if person else None
            if member is not None:
                return member.individual_id
    raise MissingRefused("episode", "expected an episode naming the missing child")


def _concern_place(location: dict[str, str] | None) -> bool:
    if location is None:
        return False
    place = Location.live.filter(source=location.get("source"), source_id=location.get("id")).first()
    concern = current_policy().clause("M6").words("place_of_concern_types")
    return place is not None and place.location_type in concern


def record_found(
    episode_id: int, given: Found, *, acting_user: Any, version: str | None = None, clock: Clock = system_clock
) -> Event:
    """Records the child found: refused in the future, before the episode began, twice, or
    found with an adult (or at a place of concern) without the safeguarding concern to refer."""
    require(acting_user, "missing_episodes", "record a child found")
    now = clock.now()
    found_at = at_time("found_at", given.found_at)
    if found_at > now:
        raise MissingRefused("found_at", "expected the time the child was found: now or earlier")
    record = record_of(episode_of(episode_id), clock, version)
    d = record["details"]
    if d.get("found_at"):
        raise MissingRefused("episode", "expected an episode still open: the child is already recorded as found")
    if found_at < start(record):
        raise MissingRefused(
            "found_at", "expected a time after the child was last seen: an episode cannot end before it starts"
        )
    by = clean_text("found_by", given.found_by, "who found the child (or that they returned)")
    child = _missing_child(record)
    adults = _adults(child, given.with_people, found_at)
    records: list[dict[str, Any]] = []
    location = given.location
    if location is None and given.place.strip():
        records.append(place_record(clean_text("place", given.place, "where the child was found")))
        location = {"source": SOURCE, "id": records[-1]["id"]}
    concern = clean_text("referral", given.referral, "", required=False)
    if (adults or _concern_place(location)) and not concern:
        raise MissingRefused(
            "referral",
            "expected the safeguarding concern to refer: the child was found with an adult who is not family "
            "or at a place of concern",
        )
    d.update(found_at=found_at.isoformat(), found_by=by, returned_of_own_accord=given.returned_of_own_accord)
    if location is not None:
        d["found_location"] = location
    if given.prevention_interview:
        d["prevention_interview_at"] = now.isoformat()
    due = found_at + current_policy().clause("M6").hours("return_home_interview")
    d["return_home_interview"] = {**(d.get("return_home_interview") or {}), "due_at": due.isoformat()}
    record["ended_at"] = found_at.isoformat()
    listed = {(p["person"]["source"], p["person"]["id"]) for p in record.get("participants") or []}
    for who in given.with_people:
        ref = person_ref(who)
        if (ref["source"], ref["id"]) not in listed:
            record.setdefault("participants", []).append({"person": ref, "role": "co_located"})
    if concern:
        records.append(_referral(record, child, concern, acting_user, now))
        d["safeguarding_referral"] = {"source": SOURCE, "id": records[-1]["id"]}
    return store([*records, record], acting_user=acting_user, clock=clock, reason="child found")


def _referral(record: dict[str, Any], child: int, concern: str, acting_user: Any, now: dt.datetime) -> dict[str, Any]:
    """The safeguarding referral to the MASH about the child, linked to the report (M6)."""
    return {
        "kind": "event",
        "source": SOURCE,
        "id": f"referral-{uuid.uuid4().hex}",
        "event_type": "referral",
        "occurred_at": now.isoformat(),
        "summary": concern,
        "recorded_by": actor(acting_user) if acting_user is not None else "safetynet",
        "participants": [{"person": person_ref(child), "role": "subject"}],
        "linked_events": [{"source": SOURCE, "id": record["id"]}],
        "details": {
            "concern": ["missing", "exploitation"],
            "referrer": actor(acting_user) if acting_user is not None else "safetynet",
            "received_at": now.isoformat(),
        },
    }


def record_return_interview(
    episode_id: int,
    *,
    completed_at: dt.datetime,
    outcome: str,
    acting_user: Any,
    declined: bool = False,
    version: str | None = None,
    clock: Clock = system_clock,
) -> Event:
    """Children's social care records the return home interview (held, or offered and declined)."""
    require(acting_user, "return_interviews", "record a return home interview")
    done = at_time("completed_at", completed_at)
    if done > clock.now():
        raise MissingRefused("completed_at", "expected the time of the interview: now or earlier")
    record = record_of(episode_of(episode_id), clock, version)
    d = record["details"]
    if not d.get("found_at"):
        raise MissingRefused("episode", "expected an episode where the child has been found")
    if done < dt.datetime.fromisoformat(d["found_at"]):
        raise MissingRefused("completed_at", "expected a time after the child was found")
    said = clean_text("outcome", outcome, "what the child said and what follows", 10)
    rhi = dict(d.get("return_home_interview") or {})
    rhi.update(
        completed_at=done.isoformat(),
        outcome=said,
        declined=declined,
        offered_at=rhi.get("offered_at") or done.isoformat(),
    )
    if acting_user is not None:
        rhi["by"] = actor(acting_user)
    d["return_home_interview"] = rhi
    return store([record], acting_user=acting_user, clock=clock, reason="return home interview recorded")
