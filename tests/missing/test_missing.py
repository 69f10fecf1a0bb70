"""The missing workspace's services end to end: the floor and its facts read from the linked
picture before grading, a downgrade refused without a sergeant's rationale (and with one citing
frequency or blaming the child), lines of enquiry proposed from the picture and a generic one
refused, the child found with an adult -> a safeguarding referral raised, the return home
interview recorded by social care, and M1, M2, M3 and M6 closing as the work is recorded. Bad
input is refused naming the field, with nothing stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from safetynet.lib.clock import FixedClock
from safetynet.missing import facts, returns
from safetynet.missing import services as missing
from safetynet.records.models import Event
from safetynet.risk.rules.base import FindingDraft
from safetynet.risk.services import evaluate_individual
from tests.missing.conftest import ADULT, HOME, HOTEL
from tests.world import AccessWorld

OK_RATIONALE = "Located by phone at her aunt's address, safe and well; officers attend within the hour."


def _report(world: AccessWorld, child: dict[str, int], clock: FixedClock, **changes: Any) -> Event:
    values: dict[str, Any] = {
        "last_seen_at": clock.now() - dt.timedelta(hours=2),
        "missing_from": "care",
        "circumstances": "Left the children's home after tea and did not come back.",
        "description": "Grey hoodie, black trainers.",
        "reported_by": "Home manager",
        "risk": "high",
        "ethnicity_self_defined": "W1",
        "thrive": {"threat": "Older boyfriend named in a CAWN."},
    }
    user = changes.pop("user", world.users["call_handler"])
    return missing.report(child["child"], missing.Report(**{**values, **changes}), acting_user=user, clock=clock)


def _open(clause: str, individual: int, clock: FixedClock) -> list[FindingDraft]:
    """The risk engine's findings of `clause` about the episodes written here, as of the clock."""
    drafts = evaluate_individual(individual, as_of=clock.now()).drafts
    return [d for d in drafts if d.clause == clause and any(source == "safetynet" for source, _ in d.cites)]


def test_the_floor_and_its_facts_come_from_the_linked_picture(child: dict[str, int], clock: FixedClock) -> None:
    floor = facts.floor_for(child["child"], clock.now())
    assert floor.grade == "high"
    assert floor.episodes_90_days == 3
    words = " ".join(floor.facts)
    assert "Aged 15 (a child)" in words and "looked after" in words and "child abduction warning notice" in words
    assert "3 time(s) in the last 90 days" in words and "trigger plan" in words
    proposed = facts.proposals(child["child"], clock.now())
    adam = [p for p in proposed if p.person == {"source": ADULT[0], "id": ADULT[1]}]
    assert adam and adam[0].location == {"source": HOME[0], "id": HOME[1]}
    assert any(p.location == {"source": HOTEL[0], "id": HOTEL[1]} and p.extra["count"] == 2 for p in proposed)
    assert facts.person_words(adam[0].person) == "Adam Inventedolder"
    assert "1 Invented Road" in facts.place_words(adam[0].location)


def test_a_call_handler_cannot_grade_below_the_floor_and_nothing_is_stored(
    access_world: AccessWorld, child: dict[str, int], clock: FixedClock
) -> None:
    before = Event.live.filter(source="safetynet").count()
    with pytest.raises(missing.MissingRefused) as refused:
        _report(access_world, child, clock, risk="medium")
    assert refused.value.field == "risk" and "sergeant" in refused.value.expected
    for bad, field in (
        ({"risk": "extreme"}, "risk"),
        ({"last_seen_at": clock.now() + dt.timedelta(hours=1)}, "last_seen_at"),
        ({"ethnicity_self_defined": ""}, "ethnicity_self_defined"),
        ({"missing_from": "space"}, "missing_from"),
        ({"circumstances": " "}, "circumstances"),
    ):
        with pytest.raises(missing.MissingRefused) as refused:
            _report(access_world, child, clock, **bad)
        assert refused.value.field == field
    assert Event.live.filter(source="safetynet").count() == before


def test_a_sergeant_downgrades_only_with_a_rationale_that_passes_the_checks(
    access_world: AccessWorld, child: dict[str, int], clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        episode = _report(access_world, child, clock)
    stored = episode.details
    assert stored["floor"]["grade"] == "high" and stored["initial_risk"] == "high"
    assert stored["ethnicity_self_defined"] == "W1" and stored["thrive"]["threat"]
    assert not _open("M1", child["child"], clock)
    sergeant = access_world.users["sergeant"]
    clock.advance(minutes=20)
    for words, expected in (
        ("She goes missing regularly and always comes back.", "how often"),
        ("She is putting herself at risk by staying out with him.", "blame"),
        ("", "rationale"),
    ):
        with pytest.raises(missing.MissingRefused) as refused:
            missing.review(episode.pk, risk="medium", rationale=words, acting_user=sergeant, clock=clock)
        assert refused.value.field == "rationale" and expected in refused.value.expected
    with pytest.raises(missing.NotYours):
        missing.review(
            episode.pk, risk="high", rationale=OK_RATIONALE, acting_user=access_world.users["call_handler"], clock=clock
        )
    with django_capture_on_commit_callbacks(execute=True):
        episode = missing.review(episode.pk, risk="medium", rationale=OK_RATIONALE, acting_user=sergeant, clock=clock)
    assert episode.details["reviews"][-1]["by"]["rank"] == "sergeant"
    assert not _open("M1", child["child"], clock)


def test_supervision_clocks_close_when_officer_sergeant_and_inspector_act(
    access_world: AccessWorld, child: dict[str, int], clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        episode = _report(access_world, child, clock)
    m2 = _open("M2", child["child"], clock)
    assert m2 and "due by" in m2[0].reason
    clock.advance(minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        episode = missing.assign_officer(
            episode.pk, officer="PC 4567 Invented", acting_user=access_world.users["sergeant"], clock=clock
        )
        clock.advance(minutes=1)
        episode = missing.review(
            episode.pk, risk="high", rationale=OK_RATIONALE, acting_user=access_world.users["sergeant"], clock=clock
        )
        clock.advance(minutes=20)
        episode = missing.review(
            episode.pk, risk="high", rationale=OK_RATIONALE, acting_user=access_world.users["inspector"], clock=clock
        )
    reasons = [f.reason for f in _open("M2", child["child"], clock)]
    assert all("re-review" in r for r in reasons), reasons
    with pytest.raises(missing.MissingRefused) as refused:
        missing.review(
            episode.pk,
            risk="high",
            rationale=OK_RATIONALE,
            acting_user=access_world.users["inspector"],
            at=clock.now() - dt.timedelta(days=1),
            clock=clock,
        )
    assert refused.value.field == "at" and "after the report" in refused.value.expected


def test_lines_of_enquiry_name_a_person_or_a_place_and_a_generic_one_is_refused(
    access_world: AccessWorld, child: dict[str, int], clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        episode = _report(access_world, child, clock)
    officer = access_world.users["response_officer"]
    with pytest.raises(missing.MissingRefused) as refused:
        missing.add_line(episode.pk, text="Check addresses", acting_user=officer, clock=clock)
    assert refused.value.field == "address"
    clock.advance(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        episode = missing.add_line(
            episode.pk,
            text="Visit the boyfriend's home address",
            individual_id=child["adult"],
            location={"source": HOME[0], "id": HOME[1]},
            proposed_from="relationship",
            acting_user=officer,
            clock=clock,
        )
        clock.advance(minutes=5)
        episode = missing.add_line(
            episode.pk, text="Check the park", address="Invented Park, Testtown", acting_user=officer, clock=clock
        )
        clock.advance(minutes=5)
        episode = missing.complete_line(
            episode.pk, 0, outcome="Nobody at home; neighbour saw her yesterday.", acting_user=officer, clock=clock
        )
    lines = episode.details["lines_of_enquiry"]
    assert lines[0]["person"] == {"source": ADULT[0], "id": ADULT[1]} and lines[0]["done_at"]
    assert facts.place_words(lines[1]["location"]) == "Invented Park, Testtown"
    assert not _open("M3", child["child"], clock)


def test_found_with_an_adult_needs_a_referral_and_the_interview_closes_m6(
    access_world: AccessWorld, child: dict[str, int], clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        episode = _report(access_world, child, clock)
    officer, worker = access_world.users["response_officer"], access_world.users["partner_social_worker"]
    clock.advance(hours=3)
    found = returns.Found(
        found_at=clock.now() - dt.timedelta(minutes=10),
        found_by="PC 4567",
        place="Invented Flat, Testtown",
        with_people=[child["adult"], child["mother"]],
    )
    with pytest.raises(missing.MissingRefused) as refused:
        returns.record_found(episode.pk, found, acting_user=officer, clock=clock)
    assert refused.value.field == "referral"
    for bad, field in (
        (returns.Found(found_at=clock.now() + dt.timedelta(hours=1), found_by="PC"), "found_at"),
        (returns.Found(found_at=clock.now() - dt.timedelta(days=1), found_by="PC"), "found_at"),
    ):
        with pytest.raises(missing.MissingRefused) as refused:
            returns.record_found(episode.pk, bad, acting_user=officer, clock=clock)
        assert refused.value.field == field
    with django_capture_on_commit_callbacks(execute=True):
        episode = returns.record_found(
            episode.pk,
            returns.Found(**{**found.__dict__, "referral": "Found with an adult named in a CAWN."}),
            acting_user=officer,
            clock=clock,
        )
    roles = {p.person.source_id: p.role for p in episode.participations.select_related("person")}
    assert roles[ADULT[1]] == "co_located"
    referral = Event.live.get(source="safetynet", event_type="referral")
    assert episode in referral.linked_events.all()
    assert not [f for f in _open("M6", child["child"], clock) if "referral" in f.reason]
    assert [f for f in _open("M6", child["child"], clock) if "Return home interview" in f.reason]
    with pytest.raises(missing.NotYours):
        returns.record_return_interview(
            episode.pk, completed_at=clock.now(), outcome="Spoke with Mia at length.", acting_user=officer, clock=clock
        )
    clock.advance(hours=20)
    with django_capture_on_commit_callbacks(execute=True):
        episode = returns.record_return_interview(
            episode.pk,
            completed_at=clock.now(),
            outcome="Mia spoke about Adam; strategy meeting requested.",
            acting_user=worker,
            clock=clock,
        )
    assert episode.details["return_home_interview"]["by"]["organisation"] == "csc"
    assert not _open("M6", child["child"], clock)


def test_the_second_editor_is_told_and_nothing_is_lost(
    access_world: AccessWorld, child: dict[str, int], clock: FixedClock
) -> None:
    episode = _report(access_world, child, clock)
    seen = missing.version_of(episode)
    clock.advance(minutes=1)
    missing.assign_officer(
        episode.pk, officer="PC 1", acting_user=access_world.users["sergeant"], version=seen, clock=clock
    )
    clock.advance(minutes=1)
    with pytest.raises(missing.MissingRefused) as refused:
        missing.assign_officer(
            episode.pk, officer="PC 2", acting_user=access_world.users["inspector"], version=seen, clock=clock
        )
    assert refused.value.field == "version" and "someone else changed it" in refused.value.expected
    assert Event.live.get(pk=episode.pk).details["officer_in_charge"]["name"] == "PC 1"
