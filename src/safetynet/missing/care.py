"""A child missing from care (docs/missing.md): the children's home they are missing from, and the
home's own initial enquiries under the Philomena protocol (searching the home, phoning the child,
contacting friends and family, visiting known places) recorded on the episode; and a child not
on record, created through capture (a `person` record of source `safetynet`, linked like any
other) so the report can be made about them.

The enquiries' absence is raised with the home's placing authority through the partnership
escalation log by the deadline sweep (`work.philomena`); recording them here stops that."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from safetynet.identity.linking import link_persons
from safetynet.identity.models import Membership
from safetynet.interchange.written import CaptureRejected, send
from safetynet.lib.clock import Clock, system_clock
from safetynet.meetings.services import actor
from safetynet.missing.services import (
    HOME_CHECKS,
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
from safetynet.records.models import Event, Location, Person, PersonAddress

CHILDRENS_HOME = "childrens_home"
NAME_MAX = 100


def children_homes() -> list[tuple[int, str]]:
    """The children's homes on record (pk, address as recorded), by address, in one query."""
    homes = Location.live.filter(location_type=CHILDRENS_HOME).order_by("address_lines", "pk")
    out = []
    for home in homes.only("pk", "address_lines", "town", "postcode"):
        parts = [*(home.address_lines or []), home.town, home.postcode]
        out.append((home.pk, ", ".join(str(p) for p in parts if p) or "a place with no recorded address"))
    return out


def home_ref(pk: int | None) -> dict[str, str] | None:
    """The reference of the children's home `pk` (MissingRefused when it is not one)."""
    if pk is None:
        return None
    home = Location.live.filter(pk=pk, location_type=CHILDRENS_HOME).first()
    if home is None:
        raise MissingRefused("care_home", "expected a children's home on record")
    return {"source": home.source, "id": home.source_id}


def placement_of(individual_id: int) -> Location | None:
    """The children's home the child lives in now (a current address there), else None."""
    persons = Membership.objects.filter(individual_id=individual_id).values("person_id")
    address = (
        PersonAddress.objects.filter(
            person_id__in=persons, valid_to__isnull=True, location__location_type=CHILDRENS_HOME
        )
        .exclude(kind="previous")
        .select_related("location")
        .order_by("-valid_from")
        .first()
    )
    return address.location if address is not None else None


def record_home_enquiries(
    episode_id: int,
    *,
    made_at: dt.datetime,
    checks: list[str],
    made_by: str,
    findings: str,
    acting_user: Any,
    version: str | None = None,
    clock: Clock = system_clock,
) -> Event:
    """Records the care home's own initial enquiries on an episode of a child missing from care:
    refused for another episode, in the future, before the child was last seen, or naming no
    check the protocol lists."""
    require(acting_user, "missing_episodes", "record the home's enquiries")
    when = at_time("made_at", made_at)
    if when > clock.now():
        raise MissingRefused("made_at", "expected the time the home made its enquiries: now or earlier")
    record = record_of(episode_of(episode_id), clock, version)
    d = record["details"]
    if d.get("missing_from") != "care":
        raise MissingRefused("episode", "expected an episode of a child missing from care")
    if when < start(record):
        raise MissingRefused("made_at", "expected a time after the child was last seen")
    done = [c for c in dict.fromkeys(checks) if c]
    if not done or any(c not in HOME_CHECKS for c in done):
        raise MissingRefused("checks", "expected what the home did, from: " + ", ".join(HOME_CHECKS))
    by = clean_text("made_by", made_by, "who at the home made the enquiries")
    if len(by) > 200:
        raise MissingRefused("made_by", "expected 200 characters or fewer")
    d["home_enquiries"] = {
        "made_at": when.isoformat(),
        "checks": done,
        "made_by": by,
        "findings": clean_text("findings", findings, "what the enquiries found", 5),
        "recorded_at": clock.now().isoformat(),
        "recorded_by": actor(acting_user) if acting_user is not None else "safetynet",
    }
    return store([record], acting_user=acting_user, clock=clock, reason="home's initial enquiries recorded")


@dataclass(frozen=True)
class NewChild:
    """A child not on record, as the call handler knows them."""

    given_names: str
    family_name: str
    date_of_birth: dt.date | None = None
    sex: str = "unknown"
    address: str = ""


def create_child(given: NewChild, *, acting_user: Any, clock: Clock = system_clock) -> int:
    """Records a child not on record (a person of source safetynet, through capture: linked, so
    a record that matches someone on record joins them) and answers their individual's id."""
    require(acting_user, "missing_episodes", "report a missing child")
    names = {}
    for name, value, what in (
        ("given_names", given.given_names, "the child's given names"),
        ("family_name", given.family_name, "the child's family name"),
    ):
        text = clean_text(name, value, what)
        if len(text) > NAME_MAX or "\n" in text:
            raise MissingRefused(name, f"expected a name on one line, {NAME_MAX} characters or fewer")
        names[name] = text
    today = clock.now().date()
    if given.date_of_birth is not None and not (today - dt.timedelta(days=18 * 366) < given.date_of_birth <= today):
        raise MissingRefused("date_of_birth", "expected a child's date of birth: under 18 and not in the future")
    if given.sex not in ("female", "male", "other", "unknown"):
        raise MissingRefused("sex", "expected female, male, other or unknown")
    records: list[dict[str, Any]] = []
    person: dict[str, Any] = {
        "kind": "person",
        "source": SOURCE,
        "id": f"person-{uuid.uuid4().hex}",
        **names,
        "sex": given.sex,
    }
    if given.date_of_birth is not None:
        person["date_of_birth"] = given.date_of_birth.isoformat()
    address = clean_text("address", given.address, "", required=False)
    if address:
        records.append(place_record(address))
        person["addresses"] = [{"location": {"source": SOURCE, "id": records[-1]["id"]}, "kind": "home"}]
    records.append(person)
    try:
        send(
            records,
            acting_user=acting_user,
            clock=clock,
            reason="child not on record reported missing",
            label="missing",
        )
    except CaptureRejected as rejected:
        raise MissingRefused(rejected.field or "person", rejected.reason) from rejected
    stored = Person.live.get(source=SOURCE, source_id=person["id"])
    member = Membership.objects.filter(person=stored).values_list("individual_id", flat=True).first()
    if member is None:
        # Capture links on commit; the report is made now, so the record is linked now (linking
        # it again on commit changes nothing).
        link_persons([stored.pk], acting_user=acting_user, clock=clock, reason="reported missing")
        member = Membership.objects.filter(person=stored).values_list("individual_id", flat=True).first()
    if member is None:
        raise MissingRefused("person", "expected the child to be linked: no linkage model; try again")
    return int(member)
