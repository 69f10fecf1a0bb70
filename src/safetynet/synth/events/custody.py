"""Children in police hands: detention in custody (C1, C2) and police protection under s46 (P1)."""

from __future__ import annotations

import time

from safetynet.synth.events.meetings import meeting
from safetynet.synth.events.recorder import Record, Recorder
from safetynet.synth.world import (
    CSC,
    DAY,
    HOUR,
    MINUTE,
    RMS,
    YEAR,
    Human,
    age_at,
    fmt_dt,
)


def custody(sim: Recorder) -> None:
    """Children detained: appropriate adult, reviews, accommodation after charge (C1, C2)."""
    w = sim.w
    per_year = (0.0006, 0.01, 0.06, 0.3)
    remanded = False
    for c in w.children:
        n = w.poisson(per_year[c.tier] * sim.years)
        for _ in range(n):
            t = w.when(max(w.start, c.dob + 10 * YEAR))
            if t < sim.end - 2 * DAY:
                remanded = _custody(sim, c, t, remand=False) or remanded
    if not remanded:
        # Every county has at least one child charged and refused bail (C2's opportunity).
        older = [c for c in w.children if age_at(c.dob, sim.end) >= 14]
        if older:
            c = max(older, key=lambda h: (h.tier, h.key))
            _custody(sim, c, w.when(w.end - YEAR, w.end - 3 * DAY), remand=True)


def _custody(sim: Recorder, c: Human, t: int, *, remand: bool) -> bool:
    """Writes one detention; returns whether the child was charged and refused bail."""
    w = sim.w
    if c.pnc is None:
        c.pnc = w.pnc_id(time.gmtime(t).tm_year % 100)
    arrived = t + int(w.rng.uniform(15, 70) * MINUTE)
    c1 = sim.plant("appropriate_adult_late")
    aa_req = arrived + int(w.rng.uniform(5, 20) * MINUTE)
    aa_arr = arrived + int((w.rng.uniform(3, 14) if c1 else w.rng.uniform(0.5, 1.8)) * HOUR)
    # Children drawn into county lines are charged with supply and remanded more often.
    charged = remand or w.chance(0.7 if c.tier >= 3 else 0.3)
    refused = remand or (charged and w.chance(0.5 if c.tier >= 3 else 0.3))
    c2 = refused and sim.plant("accommodation_missed")
    length = w.rng.uniform(4, 16) * HOUR
    if refused:
        length = max(length, 10 * HOUR)
    length = max(length, aa_arr - arrived + 2 * HOUR)
    released = arrived + int(length)
    reviews = []
    r = arrived + int(w.rng.uniform(4.5, 5.9) * HOUR)
    while r < released:
        reviews.append(
            {
                "at": fmt_dt(r),
                "by": sim.staff(sim.inspectors)["name"],
                "in_presence_of_child": w.chance(0.7),
            }
        )
        r += int(w.rng.uniform(7, 8.9) * HOUR)
    det: Record = {
        "arrested_at": fmt_dt(t),
        "arrived_at": fmt_dt(arrived),
        "appropriate_adult_requested_at": fmt_dt(aa_req),
        "appropriate_adult_arrived_at": fmt_dt(aa_arr),
        "healthcare_seen_at": fmt_dt(arrived + int(w.rng.uniform(0.5, 3) * HOUR)),
        "reviews": reviews,
        "bail_refused": refused,
        "released_at": fmt_dt(released),
    }
    if charged:
        ch = released - int(w.rng.uniform(1, 2) * HOUR)
        det["charged_at"] = fmt_dt(ch)
        if refused and not c2:
            det["la_accommodation_requested_at"] = fmt_dt(ch + int(w.rng.uniform(10, 50) * MINUTE))
            det["la_accommodation_outcome"] = "provided"
    net = sim.network_of.get(c.key)
    offence = (
        "possession with intent to supply class A"
        if net and net["type"] == "cce"
        else w.pick(("theft from a shop", "assault", "criminal damage", "possession of a bladed article"))
    )
    eid = w.next_id("CUS")
    ref = {"source": RMS, "id": eid}
    sim.emit_event(
        RMS,
        "CUS",
        "custody",
        t,
        ended=released,
        location=w.pick(w.custody_suites),
        by=sim.staff(sim.custody_officers),
        participants=[(w.person_ref(c, RMS), "detainee")],
        details=det,
        summary=f"Child detained on suspicion of {offence}.",
        children=[c],
        event_id=eid,
    )
    c.police_times.append(t)
    if c1:
        sim.fail("C1", c, ref)
    if c2:
        sim.fail("C2", c, ref)
    return refused


def police_protection(sim: Recorder) -> None:
    """s46 police protection: designated officer, notification, accommodation, end (P1)."""
    w = sim.w
    count = max(2, round(w.cfg.children * 0.001 * sim.years))
    pool = [c for c in w.children if c.tier >= 1]
    for _ in range(count):
        c = w.pick(pool)
        t = w.when(max(w.start, c.dob + DAY), w.end - 4 * DAY)
        planted = sim.plant("protection_incomplete")
        initiating = sim.staff(sim.constables)
        designated = sim.staff(sim.inspectors)
        notified = t + int(w.rng.uniform(0.3, 2) * HOUR)
        requested = t + int(w.rng.uniform(0.5, 2) * HOUR)
        provided = requested + int(w.rng.uniform(0.5, 3.8) * HOUR)
        ended = t + int(w.rng.uniform(6, 60) * HOUR)
        det: Record = {
            "started_at": fmt_dt(t),
            "designated_officer": designated,
            "authorised_at": fmt_dt(t + int(w.rng.uniform(0.3, 1.5) * HOUR)),
            "rationale": "Child found in a home with no adult present and signs of neglect; "
            "likely to suffer significant harm.",
            "handovers": [],
            "csc_notified_at": fmt_dt(notified),
            "accommodation_requested_at": fmt_dt(requested),
            "accommodation_provided_at": fmt_dt(provided),
            "ended_at": fmt_dt(ended),
            "end_rationale": "Child placed in local authority accommodation; police protection ended.",
        }
        if planted:
            variant = w.pick(("no_designated", "same_officer", "no_notification", "no_end_rationale", "long_wait"))
            if variant == "no_designated":
                del det["designated_officer"]
            elif variant == "same_officer":
                det["designated_officer"] = initiating
            elif variant == "no_notification":
                del det["csc_notified_at"]
            elif variant == "no_end_rationale":
                del det["end_rationale"]
            else:
                provided = requested + int(w.rng.uniform(14, 30) * HOUR)
                ended = max(ended, provided + HOUR)
                det["accommodation_provided_at"] = fmt_dt(provided)
                det["ended_at"] = fmt_dt(ended)
        eid = w.next_id("PP")
        ref = {"source": RMS, "id": eid}
        sim.emit_event(
            RMS,
            "PP",
            "police_protection",
            t,
            ended=ended,
            location=c.home_at(t),
            by=initiating,
            participants=[(w.person_ref(c, RMS), "subject")],
            details=det,
            summary="Child taken into police protection (s46).",
            children=[c],
            event_id=eid,
        )
        c.police_times.append(t)
        if planted:
            sim.fail("P1", c, ref)
        meeting(
            sim,
            CSC,
            "strategy_discussion",
            t + int(w.rng.uniform(2, 20) * HOUR),
            subjects=[c],
            children=[c],
            decisions=["Section 47 enquiry to start.", "Child to remain in local authority accommodation."],
            linked=[ref],
        )
