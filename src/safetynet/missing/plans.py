"""Trigger plans, Philomena profiles and fast action response plans (FARPs) for a child who goes
missing (docs/missing.md): a `plan` record of source `safetynet` about the child, written
through the capture service (door `web`) like every other fact, with the associates (people on
record), the places (on record or typed: each a `location` record), the child's phone numbers,
description, a reference to their photograph, the risks if missing, what to do, its owner and
the review date. An edit is the plan's next version, made on the version the editor saw.

Policy M4 reads these plans: a child reported missing 3 times in 90 days needs one whose review
date has not passed, so recording or reviewing a plan here closes M4 at the next evaluation
(which capture sets off)."""

from __future__ import annotations

import copy
import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from safetynet.identity.models import Membership
from safetynet.interchange.written import CaptureRejected, send
from safetynet.lib.clock import Clock, system_clock
from safetynet.meetings.services import MeetingRefused, actor, person_ref, person_refs
from safetynet.missing.facts import PLAN_TYPES
from safetynet.missing.services import SOURCE, MissingRefused, clean_text, place_record, require
from safetynet.records.models import Location, Plan

PERMISSION = "missing_plans"
REVIEW_MAX_DAYS = 90  # reviewed at least within M4's 90-day window
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,22}$")
PHONES_MAX = 10
PEOPLE_MAX = 30
PHOTO_MAX = 120
PLAN_LABELS = {
    "trigger_plan": "Trigger plan",
    "philomena_profile": "Philomena profile",
    "fast_action_response_plan": "Fast action response plan (FARP)",
}


@dataclass(frozen=True)
class PlanGiven:
    """What the plan says. `associates` are individuals; `places` locations on record
    ({source, id}); `addresses` places typed, one address each."""

    plan_type: str
    review_due: dt.date | None
    description: str
    risks: str
    content: str = ""
    photo_reference: str = ""
    phones: list[str] = field(default_factory=list)
    associates: list[int] = field(default_factory=list)
    places: list[dict[str, str]] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)


def plan_of(pk: int) -> Plan:
    """A trigger plan, Philomena profile or FARP written in safetynet (MissingRefused else)."""
    found = Plan.live.filter(pk=pk, source=SOURCE, plan_type__in=PLAN_TYPES).first()
    if found is None:
        raise MissingRefused(
            "plan", f"expected the id of a trigger plan, Philomena profile or FARP recorded here, not {pk}"
        )
    return found


def plan_version(plan: Plan) -> str:
    assert plan.recorded_at is not None
    return plan.recorded_at.isoformat()


def _review_due(value: Any, clock: Clock) -> dt.date:
    today = clock.now().date()
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise MissingRefused("review_due", "expected the date the plan is next reviewed")
    if value <= today:
        raise MissingRefused("review_due", "expected a review date after today")
    if value > today + dt.timedelta(days=REVIEW_MAX_DAYS):
        raise MissingRefused("review_due", f"expected a review within {REVIEW_MAX_DAYS} days")
    return value


def _phones(values: list[str]) -> list[str]:
    out = [" ".join(str(v).split()) for v in values if str(v).strip()]
    if len(out) > PHONES_MAX:
        raise MissingRefused("phones", f"expected at most {PHONES_MAX} phone numbers")
    for number in out:
        if not PHONE.match(number):
            raise MissingRefused("phones", f"expected phone numbers of digits, spaces and + ( ) -, not {number[:30]!r}")
    return list(dict.fromkeys(out))


def _places(given: PlanGiven) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The new location records for typed addresses, and every place reference."""
    refs: list[dict[str, str]] = []
    for place in given.places:
        if not Location.live.filter(source=place.get("source"), source_id=place.get("id")).exists():
            raise MissingRefused("places", "expected places on record")
        refs.append({"source": str(place["source"]), "id": str(place["id"])})
    records = []
    for typed in given.addresses:
        text = clean_text("addresses", typed, "", required=False)
        if text:
            records.append(place_record(text))
            refs.append({"source": SOURCE, "id": records[-1]["id"]})
    if len(refs) > PEOPLE_MAX:
        raise MissingRefused("places", f"expected at most {PEOPLE_MAX} places")
    return records, refs


def _fields(child: int, given: PlanGiven, clock: Clock) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The plan's fields as interchange (and the location records it needs), checked."""
    if given.plan_type not in PLAN_TYPES:
        raise MissingRefused("plan_type", "expected one of " + ", ".join(PLAN_TYPES))
    due = _review_due(given.review_due, clock)
    description = clean_text("description", given.description, "the child's description (build, hair, clothing)", 10)
    risks = clean_text("risks", given.risks, "the risks to the child when missing", 10)
    content = clean_text("content", given.content, "", required=False)
    photo = clean_text("photo_reference", given.photo_reference, "", required=False)
    if len(photo) > PHOTO_MAX or "\n" in photo:
        raise MissingRefused(
            "photo_reference", f"expected a reference to the photograph on one line, {PHOTO_MAX} characters or fewer"
        )
    if len(given.associates) > PEOPLE_MAX:
        raise MissingRefused("associates", f"expected at most {PEOPLE_MAX} associates")
    if child in given.associates:
        raise MissingRefused("associates", "expected the people the child associates with, not the child")
    try:
        associates = person_refs(given.associates)
    except MeetingRefused:
        raise MissingRefused("associates", "expected people on record") from None
    records, places = _places(given)
    out: dict[str, Any] = {
        "plan_type": given.plan_type,
        "review_due": due.isoformat(),
        "description": description,
        "risks": risks,
        "phones": _phones(given.phones),
        "associates": [associates[i] for i in dict.fromkeys(given.associates)],
        "places": places,
        "content": content,
        "photo_reference": photo,
    }
    return records, out


def _send(records: list[dict[str, Any]], *, acting_user: Any, clock: Clock, reason: str) -> None:
    try:
        send(records, acting_user=acting_user, clock=clock, reason=reason, label="missing")
    except CaptureRejected as rejected:
        raise MissingRefused(rejected.field or "plan", rejected.reason) from rejected


def record_plan(child: int, given: PlanGiven, *, acting_user: Any, clock: Clock = system_clock) -> Plan:
    """Records a new trigger plan, Philomena profile or FARP for `child`."""
    require(acting_user, PERMISSION, "record a trigger plan, Philomena profile or FARP")
    try:
        ref = person_ref(child)
    except MeetingRefused:
        raise MissingRefused("individual", "expected the id of a child on record") from None
    records, fields = _fields(child, given, clock)
    plan_id = f"plan-{uuid.uuid4().hex}"
    line = {
        "kind": "plan",
        "source": SOURCE,
        "id": plan_id,
        "person": ref,
        "created_at": clock.now().isoformat(),
        "owner": actor(acting_user) if acting_user is not None else "safetynet",
        **{k: v for k, v in fields.items() if v not in ("", [])},
    }
    _send([*records, line], acting_user=acting_user, clock=clock, reason=f"{given.plan_type} recorded")
    return Plan.live.get(source=SOURCE, source_id=plan_id)


def update_plan(
    pk: int, given: PlanGiven, *, acting_user: Any, version: str | None = None, clock: Clock = system_clock
) -> Plan:
    """The plan's next version with what the editor gave (every field replaced; the owner and
    when it was created kept). Refused when someone else changed it since `version`."""
    require(acting_user, PERMISSION, "change a trigger plan, Philomena profile or FARP")
    plan = plan_of(pk)
    assert plan.recorded_at is not None
    if version is not None and version != plan_version(plan):
        raise MissingRefused(
            "version",
            f"expected the plan as it is now: someone else changed it at {plan.recorded_at:%H:%M:%S}; "
            "reload it, check their change and make yours again",
        )
    members = Membership.objects.filter(person_id=plan.person_id or 0)
    child = members.values_list("individual_id", flat=True).first() or 0
    records, fields = _fields(child, given, clock)
    line = copy.deepcopy(plan.payload or {})
    line["recorded_at"] = max(clock.now(), plan.recorded_at + dt.timedelta(microseconds=1)).isoformat()
    for key, value in fields.items():
        if value in ("", []):
            line.pop(key, None)
        else:
            line[key] = value
    _send([*records, line], acting_user=acting_user, clock=clock, reason=f"{plan.plan_type} changed")
    return Plan.live.get(pk=plan.pk)
