"""Incidents involving children (Q2), what officers record of the child, and warning markers."""

from __future__ import annotations

from typing import Any

from safetynet.synth.events.recorder import Recorder
from safetynet.synth.events.texts import DEMEANOURS, INCIDENT_BLAMING, VOICES, WISHES
from safetynet.synth.world import (
    HOUR,
    MINUTE,
    RMS,
    YEAR,
)


def thrive(sim: Recorder, grade: str) -> dict[str, str]:
    parts = {
        "threat": "Risk of further violence in the home.",
        "harm": "Physical and emotional harm to adults and children present.",
        "risk": "Likely to recur without intervention.",
        "investigation": "Statements, body-worn video, house-to-house, previous history.",
        "vulnerability": "Children in the household; victim isolated.",
        "engagement": "Victim engaged; referral to domestic abuse service offered.",
        "grade": grade,
    }
    # Call handlers often leave parts blank: any part may be missing (spec).
    for part in ("threat", "harm", "investigation", "vulnerability", "engagement"):
        if sim.w.chance(0.12):
            del parts[part]
    return parts


def child_contact(sim: Recorder, planted: bool) -> dict[str, Any]:
    w = sim.w
    if planted:
        contact: dict[str, Any] = {"spoke_to_child": False, "spoke_alone": False, "bwv_used": w.chance(0.3)}
        if w.chance(0.5):
            contact["demeanour"] = w.pick(DEMEANOURS)
        return contact
    return {
        "spoke_to_child": True,
        "spoke_alone": w.chance(0.6),
        "voice_of_child": w.pick(VOICES),
        "demeanour": w.pick(DEMEANOURS),
        "wishes_feelings": w.pick(WISHES),
        "bwv_used": True,
    }


def child_incidents(sim: Recorder) -> None:
    """Non-domestic incidents involving a child; voice of the child is the Q2 check."""
    w = sim.w
    per_year = (0.01, 0.15, 0.5, 1.4)
    kinds = (
        ("Concern for welfare: child found alone late at night.", "priority"),
        ("Anti-social behaviour involving a group of young people.", "scheduled"),
        ("Assault on a child outside school.", "priority"),
        ("Report of a child being picked up by adults in a car.", "priority"),
        ("Child in crisis threatening self-harm.", "emergency"),
        ("Disturbance at a family address; child present.", "priority"),
    )
    for c in w.children:
        n = w.poisson(per_year[c.tier] * sim.years)
        for _ in range(n):
            t = w.when(max(w.start, c.dob + 5 * YEAR))
            if t >= sim.end or t < c.dob:
                continue
            text, grade = w.pick(kinds)
            planted = sim.plant("no_voice_of_child")
            role = "subject" if w.chance(0.6) else "victim"
            summary, _ = sim.blaming(text, INCIDENT_BLAMING)
            eid = w.next_id("INC")
            ref = {"source": RMS, "id": eid}
            sim.emit_event(
                RMS,
                "INC",
                "incident",
                t,
                ended=t + int(w.rng.uniform(0.5, 3) * HOUR),
                reported=t + int(w.rng.uniform(1, 40) * MINUTE),
                location=w.pick(w.public_places) if w.chance(0.6) else c.home_at(t),
                by=sim.staff(sim.constables),
                participants=[(w.person_ref(c, RMS), role)],
                details={
                    "thrive": thrive(sim, grade),
                    "children_present": True,
                    "domestic_abuse": False,
                    "child_contact": child_contact(sim, planted),
                },
                summary=summary,
                children=[c],
                event_id=eid,
            )
            c.police_times.append(t)
            if planted:
                sim.fail("Q2", c, ref)


def child_markers(sim: Recorder) -> None:
    """Warning markers for vulnerable children (self-harm, mental health, drugs)."""
    w = sim.w
    for c in w.children:
        if c.tier >= 2 and "rms" in c.records:
            for kind in ("self_harm", "mental_health", "drugs"):
                if w.chance(0.15):
                    sim.marker(c, kind, w.when(max(w.start, c.dob + 10 * YEAR)), notes="Added after an incident.")
