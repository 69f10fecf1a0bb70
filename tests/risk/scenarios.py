"""One failing and one compliant situation per policy clause, built from invented records.

Each scenario takes the world and `fail` and returns (the child, the record that causes the
finding when it fails). Tests in test_rules.py run every clause both ways.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from safetynet.records import models as rm
from tests.risk.conftest import NOW, World, ago, iso

Scenario = Callable[[World, bool], tuple[rm.Person, rm.SourceRecord]]
SERGEANT = {"name": "Sgt A", "role": "sergeant"}
INSPECTOR = {"name": "Insp B", "role": "inspector"}


def _review(at: dt.datetime, by: dict[str, str], risk: str = "high", rationale: str = "Reviewed; plan set.") -> dict:
    return {"at": iso(at), "by": by, "risk": risk, "rationale": rationale}


def m1(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(14)
    t = ago(days=2)
    rationale = "He is a regular missing person and always comes back." if fail else "Known to go to a safe relative."
    report = w.event(
        "missing_report",
        t,
        [(c, "missing_person")],
        reported_at=t,
        details={
            "initial_risk": "medium",
            "risk_rationale": rationale,
            "reviews": [_review(t + dt.timedelta(minutes=30), SERGEANT, "medium", rationale)],
            "found_at": iso(t + dt.timedelta(hours=3)),
        },
    )
    return c, report


def _episode(w: World, c: rm.Person, t: dt.datetime, **details: object) -> rm.Event:
    base = {
        "initial_risk": "high",
        "reviews": [_review(t + dt.timedelta(minutes=40), SERGEANT), _review(t + dt.timedelta(minutes=90), INSPECTOR)],
        "officer_in_charge": {
            "name": "DC C",
            "role": "response_officer",
            "assigned_at": iso(t + dt.timedelta(minutes=20)),
        },
        "found_at": iso(t + dt.timedelta(hours=5)),
        "return_home_interview": {"completed_at": iso(t + dt.timedelta(hours=30))},
        "lines_of_enquiry": [],
    }
    base.update(details)
    return w.event("missing_report", t, [(c, "missing_person")], reported_at=t, details=base)


def m2(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(15)
    t = ago(days=3)
    reviews = [_review(t + dt.timedelta(hours=5), SERGEANT), _review(t + dt.timedelta(hours=6), INSPECTOR)]
    return c, _episode(w, c, t, **({"reviews": reviews} if fail else {}))


def m3(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(15)
    place = w.location()
    lines = [{"text": "Check addresses", "location": None, "person": None, "done_at": None}]
    good = [{"text": "Check the aunt's address", "location": {"source": place.source, "id": place.source_id}}]
    return c, _episode(w, c, ago(days=3), lines_of_enquiry=lines if fail else good)


def m4(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(14)
    first = None
    for days in (80, 50, 20):
        e = _episode(w, c, ago(days=days))
        first = first or e
    if not fail:
        w.plan("trigger_plan", c, (NOW - dt.timedelta(days=40)).date(), (NOW + dt.timedelta(days=30)).date())
    assert first is not None
    return c, first


def m5(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(13)
    t = ago(days=4)
    incident = w.event("incident", t, [(c, "missing_person")], details={})
    if not fail:
        _episode(w, c, t + dt.timedelta(hours=1))
    return c, incident


def m6(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(14)
    t = ago(days=10)
    done = t + dt.timedelta(hours=5 + (100 if fail else 30))
    return c, _episode(w, c, t, return_home_interview={"completed_at": iso(done)})


def m7(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c, a = w.child(14), w.adult(30)
    order = w.order("cawn", a, [c])
    w.marker(c, "cawn_child", linked=a)
    if not fail:
        w.marker(a, "cawn_adult", linked=c)
    return c, order


def x1(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c, a = w.child(14), w.adult(24)
    rel = w.relationship(a, c, "boyfriend_girlfriend")
    intel = w.event(
        "intelligence", ago(days=30), [(c, "subject")], details={"grading": {"source": 2, "assessment": "C"}}
    )
    _episode(w, c, ago(days=60))
    if not fail:
        w.marker(c, "cse_risk")
    del rel
    return c, intel


def x2(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    a = w.adult(28)
    c = w.child(14)
    rel = w.relationship(a, c, "associate_of")
    w.marker(c, "cse_risk")
    other = w.child(15)
    w.relationship(a, other, "associate_of")
    if fail:
        w.marker(other, "cce_risk")
    return c, rel


def x3(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(15)
    actions = [{"text": "Disrupt", "owner": None if fail else "DS D (police)", "due": "2026-04-01", "done_at": None}]
    meeting = w.event(
        "meeting",
        ago(days=10),
        [(c, "subject")],
        details={
            "meeting_type": "mace",
            "outcome_recorded": True,
            "outcome_recorded_at": iso(ago(days=9)),
            "actions": actions,
        },
    )
    return c, meeting


def x7(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    """An action of a held MARAC owned by social care and about the child: open (its owner's
    task) or done with an outcome."""
    c = w.child(12)
    action = {
        "id": "A1",
        "text": "Safety plan with the child",
        "owner": {"name": "Social care", "organisation": "csc", "team": "csc-east"},
        "about": {"source": c.source, "id": c.source_id},
        "due": (NOW + dt.timedelta(days=3)).date().isoformat(),
        "done_at": None if fail else iso(ago(days=1)),
    }
    meeting = w.event(
        "meeting",
        ago(days=5),
        [(c, "subject")],
        details={
            "meeting_type": "marac",
            "status": "held",
            "outcome_recorded": True,
            "outcome_recorded_at": iso(ago(days=5)),
            "actions": [action],
        },
    )
    return c, meeting


def x4(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(14, care_status="child_protection_plan")
    marker = w.marker(c, "cse_risk")
    if not fail:
        w.plan("cse_plan", c, (NOW - dt.timedelta(days=20)).date(), (NOW + dt.timedelta(days=60)).date())
    return c, marker


def x4_cce(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    """X4 by meaning for criminal exploitation: a CCE marker and a protection plan need a CCE
    plan (a CSE plan does not answer it)."""
    c = w.child(15, care_status="child_protection_plan")
    marker = w.marker(c, "cce_risk")
    w.plan("cse_plan", c, (NOW - dt.timedelta(days=20)).date(), (NOW + dt.timedelta(days=60)).date())
    if not fail:
        w.plan("cce_plan", c, (NOW - dt.timedelta(days=20)).date(), (NOW + dt.timedelta(days=60)).date())
    return c, marker


def x5(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c, a = w.child(14), w.adult(19)
    summary = "Victim says the relationship was consensual." if fail else "Victim disclosed the offence to a teacher."
    crime = w.event(
        "crime", ago(days=20), [(c, "victim"), (a, "suspect")], summary=summary, details={"sexual_offence": True}
    )
    return c, crime


def x6(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(15)
    req = {"to_force": "Other", "requested_at": iso(ago(days=30))}
    if not fail:
        req["completed_at"] = iso(ago(days=25))
    crime = w.event("crime", ago(days=31), [(c, "victim")], details={"external_requests": [req]})
    return c, crime


def _referral(w: World, c: rm.Person, t: dt.datetime, grade: str, after: dt.timedelta, research: list[str]) -> rm.Event:
    return w.event(
        "referral",
        t,
        [(c, "subject")],
        source="csc",
        details={"received_at": iso(t), "triage": {"grade": grade, "at": iso(t + after), "research": research}},
    )


def h1(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(10)
    after = dt.timedelta(hours=9 if fail else 2)
    return c, _referral(w, c, ago(days=5), "red", after, ["local_authority", "police_systems"])


def h2(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(10)
    w.event("incident", ago(days=100), [(c, "present_child")], details={"child_contact": {"voice_of_child": "ok"}})
    research = ["local_authority"] if fail else ["local_authority", "police_systems"]
    return c, _referral(w, c, ago(days=5), "amber", dt.timedelta(hours=3), research)


def h3(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(9)
    both = ["local_authority", "police_systems"]
    _referral(w, c, ago(days=200), "green", dt.timedelta(hours=3), both)
    _referral(w, c, ago(days=100), "green", dt.timedelta(hours=3), both)
    return c, _referral(w, c, ago(days=5), "green" if fail else "amber", dt.timedelta(hours=3), both)


def _da(w: World, c: rm.Person, at: dt.datetime, **contact: object) -> rm.Event:
    return w.event(
        "incident",
        at,
        [(c, "present_child")],
        details={"domestic_abuse": True, "children_present": True, "child_contact": contact},
    )


def d1(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    school = rm.Organisation.objects.create(source="directory", source_id="S1", recorded_at=ago(days=900), payload={})
    c = w.child(9, school=school)
    at = dt.datetime(2026, 2, 24, 22, 0, tzinfo=dt.UTC)  # a Tuesday night
    incident = _da(w, c, at, voice_of_child="scared", bwv_used=True)
    sent = dt.datetime(2026, 2, 25, 8, 0 if not fail else 0, tzinfo=dt.UTC) + dt.timedelta(hours=30 if fail else 0)
    w.event(
        "notification",
        sent,
        [(c, "subject")],
        details={"scheme": "operation_encompass", "sent_at": iso(sent)},
        linked=[incident],
    )
    return c, incident


def d2(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c, father, victim = w.child(8), w.adult(40), w.adult(33)
    w.relationship(father, c, "parent_of")
    people = [(victim, "subject"), (father, "perpetrator")] + ([] if fail else [(c, "subject")])
    marac = w.event(
        "meeting",
        ago(days=12),
        people,
        details={
            "meeting_type": "marac",
            "outcome_recorded": True,
            "outcome_recorded_at": iso(ago(days=12)),
            "actions": [],
        },
    )
    return c, marac


def d3(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    home = w.location()
    c, mother, partner = w.child(7), w.adult(30), w.adult(34)
    for p in (c, mother, partner):
        w.home(p, home)
    crime = w.event(
        "crime",
        ago(days=20),
        [(mother, "victim"), (partner, "suspect")],
        location=home,
        details={"status": "no_further_action", "bail_ended_at": iso(ago(days=18)), "offence": "Assault (domestic)"},
    )
    if not fail:
        w.plan("safety_plan", c, (NOW - dt.timedelta(days=17)).date())
    return c, crime


def d4(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(6)
    contact = (
        {"voice_of_child": None, "bwv_used": False} if fail else {"voice_of_child": "Said he hid.", "bwv_used": True}
    )
    return c, _da(w, c, ago(days=3), **contact)


def o1(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(13)
    t = ago(days=60)
    crime = w.event("crime", t, [(c, "victim")], details={"online": True, "sexual_offence": True, "offence": "Images"})
    submitted = t + dt.timedelta(days=20 if fail else 3)
    w.event(
        "device_examination",
        submitted,
        [],
        details={
            "submitted_at": iso(submitted),
            "priority": "priority",
            "returned_at": iso(submitted + dt.timedelta(days=20)),
            "caid_uploaded_at": iso(submitted + dt.timedelta(days=21)),
        },
        linked=[crime],
    )
    return c, crime


def o2(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(13)
    t = ago(days=100)
    crime = w.event("crime", t, [(c, "victim")], details={"online": True, "sexual_offence": True})
    submitted = t + dt.timedelta(days=2)
    exam = w.event(
        "device_examination",
        submitted,
        [],
        details={
            "submitted_at": iso(submitted),
            "priority": "priority",
            "returned_at": iso(submitted + dt.timedelta(days=50 if fail else 20)),
            "caid_uploaded_at": iso(submitted + dt.timedelta(days=51)),
        },
        linked=[crime],
    )
    return c, exam


def p1(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(5)
    t = dt.datetime(2026, 2, 16, 10, 0, tzinfo=dt.UTC)  # a Monday
    details = {
        "started_at": iso(t),
        "designated_officer": {"name": "Insp E", "role": "inspector"},
        "csc_notified_at": iso(t + dt.timedelta(hours=1)),
        "accommodation_requested_at": iso(t + dt.timedelta(hours=1)),
        "accommodation_provided_at": iso(t + dt.timedelta(hours=20 if fail else 3)),
        "ended_at": iso(t + dt.timedelta(hours=21)),
        "end_rationale": "Placed with foster carer.",
    }
    pp = w.event("police_protection", t, [(c, "subject")], details=details, recorded_by={"name": "PC F"})
    w.event(
        "meeting",
        t + dt.timedelta(hours=6),
        [(c, "subject")],
        source="csc",
        details={
            "meeting_type": "strategy_discussion",
            "outcome_recorded": True,
            "outcome_recorded_at": iso(t + dt.timedelta(hours=7)),
            "actions": [],
        },
    )
    return c, pp


def c1(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(16)
    t = ago(days=6)
    details = {
        "arrived_at": iso(t),
        "appropriate_adult_arrived_at": iso(t + dt.timedelta(hours=7 if fail else 1)),
        "reviews": [{"at": iso(t + dt.timedelta(hours=5)), "by": "Insp G"}],
        "released_at": iso(t + dt.timedelta(hours=10)),
    }
    return c, w.event("custody", t, [(c, "detainee")], details=details)


def c2(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(16)
    t = ago(days=6)
    details: dict[str, object] = {
        "arrived_at": iso(t),
        "appropriate_adult_arrived_at": iso(t + dt.timedelta(hours=1)),
        "reviews": [{"at": iso(t + dt.timedelta(hours=5)), "by": "Insp G"}],
        "charged_at": iso(t + dt.timedelta(hours=8)),
        "bail_refused": True,
        "released_at": iso(t + dt.timedelta(hours=12)),
    }
    if not fail:
        details["la_accommodation_requested_at"] = iso(t + dt.timedelta(hours=8, minutes=30))
        details["la_accommodation_outcome"] = "provided"
    return c, w.event("custody", t, [(c, "detainee")], details=details)


def c3(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(15)
    t = ago(hours=6)
    details: dict[str, object] = {
        "arrived_at": iso(t),
        "charged_at": iso(t + dt.timedelta(hours=2)),
        "bail_refused": True,
        "la_accommodation_requested_at": iso(t + dt.timedelta(hours=2, minutes=30)),
        "la_accommodation_answered_at": iso(t + dt.timedelta(hours=3)),
        "la_accommodation_outcome": "not_provided" if fail else "provided",
    }
    if not fail:
        details["released_at"] = iso(t + dt.timedelta(hours=4))
    return c, w.event("custody", t, [(c, "detainee")], details=details)


def s1(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    home, elsewhere = w.location(), w.location()
    c, rso = w.child(11), w.adult(45)
    w.home(c, home)
    w.home(rso, home if fail else elsewhere)
    marker = w.marker(rso, "registered_sex_offender")
    return c, marker


def s2(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    rso = w.adult(50)
    marker = w.marker(rso, "registered_sex_offender")
    # ARMS priority high: a visit every 91 days (the shipped policy).
    when = ago(days=100 if fail else 60)
    arms = {"priority": "high", "assessed_on": iso(when)[:10]}
    w.event("offender_visit", when, [(rso, "subject")], details={"visited_at": iso(when), "arms": arms})
    return rso, marker


def q1(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(12, ethnicity="" if fail else "B2")
    second = w.person(12, source="education", individual=c.membership.individual, ethnicity="")
    del second
    return c, c


def q2(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(8)
    contact = (
        {"spoke_to_child": False}
        if fail
        else {"spoke_to_child": True, "voice_of_child": "Felt safe.", "bwv_used": True}
    )
    return c, w.event("incident", ago(days=3), [(c, "present_child")], details={"child_contact": contact})


def lang(w: World, fail: bool) -> tuple[rm.Person, rm.SourceRecord]:
    c = w.child(15)
    summary = "Went with the adults of her own volition." if fail else "Went with two adults; reasons not known."
    return c, w.event("incident", ago(days=3), [(c, "subject")], summary=summary, details={})


SCENARIOS: dict[str, Scenario] = {
    "M1": m1, "M2": m2, "M3": m3, "M4": m4, "M5": m5, "M6": m6, "M7": m7,
    "X1": x1, "X2": x2, "X3": x3, "X4": x4, "X5": x5, "X6": x6, "X7": x7,
    "H1": h1, "H2": h2, "H3": h3,
    "D1": d1, "D2": d2, "D3": d3, "D4": d4,
    "O1": o1, "O2": o2,
    "P1": p1, "C1": c1, "C2": c2, "C3": c3, "S1": s1, "S2": s2, "Q1": q1, "Q2": q2, "LANG": lang,
}  # fmt: skip
