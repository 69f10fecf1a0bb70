"""Findings name who and where they rest on: the rules store the people and places as
references with their part in the finding (`detail["named"]`), never as names; the screens and
the API render them for each viewer (reads/naming.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from safetynet.risk.rules.base import FindingDraft
from tests.risk.conftest import World, ago, iso, ref


def _named(draft: FindingDraft) -> list[tuple[str, str, tuple[str, str]]]:
    return [(e["kind"], e["as"], (e["ref"]["source"], e["ref"]["id"])) for e in (draft.detail or {}).get("named", [])]


def test_the_cawn_finding_names_the_adult_who_lacks_the_marker(world: World) -> None:
    child, adult = world.child(14), world.adult(30)
    world.order("cawn", adult, [child])
    world.marker(child, "cawn_child", linked=adult)
    (finding,) = world.findings(child, "M7")
    assert "the adult has no warning marker" in finding.reason
    assert _named(finding) == [("person", "adult named in the notice, with no warning marker", ref(adult))]


def test_lines_of_enquiry_name_each_known_adult_and_the_places_the_child_was_found(world: World) -> None:
    child, boyfriend, cawn_adult = world.child(15), world.adult(19), world.adult(40)
    world.relationship(boyfriend, child, "boyfriend_girlfriend")
    world.marker(child, "cawn_child", linked=cawn_adult)
    hotel, park = world.location("hotel"), world.location("other")
    for days, place in ((40, hotel), (30, hotel), (20, park)):
        world.event(
            "missing_report",
            ago(days=days),
            [(child, "missing_person")],
            details={"found_at": iso(ago(days=days) + dt.timedelta(hours=8)), "found_location": _loc(place)},
        )
    world.event(
        "missing_report",
        ago(days=2),
        [(child, "missing_person")],
        details={"lines_of_enquiry": [{"text": "Check addresses", "location": None, "person": None}]},
    )
    (finding,) = world.findings(child, "M3")
    named = _named(finding)
    assert ("person", "adult named in a child abduction warning notice", ref(cawn_adult)) in named
    assert ("person", "known relationship: boyfriend or girlfriend", ref(boyfriend)) in named
    places = [e for e in (finding.detail or {})["named"] if e["kind"] == "place"]
    assert [(p["ref"]["id"], p["count"]) for p in places] == [(hotel.source_id, 2), (park.source_id, 1)]


def test_the_exploitation_finding_names_the_adult_and_the_other_children(world: World) -> None:
    adult, child, other, third = world.adult(28), world.child(14), world.child(15), world.child(13)
    for c in (child, other, third):
        world.relationship(adult, c, "associate_of")
        world.marker(c, "cse_risk")
    (finding,) = world.findings(child, "X2")
    named = _named(finding)
    assert named[0] == ("person", "adult linked to the children", ref(adult))
    assert {r for _, role, r in named[1:] if role == "child linked to the adult"} == {ref(other), ref(third)}
    assert ref(child) not in {r for *_, r in named}  # the finding is about them already


def test_the_marac_finding_names_the_parent_the_meeting_was_about(world: World) -> None:
    # The picture holds the child's own circle: the father (a parent) is named with his part
    # in the meeting; the victim, recorded with no link to this child, is not in it.
    child, father, victim = world.child(8), world.adult(40), world.adult(33)
    world.relationship(father, child, "parent_of")
    world.event(
        "meeting",
        ago(days=12),
        [(victim, "subject"), (father, "perpetrator")],
        details={"meeting_type": "marac", "outcome_recorded": True, "outcome_recorded_at": iso(ago(days=12))},
    )
    (finding,) = world.findings(child, "D2")
    assert _named(finding) == [("person", "perpetrator at the MARAC", ref(father))]


def _loc(place: Any) -> dict[str, str]:
    return {"source": place.source, "id": place.source_id}
