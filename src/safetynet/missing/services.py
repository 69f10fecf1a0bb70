"""The missing workspace's workflows: report an episode (with the policy floor and the facts
behind it read from the linked picture before the grade is chosen), review it (sergeant,
inspector), name the officer in charge, add and complete lines of enquiry, record the child
found (who with, where, the safeguarding referral when found with adults) and the return home
interview that children's social care records.

Capture is a source: an episode is an interchange `event` of type `missing_report` written by
the product (`source = "safetynet"`), each change a new version through the capture service
(door `web`), so linkage, risk (M1-M7 read the report) and task sync run as for any import.
Every function takes a keyword-only `acting_user` and an injected clock, and refuses bad input
with `MissingRefused(field, expected)` before anything is stored. A change made from a page
names the version it was made on (`version`, the episode's recorded_at): when someone else
changed the episode since, it is refused and nothing is lost."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from safetynet.access.profiles import has_permission, role_of
from safetynet.interchange.written import CaptureRejected, next_version, write, written_event
from safetynet.lib.clock import Clock, system_clock
from safetynet.meetings.services import actor, individual_of_ref, person_ref
from safetynet.missing import facts
from safetynet.records.models import Event, Location
from safetynet.risk.policy import current_policy
from safetynet.risk.rules.base import at_least
from safetynet.risk.rules.missing import GRADES

SOURCE = "safetynet"
TEXT_MAX = 4000
RATIONALE_MIN = 20
MISSING_FROM = ("home", "care", "school", "other")
THRIVE = ("threat", "harm", "risk", "investigation", "vulnerability", "engagement")
# The care home's own initial enquiries a child missing from care needs (the Philomena protocol).
HOME_CHECK_LABELS = {
    "searched_home": "Searched the home and its grounds",
    "phoned_child": "Phoned the child",
    "contacted_friends_family": "Contacted friends and family",
    "visited_known_places": "Visited places the child is known to go",
    "checked_social_media": "Checked the child's social media",
    "contacted_school": "Contacted the school or college",
}
HOME_CHECKS = tuple(HOME_CHECK_LABELS)


class MissingRefused(Exception):
    """Bad input for an episode: `field` names the input, `expected` what was expected."""

    def __init__(self, field: str, expected: str) -> None:
        super().__init__(f"{field}: {expected}")
        self.field = field
        self.expected = expected


class NotYours(Exception):
    """`acting_user` may not make this change (the message names the rank or permission)."""


def clean_text(name: str, value: Any, what: str, minimum: int = 1, *, required: bool = True) -> str:
    text = str(value or "").strip()
    if not text and not required:
        return ""
    if len(text) < minimum:
        raise MissingRefused(name, f"expected {what}" + (f" (at least {minimum} characters)" if minimum > 1 else ""))
    if len(text) > TEXT_MAX:
        raise MissingRefused(name, f"expected {TEXT_MAX:,} characters or fewer")
    return text


def at_time(name: str, value: Any) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise MissingRefused(name, "expected a date and time with its time zone")
    return value


def rank(user: Any) -> str:
    """The acting user's rank by role ('' for staff who hold none, partners included)."""
    return role_of(user) or "" if user is not None else "inspector"


def is_supervisor(user: Any) -> bool:
    return user is None or at_least(rank(user), "sergeant")


def require(user: Any, permission: str, what: str) -> None:
    if user is not None and not has_permission(user, permission):
        raise NotYours(f"expected a role with the {permission} permission to {what}")


def check_rationale(name: str, text: str) -> str:
    """A rationale for a grade below the floor: written, and neither citing how often the child
    goes missing (M1) nor using language that blames the child (the policy's matcher)."""
    policy = current_policy()
    why = clean_text(name, text, "a written rationale for a grade below the floor", RATIONALE_MIN)
    frequency = [w for w in policy.clause("M1").words("frequency_words") if w in why.lower()]
    if frequency:
        raise MissingRefused(
            name, f"expected a rationale that does not cite how often the child goes missing ({frequency[0]!r})"
        )
    spans = policy.language_spans(why, about_child=True)
    if spans:
        match = spans[0][2]
        raise MissingRefused(name, f"expected wording that does not blame the child: {match.message()}")
    return why


def episode_of(pk: int) -> Event:
    """The missing report written in safetynet with this id (MissingRefused if there is none)."""
    found = written_event(pk, "missing_report")
    if found is None:
        raise MissingRefused("episode", f"expected the id of a missing episode recorded in safetynet, not {pk}")
    return found


def version_of(episode: Event) -> str:
    assert episode.recorded_at is not None
    return episode.recorded_at.isoformat()


def _check_version(episode: Event, version: str | None) -> None:
    if version is not None and version != version_of(episode):
        assert episode.recorded_at is not None
        raise MissingRefused(
            "version",
            f"expected the episode as it is now: someone else changed it at {episode.recorded_at:%H:%M:%S}; "
            "reload it, check their change and make yours again",
        )


def store(records: list[dict[str, Any]], *, acting_user: Any, clock: Clock, reason: str) -> Event:
    """Sends the records (the episode last) through the capture service; the stored episode."""
    try:
        return write(records, acting_user=acting_user, clock=clock, reason=reason, label="missing")
    except CaptureRejected as rejected:
        raise MissingRefused(rejected.field or "episode", rejected.reason) from rejected


def record_of(episode: Event, clock: Clock, version: str | None) -> dict[str, Any]:
    """The episode's current version as a record to change and send as the next version."""
    _check_version(episode, version)
    return next_version(episode, clock)


def start(record: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(record["occurred_at"])


def _reported(record: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(record.get("reported_at") or record["occurred_at"])


@dataclass(frozen=True)
class Report:
    """What the call handler records: when and where the child was last seen, from where they
    are missing, the circumstances, a description, who reports, THRIVE, the grade and (below
    the floor, sergeant or above only) the rationale, and the self-defined ethnicity."""

    last_seen_at: dt.datetime
    missing_from: str
    circumstances: str
    description: str
    reported_by: str
    risk: str
    ethnicity_self_defined: str
    rationale: str = ""
    thrive: dict[str, str] = field(default_factory=dict)
    last_seen_place: str = ""
    care_home: dict[str, str] | None = None  # missing from care: the children's home on record


def _grade(name: str, value: str) -> str:
    if value not in GRADES:
        raise MissingRefused(name, f"expected a grade on the scale: {', '.join(GRADES)}")
    return value


def _graded(name: str, chosen: str, floor: str | None, rationale: str, user: Any) -> str:
    """The rationale a grade needs: below the floor, a supervisor's that passes the checks."""
    if not facts.below(chosen, floor):
        return str(rationale or "").strip()
    if not is_supervisor(user):
        raise MissingRefused(
            name,
            f"expected {floor} or above: the policy floor for a missing child; a lower grade stands only with "
            "the written rationale of a sergeant or above",
        )
    return check_rationale("rationale", rationale)


def report(individual_id: int, given: Report, *, acting_user: Any, clock: Clock = system_clock) -> Event:
    """Records a new missing episode for `individual_id`, graded against the floor read now."""
    require(acting_user, "missing_episodes", "report a missing child")
    now = clock.now()
    seen = at_time("last_seen_at", given.last_seen_at)
    if seen > now:
        raise MissingRefused("last_seen_at", "expected the time the child was last seen: now or earlier")
    if given.missing_from not in MISSING_FROM:
        raise MissingRefused("missing_from", f"expected one of {', '.join(MISSING_FROM)}")
    ethnicity = str(given.ethnicity_self_defined or "").strip().upper()
    if not (ethnicity == "NS" or (len(ethnicity) == 2 and ethnicity[0] in "WMABO" and ethnicity[1] in "123456789")):
        raise MissingRefused(
            "ethnicity_self_defined", "expected the child's own description (a census code such as W1, or NS)"
        )
    risk = _grade("risk", given.risk)
    floor = facts.floor_for(individual_id, now)
    rationale = _graded("risk", risk, floor.grade, given.rationale, acting_user)
    by = actor(acting_user) if acting_user is not None else {"name": "safetynet"}
    details: dict[str, Any] = {
        "missing_from": given.missing_from,
        "reported_by": clean_text("reported_by", given.reported_by, "who reported the child missing"),
        "last_seen_at": seen.isoformat(),
        "circumstances": clean_text("circumstances", given.circumstances, "the circumstances"),
        "description": clean_text("description", given.description, "a description of the child", required=False),
        "initial_risk": risk,
        "graded_by": by,
        "floor": {"grade": floor.grade, "facts": floor.facts, "policy_version": floor.policy_version},
        "ethnicity_self_defined": ethnicity,
    }
    if rationale:
        details["risk_rationale"] = rationale
    if given.care_home is not None:
        if given.missing_from != "care":
            raise MissingRefused("care_home", "expected a children's home only for a child missing from care")
        details["care_home"] = {"source": str(given.care_home["source"]), "id": str(given.care_home["id"])}
    thrive = {k: clean_text(k, v, "text", required=False) for k, v in given.thrive.items() if k in THRIVE}
    if any(thrive.values()):
        details["thrive"] = {k: v for k, v in thrive.items() if v}
    place = clean_text("last_seen_place", given.last_seen_place, "", required=False)
    records: list[dict[str, Any]] = []
    if place:
        records.append(place_record(place))
        details["last_seen_location"] = {"source": SOURCE, "id": records[-1]["id"]}
    records.append(
        {
            "kind": "event",
            "source": SOURCE,
            "id": f"missing-{uuid.uuid4().hex}",
            "event_type": "missing_report",
            "occurred_at": seen.isoformat(),
            "reported_at": now.isoformat(),
            "summary": "Child reported missing.",
            "recorded_by": by,
            "participants": [{"person": person_ref(individual_id), "role": "missing_person"}],
            "details": {k: v for k, v in details.items() if v not in ("", None)},
        }
    )
    return store(records, acting_user=acting_user, clock=clock, reason="missing episode reported")


def place_record(address: str) -> dict[str, Any]:
    """A location record for an address typed on a form (lines split on commas)."""
    lines = [part.strip() for part in address.split(",") if part.strip()][:6]
    return {"kind": "location", "source": SOURCE, "id": f"place-{uuid.uuid4().hex}", "address_lines": lines}


def review(
    episode_id: int,
    *,
    risk: str,
    rationale: str,
    acting_user: Any,
    at: dt.datetime | None = None,
    version: str | None = None,
    clock: Clock = system_clock,
) -> Event:
    """A sergeant's or inspector's review: the grade in force from now, with a rationale (below
    the floor, one that passes the M1 and language checks). `at` (default now) may not be
    before the report or in the future."""
    require(acting_user, "missing_episodes", "review a missing episode")
    if not is_supervisor(acting_user):
        raise NotYours("expected a sergeant or above to review a missing episode")
    record = record_of(episode_of(episode_id), clock, version)
    when = at_time("at", at) if at is not None else clock.now()
    if when < _reported(record):
        raise MissingRefused("at", "expected a time at or after the report was made")
    if when > clock.now():
        raise MissingRefused("at", "expected the time of the review: now or earlier")
    chosen = _grade("risk", risk)
    floor = (record["details"].get("floor") or {}).get("grade")
    why = _graded("risk", chosen, floor, rationale, acting_user)
    if not why:
        why = clean_text("rationale", rationale, "the reviewer's rationale for the grade", 10)
    by = {**actor(acting_user), "rank": rank(acting_user)} if acting_user is not None else {"rank": "inspector"}
    record["details"].setdefault("reviews", []).append(
        {"at": when.isoformat(), "by": by, "risk": chosen, "rationale": why}
    )
    return store([record], acting_user=acting_user, clock=clock, reason=f"reviewed: graded {chosen}")


def assign_officer(
    episode_id: int, *, officer: str, acting_user: Any, version: str | None = None, clock: Clock = system_clock
) -> Event:
    """Names the officer in charge (collar number and name as typed), assigned now."""
    require(acting_user, "missing_episodes", "name the officer in charge")
    name = clean_text("officer", officer, "the officer in charge's name or collar number")
    if len(name) > 120:
        raise MissingRefused("officer", "expected 120 characters or fewer")
    record = record_of(episode_of(episode_id), clock, version)
    record["details"]["officer_in_charge"] = {"name": name, "assigned_at": clock.now().isoformat()}
    return store([record], acting_user=acting_user, clock=clock, reason="officer in charge named")


def add_line(
    episode_id: int,
    *,
    text: str,
    acting_user: Any,
    individual_id: int | None = None,
    person: dict[str, str] | None = None,
    location: dict[str, str] | None = None,
    address: str = "",
    proposed_from: str = "",
    version: str | None = None,
    clock: Clock = system_clock,
) -> Event:
    """Adds a line of enquiry naming a person (an individual or a record reference) and/or a
    place (a location on record or an address typed). A generic line ("check addresses") that
    names neither is refused: it is not a line of enquiry (M3)."""
    require(acting_user, "missing_episodes", "add a line of enquiry")
    what = clean_text("text", text, "what is to be done")
    if individual_id is not None:
        person = person_ref(individual_id)
    elif person is not None and individual_of_ref(person) is None:
        raise MissingRefused("person", "expected a person on record")
    if location is not None and not Location.live.filter(source=location.get("source"), source_id=location.get("id")):
        raise MissingRefused("location", "expected a place on record")
    typed = clean_text("address", address, "", required=False)
    if person is None and location is None and not typed:
        generic = current_policy().clause("M3").words("generic_phrases")
        if any(p in what.lower() for p in generic):
            raise MissingRefused(
                "address", "expected the address or the person to check: a line naming neither is not one"
            )
        raise MissingRefused("person", "expected the person or the address the line of enquiry is about")
    record = record_of(episode_of(episode_id), clock, version)
    records: list[dict[str, Any]] = []
    if typed and location is None:
        records.append(place_record(typed))
        location = {"source": SOURCE, "id": records[-1]["id"]}
    line: dict[str, Any] = {"text": what, "added_by": actor(acting_user) if acting_user is not None else "safetynet"}
    for key, value in (("person", person), ("location", location), ("proposed_from", proposed_from[:40])):
        if value:
            line[key] = value
    record["details"].setdefault("lines_of_enquiry", []).append(line)
    return store([*records, record], acting_user=acting_user, clock=clock, reason="line of enquiry added")


def complete_line(
    episode_id: int,
    index: int,
    *,
    outcome: str,
    acting_user: Any,
    version: str | None = None,
    clock: Clock = system_clock,
) -> Event:
    """Records line `index` (from 0) done, with its outcome."""
    require(acting_user, "missing_episodes", "record a line of enquiry done")
    result = clean_text("outcome", outcome, "what the enquiry found", 5)
    record = record_of(episode_of(episode_id), clock, version)
    lines = record["details"].get("lines_of_enquiry") or []
    if not 0 <= index < len(lines) or lines[index].get("done_at"):
        raise MissingRefused("line", "expected a line of enquiry not yet done")
    lines[index].update(done_at=clock.now().isoformat(), outcome=result)
    if acting_user is not None:
        lines[index]["done_by"] = actor(acting_user)
    return store([record], acting_user=acting_user, clock=clock, reason=f"line of enquiry {index + 1} done")
