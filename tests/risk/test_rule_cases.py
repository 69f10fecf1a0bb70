"""Cases found by measuring the rules on the generated county: each pins down how a clause
reads the policy where the starter scenarios (scenarios.py) do not reach."""

from __future__ import annotations

import datetime as dt

from safetynet.records import models as rm
from tests.risk.conftest import NOW, World, ago, iso, ref


def _address(person: rm.Person, location: rm.Location, start: dt.date, stop: dt.date | None) -> None:
    kind = "home" if stop is None else "previous"
    rm.PersonAddress.objects.create(person=person, location=location, kind=kind, valid_from=start, valid_to=stop)


def _nfa_crime(w: World, victim: rm.Person, suspect: rm.Person, at: dt.datetime, home: rm.Location) -> rm.Event:
    return w.event(
        "crime",
        at,
        [(victim, "victim"), (suspect, "suspect")],
        location=home,
        details={"status": "no_further_action", "bail_ended_at": iso(at), "offence": "Assault (domestic)"},
    )


def test_d3_counts_the_home_the_child_lived_in_when_the_suspect_returned(world: World) -> None:
    # The family moved after the crime: the crime was at the child's home then, so the
    # safety plan was owed then, and is still missing.
    old, new = world.location(), world.location()
    c, mother, father = world.child(9), world.adult(33), world.adult(36)
    moved = (NOW - dt.timedelta(days=40)).date()
    for p in (c, mother):
        _address(p, old, dt.date(2015, 1, 1), moved)
        _address(p, new, moved, None)
    world.relationship(father, c, "parent_of")
    crime = _nfa_crime(world, mother, father, ago(days=200), old)
    (finding,) = world.findings(c, "D3")
    assert ref(crime) in finding.cites


def test_d3_ignores_a_crime_at_a_home_the_child_never_lived_in(world: World) -> None:
    home, elsewhere = world.location(), world.location()
    c, mother, father = world.child(9), world.adult(33), world.adult(36)
    for p in (c, mother):
        _address(p, home, dt.date(2015, 1, 1), None)
    _address(father, elsewhere, dt.date(2015, 1, 1), None)
    world.relationship(father, c, "parent_of")
    _nfa_crime(world, world.adult(30), father, ago(days=30), elsewhere)
    assert world.findings(c, "D3") == []


def _image_case(w: World) -> tuple[rm.Person, rm.Person, rm.Event]:
    victim, suspect = w.child(14), w.child(15)
    t = ago(days=150)
    crime = w.event(
        "crime", t, [(victim, "victim"), (suspect, "suspect")], details={"online": True, "sexual_offence": True}
    )
    submitted = t + dt.timedelta(days=2)
    exam = w.event(
        "device_examination",
        submitted,
        [(suspect, "subject")],
        details={
            "submitted_at": iso(submitted),
            "priority": "standard",
            "returned_at": iso(submitted + dt.timedelta(days=100)),
            "caid_uploaded_at": iso(submitted + dt.timedelta(days=101)),
        },
        linked=[crime],
    )
    return victim, suspect, exam


def test_o2_late_results_are_a_finding_for_the_child_victim(world: World) -> None:
    victim, _, exam = _image_case(world)
    (finding,) = world.findings(victim, "O2")
    assert ref(exam) in finding.cites and "100 days" in finding.reason


def test_o2_is_not_raised_for_the_pupil_whose_phone_was_examined(world: World) -> None:
    _, suspect, _ = _image_case(world)
    assert world.findings(suspect, "O2") == []


def test_x2_cites_the_same_records_in_the_same_order_alone_or_in_a_full_evaluation(world: World) -> None:
    # The order of the adult's links used to follow the order the chunk's queries loaded them,
    # so a child evaluated alone (after an import) and in a full evaluation got the same
    # finding with its citations reordered: "updated" at every switch.
    from safetynet.identity.models import Individual
    from safetynet.risk.services import evaluate_individuals

    adult = world.adult(30)
    children = [world.child(14), world.child(15), world.child(13)]
    for c in children:
        world.marker(c, "cse_risk")
        world.relationship(adult, c, "associate_of")
    middle = children[1].membership.individual_id
    (alone,) = evaluate_individuals([middle], as_of=NOW)
    together = next(
        a
        for a in evaluate_individuals(Individual.objects.values_list("pk", flat=True), as_of=NOW)
        if a.individual_id == middle
    )
    assert [d.cites for d in alone.drafts if d.clause == "X2"] == [d.cites for d in together.drafts if d.clause == "X2"]
    assert any(d.clause == "X2" for d in alone.drafts)


def test_s1_flags_an_offender_met_at_an_incident_whose_flag_is_on_another_system(world: World) -> None:
    # No address or relationship joins them: only the incident. The offender's flag is on
    # their record in another system, linked to the same individual.
    home, elsewhere = world.location(), world.location()
    c, adult = world.child(12), world.adult(41)
    world.home(c, home)
    world.home(adult, elsewhere)
    other_record = world.person(41, source="ppu", individual=adult.membership.individual)
    marker = world.marker(other_record, "registered_sex_offender")
    world.event("incident", ago(days=5), [(c, "present_child"), (adult, "associate")])
    (finding,) = world.findings(c, "S1")
    assert finding.key == ref(marker)
    assert "incident" in finding.reason


def test_d2_reads_a_marac_recorded_against_the_parents_other_record(world: World) -> None:
    c, father, victim = world.child(8), world.adult(40), world.adult(33)
    world.relationship(father, c, "parent_of")
    police_record = world.person(40, source="mash", individual=father.membership.individual)
    marac = world.event(
        "meeting",
        ago(days=12),
        [(victim, "subject"), (police_record, "perpetrator")],
        details={"meeting_type": "marac", "outcome_recorded": True, "outcome_recorded_at": iso(ago(days=12))},
    )
    (finding,) = world.findings(c, "D2")
    assert ref(marac) in finding.cites
