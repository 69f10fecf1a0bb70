"""Each planted practice failure is really visible in the records, and compliant records are clean.

The checks read only the generated lines plus the truth's person map, as the risk engine would
after perfect linkage; the risk helper's recall tests rely on this list being honest.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import cached_property
from typing import Any

import pytest

from safetynet.synth.events.days import next_school_day_start
from safetynet.synth.events.texts import BLAMING_PHRASES
from tests.synth.conftest import County

H = dt.timedelta(hours=1)
FREQUENCY_WORDS = ("regular", "frequent", "many times", "most weekends", "repeat")


def ts(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


class View:
    """The county as a checker needs it: records by key, events per true person."""

    def __init__(self, county: County) -> None:
        self.county = county
        self.truth = county.truth
        self.end = ts(county.truth["config"]["end"])
        self.records = {(r["source"], r["id"]): r for r in county.lines}
        self.key_of = {tuple(k.split(":", 1)): v for k, v in county.truth["persons"].items()}

    def person(self, ref: dict[str, str]) -> str:
        return self.key_of[(ref["source"], ref["id"])]

    @cached_property
    def events_of(self) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        out: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
        for r in self.county.by_kind("event"):
            for p in r["participants"]:
                out[self.person(p["person"])].append((p["role"], r))
            for ref in r["details"].get("subjects", []):
                out[self.person(ref)].append(("subject", r))
        return out

    @cached_property
    def persons_of(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in self.county.by_kind("person"):
            out[self.person(r)].append(r)
        return out

    @cached_property
    def relationships_to(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in self.county.by_kind("relationship"):
            out[self.person(r["person_b"])].append(r)
        return out

    @cached_property
    def markers_of(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in self.county.by_kind("marker"):
            out[self.person(r["person"])].append(r)
        return out

    @cached_property
    def plans_of(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in self.county.by_kind("plan"):
            out[self.person(r["person"])].append(r)
        return out

    @cached_property
    def referrals_linked_to(self) -> dict[tuple[str, str], list[dict[str, Any]]]:
        out: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for r in self.county.by_kind("event"):
            if r["event_type"] == "referral":
                for ref in r.get("linked_events") or []:
                    out[(ref["source"], ref["id"])].append(r)
        return out

    def dob(self, key: str) -> dt.date:
        return dt.date.fromisoformat(next(r["date_of_birth"] for r in self.persons_of[key] if r["source"] == "health"))

    def missing_starts(self, key: str) -> list[dt.datetime]:
        return sorted(ts(r["occurred_at"]) for _, r in self.events_of[key] if r["event_type"] == "missing_report")


@pytest.fixture(scope="module")
def view(county: County) -> View:
    return View(county)


def m1(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    d = r["details"]
    sergeant = [x for x in d["reviews"] if x["by"]["role"] == "sergeant"]
    cites = any(w in x["rationale"].lower() for x in sergeant for w in FREQUENCY_WORDS)
    return d["initial_risk"] != "high" and (not sergeant or cites)


def m2(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    d = r["details"]
    reported = ts(r["reported_at"])
    sergeant = [ts(x["at"]) for x in d["reviews"] if x["by"]["role"] == "sergeant"]
    inspector = [ts(x["at"]) for x in d["reviews"] if x["by"]["role"] == "inspector"]
    late = (sergeant and min(sergeant) > reported + H) or (inspector and min(inspector) > reported + 2 * H)
    # No supervisor review at all although the child was still missing an hour after the report.
    found = ts(d["found_at"]) if d.get("found_at") else v.end
    never = not sergeant and found > reported + H
    return bool(late) or never or "officer_in_charge" not in d


def m3(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    return any(x["location"] is None and x["person"] is None for x in r["details"]["lines_of_enquiry"])


def m4(v: View, f: dict[str, Any], r: dict[str, Any] | None) -> bool:
    recent = [s for s in v.missing_starts(f["person"]) if s > v.end - dt.timedelta(days=89)]
    plans = [p for p in v.plans_of[f["person"]] if p["plan_type"] in ("trigger_plan", "philomena_profile")]
    return len(recent) >= 3 and not plans


def m6(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    found = ts(r["details"]["found_at"])
    done = r["details"]["return_home_interview"].get("completed_at")
    late_interview = found + 72 * H <= v.end and (done is None or ts(done) > found + 72 * H)
    # Found with an adult (the generator co-locates only adults of the child's network): a
    # referral linked to the report within 24 h.
    with_adult = any(p["role"] == "co_located" for p in r["participants"])
    referred = any(
        ts(e["details"]["received_at"]) <= found + 24 * H for e in v.referrals_linked_to.get((r["source"], r["id"]), [])
    )
    return late_interview or (with_adult and found + 24 * H <= v.end and not referred)


def m7(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    adult, child = v.person(r["subject"]), v.person(r["protected"][0])
    on_child = any(
        m["marker_type"] == "cawn_child" and v.person(m["linked_person"]) == adult for m in v.markers_of[child]
    )
    on_adult = any(
        m["marker_type"] == "cawn_adult" and v.person(m["linked_person"]) == child for m in v.markers_of[adult]
    )
    return child == f["person"] and not (on_child and on_adult)


def d1(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    deadline = dt.datetime.fromtimestamp(next_school_day_start(int(ts(r["occurred_at"]).timestamp())), dt.UTC)
    for _, e in v.events_of[f["person"]]:
        if e["event_type"] == "notification" and {"source": r["source"], "id": r["id"]} in e.get("linked_events", []):
            if ts(e["details"]["sent_at"]) < deadline:
                return False
    return True


def d2(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    subjects = {v.person(s) for s in r["details"]["subjects"]}
    # The records link the omitted child to an adult the MARAC is about (D2 needs this).
    parents = {v.person(rel["person_a"]) for rel in v.relationships_to[f["person"]] if rel["rel_type"] == "parent_of"}
    return f["person"] not in subjects and bool(parents & subjects)


def no_voice(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    contact = r["details"]["child_contact"]
    present = {v.person(p["person"]) for p in r["participants"]}
    return f["person"] in present and (not contact.get("voice_of_child") or not contact.get("bwv_used"))


def d3(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    after = ts(r["occurred_at"]).date()
    plans = [
        p
        for p in v.plans_of[f["person"]]
        if p["plan_type"] == "safety_plan" and dt.date.fromisoformat(p["created_at"]) >= after
    ]
    return r["details"]["status"] == "no_further_action" and not plans


INDICATOR_MARKERS = {"drugs": "drugs", "alcohol": "drugs", "self_harm": "self-harm", "weapons": "weapons"}


def screened(v: View, key: str) -> bool:
    return any(m["marker_type"] in ("cse_risk", "cce_risk") for m in v.markers_of[key]) or any(
        e["event_type"] == "referral" and "exploitation" in e["details"]["concern"] for _, e in v.events_of[key]
    )


def x1_indicators(v: View, key: str) -> set[str]:
    """The exploitation indicators the records show for a child (risk-policy X1)."""
    since = v.end - dt.timedelta(days=179)
    found = {INDICATOR_MARKERS[m["marker_type"]] for m in v.markers_of[key] if m["marker_type"] in INDICATOR_MARKERS}
    if any(s >= since for s in v.missing_starts(key)):
        found.add("missing")
    if any(r["event_type"] == "intelligence" and ts(r["occurred_at"]) >= since for _, r in v.events_of[key]):
        found.add("intelligence")
    if any(p.get("care_status") in ("looked_after", "care_leaver") for p in v.persons_of[key]):
        found.add("care")
    under_16 = (v.end.date() - v.dob(key)).days < 16 * 365
    for rel in v.relationships_to[key]:
        if rel["rel_type"] == "boyfriend_girlfriend":
            adult_dob = next(
                (
                    p["date_of_birth"]
                    for p in v.persons_of[v.person(rel["person_a"])]
                    if len(p.get("date_of_birth", "")) == 10
                ),
                None,
            )
            if adult_dob and (under_16 or (v.dob(key) - dt.date.fromisoformat(adult_dob)).days >= 5 * 365):
                found.add("partner")
    return found


def x1(v: View, f: dict[str, Any], r: dict[str, Any] | None) -> bool:
    key = f["person"]
    if screened(v, key):
        return False
    if r is None:  # any child with two indicators and no screening
        return len(x1_indicators(v, key)) >= 2
    partner = any(rel["rel_type"] == "boyfriend_girlfriend" for rel in v.relationships_to[key])
    under_16 = (v.end.date() - v.dob(key)).days < 16 * 365
    return r["event_type"] == "intelligence" and partner and under_16 and bool(v.missing_starts(key))


def test_every_unscreened_child_with_two_indicators_is_listed_for_x1(view: View, county: County) -> None:
    listed = {f["person"] for f in county.truth["failures"] if f["clause"] == "X1"}
    for key in county.truth["children"]:
        if key not in listed and not screened(view, key):
            assert len(x1_indicators(view, key)) < 2, (key, x1_indicators(view, key))


def x2(v: View, f: dict[str, Any], r: dict[str, Any] | None) -> bool:
    linked = {
        v.person(rel["person_b"])
        for rel in v.county.by_kind("relationship")
        if rel["rel_type"] in ("associate_of", "boyfriend_girlfriend") and v.person(rel["person_a"]) == f["adult"]
    }
    recent = v.end - dt.timedelta(days=180)
    concern = {
        c
        for c in linked
        if any(m["marker_type"] in ("cse_risk", "cce_risk") for m in v.markers_of[c])
        or any(s > recent for s in v.missing_starts(c))
    }
    return f["person"] in concern and len(concern) >= 2


def h1(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    t = r["details"]["triage"]
    limit = {"red": 4, "amber": 24, "green": 48}[t["grade"]]
    return ts(t["at"]) - ts(r["details"]["received_at"]) > limit * H


def h2(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    received = ts(r["details"]["received_at"])
    history = [
        e for _, e in v.events_of[f["person"]] if e["source"] in ("rms", "mispers") and ts(e["occurred_at"]) < received
    ]
    return r["details"]["triage"]["research"] == ["local_authority"] and bool(history)


def h3(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    received = ts(r["details"]["received_at"])
    year = received - dt.timedelta(days=365)
    count = sum(
        1
        for role, e in v.events_of[f["person"]]
        if (e["event_type"] == "referral" or (e["event_type"] == "incident" and e["details"].get("domestic_abuse")))
        and year <= ts(e["occurred_at"]) <= received
    )
    return count >= 3 and r["details"]["triage"]["grade"] in ("green", "blue")


def x3(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    d = r["details"]
    overdue = any(a["due"] and a["due"] < v.end.date().isoformat() and not a["done_at"] for a in d["actions"])
    return not d["outcome_recorded"] or overdue or any(a["owner"] is None or a["due"] is None for a in d["actions"])


def x4(v: View, f: dict[str, Any], r: dict[str, Any] | None) -> bool:
    key = f["person"]
    markers = {m["marker_type"] for m in v.markers_of[key]}
    plans = {p["plan_type"] for p in v.plans_of[key]}
    unplanned = ("cse_risk" in markers and "cse_plan" not in plans) or (
        "cce_risk" in markers and "cce_plan" not in plans
    )
    on_plan = any(p.get("care_status") == "child_protection_plan" for p in v.persons_of[key])
    repeat = len([s for s in v.missing_starts(key) if s > v.end - dt.timedelta(days=90)]) >= 3
    return unplanned and (on_plan or repeat)


def x5(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    victim = next(v.person(p["person"]) for p in r["participants"] if p["role"] == "victim")
    age = (ts(r["occurred_at"]).date() - v.dob(victim)).days / 365.25
    return r["details"]["sexual_offence"] and age < 16 and "consensual" in r["summary"]


def x6(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    for req in r["details"]["external_requests"]:
        due = ts(req["requested_at"]) + 14 * 24 * H
        done = req.get("completed_at")
        if (done is None and due < v.end) or (done is not None and ts(done) > due):
            return True
    return False


def _exam_for(v: View, crime: dict[str, Any]) -> dict[str, Any] | None:
    ref = {"source": crime["source"], "id": crime["id"]}
    return next((e for e in v.county.events("device_examination") if ref in e.get("linked_events", [])), None)


def o1(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    exam = _exam_for(v, r)
    if exam is None:
        return True
    d = exam["details"]
    late = ts(d["submitted_at"]) - ts(r["occurred_at"]) > 7 * 24 * H
    return late or ("returned_at" in d and "caid_uploaded_at" not in d)


def o2(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    d = r["details"]
    target = (30 if d["priority"] == "priority" else 75) * 24 * H
    returned = ts(d["returned_at"]) if "returned_at" in d else v.end
    return returned - ts(d["submitted_at"]) > target


def p1(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    d = r["details"]
    officer = d.get("designated_officer")
    wait = ts(d["accommodation_provided_at"]) - ts(d["accommodation_requested_at"])
    return (
        officer is None
        or officer["name"] == r["recorded_by"]["name"]
        or "csc_notified_at" not in d
        or "end_rationale" not in d
        or wait > 4 * H
    )


def c1(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    d = r["details"]
    return ts(d["appropriate_adult_arrived_at"]) - ts(d["arrived_at"]) > 2 * H


def c2(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    d = r["details"]
    return d["bail_refused"] and "la_accommodation_requested_at" not in d


def s1(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    rso = v.person(r["person"])

    def homes(key: str) -> set[str]:
        return {a["location"]["id"] for p in v.persons_of[key] for a in p.get("addresses", []) if a["to"] is None}

    return r["marker_type"] == "registered_sex_offender" and bool(homes(rso) & homes(f["person"]))


def q1(v: View, f: dict[str, Any], r: dict[str, Any] | None) -> bool:
    return not any("self_defined_ethnicity" in p or "observed_ethnicity" in p for p in v.persons_of[f["person"]])


def lang(v: View, f: dict[str, Any], r: dict[str, Any]) -> bool:
    d = r["details"]
    text = " ".join([r["summary"], d.get("risk_rationale", "")] + [x["rationale"] for x in d.get("reviews", [])])
    return any(p in text.lower() for p in BLAMING_PHRASES)


CHECKS = {
    "M1": m1,
    "M2": m2,
    "M3": m3,
    "M4": m4,
    "M6": m6,
    "M7": m7,
    "D1": d1,
    "D2": d2,
    "D3": d3,
    "D4": no_voice,
    "Q2": no_voice,
    "H1": h1,
    "H2": h2,
    "H3": h3,
    "X1": x1,
    "X2": x2,
    "X3": x3,
    "X4": x4,
    "X5": x5,
    "X6": x6,
    "O1": o1,
    "O2": o2,
    "P1": p1,
    "C1": c1,
    "C2": c2,
    "S1": s1,
    "Q1": q1,
    "LANG": lang,
}


def test_the_small_county_plants_every_clause(county: County) -> None:
    clauses = {f["clause"] for f in county.truth["failures"]}
    assert clauses == set(CHECKS)


@pytest.mark.parametrize("clause", sorted(CHECKS))
def test_each_planted_failure_is_visible_in_its_record(view: View, county: County, clause: str) -> None:
    planted = [f for f in county.truth["failures"] if f["clause"] == clause]
    children = set(county.truth["children"])
    for f in planted:
        assert f["person"] in children
        record = view.records[(f["record"]["source"], f["record"]["id"])] if f["record"] else None
        assert CHECKS[clause](view, f, record), f  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("clause", "event_type", "check"),
    [
        ("M1", "missing_report", m1),
        ("M2", "missing_report", m2),
        ("M3", "missing_report", m3),
        ("M6", "missing_report", None),
        ("C1", "custody", c1),
        ("C2", "custody", c2),
        ("P1", "police_protection", p1),
        ("X3", "meeting", x3),
        ("H1", "referral", h1),
        ("H2", "referral", h2),
        ("H3", "referral", h3),
        ("LANG", "missing_report", lang),
        ("LANG", "incident", lang),
    ],
)
def test_records_showing_a_failure_are_all_listed(
    view: View, county: County, clause: str, event_type: str, check: Any
) -> None:
    """Compliant records really comply: a finding on an unlisted record would be a false positive."""
    listed = {(f["record"]["source"], f["record"]["id"]) for f in county.truth["failures"] if f["clause"] == clause}
    check = check or m6
    for r in county.events(event_type):
        if clause == "M6" and "found_at" not in r["details"]:
            continue
        if clause == "H1" and r["details"]["triage"]["grade"] == "blue":
            continue
        if clause == "X3" and not {view.person(s) for s in r["details"]["subjects"]} & set(county.truth["children"]):
            continue  # X3 is about children: a meeting about adults only is not a finding
        child = view.person(r["participants"][0]["person"]) if r["participants"] else ""
        if check(view, {"person": child}, r):
            assert (r["source"], r["id"]) in listed, r["id"]


def test_every_child_involved_in_a_late_online_investigation_is_listed_for_o1(view: View, county: County) -> None:
    """The pupil who shared the image is a child too: the truth names them beside the child
    depicted, or a finding the engine rightly raises about them would count as a false one."""
    planted = [f for f in county.truth["failures"] if f["clause"] == "O1"]
    assert planted
    children = set(county.truth["children"])
    listed = {(f["person"], f["record"]["id"]) for f in planted}
    for crime_id in {f["record"]["id"] for f in planted}:
        crime = view.records[("rms", crime_id)]
        involved = {view.person(p["person"]) for p in crime["participants"]} & children
        assert len(involved) >= 2, crime_id  # depicted and sharer, both pupils
        assert {(c, crime_id) for c in involved} <= listed, crime_id
