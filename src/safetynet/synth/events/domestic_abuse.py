"""Domestic abuse: incidents with children present, Operation Encompass, MARAC, safety plans (D1-D4)."""

from __future__ import annotations

from safetynet.synth.events.days import next_school_day_start
from safetynet.synth.events.incidents import child_contact, thrive
from safetynet.synth.events.meetings import meeting
from safetynet.synth.events.recorder import Record, Recorder
from safetynet.synth.world import (
    CSC,
    DAY,
    HOUR,
    MINUTE,
    RMS,
    Human,
    age_at,
    fmt_dt,
)


def domestic_abuse(sim: Recorder) -> None:
    """Domestic abuse incidents with children present, Operation Encompass, MARAC (D1, D2, D4)."""
    w = sim.w
    for hh in w.households:
        if not hh.children or not w.chance(0.075):
            continue
        victim = hh.adults[0]
        perpetrators = hh.adults[1:] or ([victim.ex_partner] if victim.ex_partner else [])
        if not perpetrators:
            continue
        perp = perpetrators[0]
        hh.da_victim, hh.da_perpetrator = victim, perp
        for c in hh.children:
            c.tier = max(c.tier, 1)
        n = 1 + min(12, int(w.rng.paretovariate(1.4))) - 1 + (1 if w.chance(0.4) else 0)
        times = sorted(w.when() for _ in range(max(1, n)))
        for i, t in enumerate(times):
            _da_incident(sim, victim, perp, t, repeat=i)
            if i == 1 and w.chance(0.6):
                _marac(sim, victim, perp, t + int(w.rng.uniform(7, 25) * DAY))
        if len(times) >= 2 and w.chance(0.5):
            _perpetrator_returns(sim, victim, perp, times[-1] + int(w.rng.uniform(3, 30) * DAY))


def _perpetrator_returns(sim: Recorder, victim: Human, perp: Human, t: int) -> None:
    """A domestic assault ends in no further action and the suspect goes home (D3)."""
    w = sim.w
    if t >= sim.end - 10 * DAY:
        return
    home = victim.home_at(t)
    children = [c for c in victim.children if c.dob < t and c.home_at(t) == home]
    if not children:
        return
    eid = w.next_id("CRM")
    ref = {"source": RMS, "id": eid}
    sim.emit_event(
        RMS,
        "CRM",
        "crime",
        t,
        location=home,
        by=sim.staff(sim.detectives),
        participants=[(w.person_ref(victim, RMS), "victim"), (w.person_ref(perp, RMS), "suspect")],
        details={
            "offence": "Assault occasioning actual bodily harm (domestic)",
            "offence_code": "8N",
            "sexual_offence": False,
            "online": False,
            "status": "no_further_action",
            "investigation_plan": "Victim withdrew support; evidence-led prosecution considered.",
            "bail_ended_at": fmt_dt(t),
        },
        summary="Domestic assault: no further action; the suspect's bail has ended and he is returning "
        "to the family home where children live.",
        children=children,
        event_id=eid,
    )
    if sim.plant("no_safety_plan"):
        for c in children:
            sim.fail("D3", c, ref)
        return
    for c in children:
        sim.plan(
            c,
            CSC,
            "safety_plan",
            t + int(w.rng.uniform(0.2, 3) * DAY),
            content="Safety plan with the child and the non-abusing parent: who to call, where to go, school told.",
            owner=sim.staff(sim.social_workers)["name"],
        )


def _da_incident(sim: Recorder, victim: Human, perp: Human, t: int, *, repeat: int) -> None:
    w = sim.w
    home = victim.home_at(t)
    present = [c for c in victim.children if c.dob < t and c.home_at(t) == home]
    planted = sim.plant("no_voice_of_child") if present else False
    officer = sim.staff(sim.constables)
    grade = "emergency" if w.chance(0.6) else "priority"
    participants = [(w.person_ref(victim, RMS), "victim"), (w.person_ref(perp, RMS), "perpetrator")]
    participants += [(w.person_ref(c, RMS), "present_child") for c in present]
    # Domestic abuse summaries are about adults: no child-blaming phrase is planted here.
    summary = (
        "Domestic abuse: verbal argument escalated to assault; children in the house."
        if present
        else "Domestic abuse: argument and assault."
    )
    details: Record = {
        "thrive": thrive(sim, grade),
        "children_present": bool(present),
        "domestic_abuse": True,
    }
    if present:
        details["child_contact"] = child_contact(sim, planted)
    eid = sim.w.next_id("INC")
    ref = {"source": RMS, "id": eid}
    sim.emit_event(
        RMS,
        "INC",
        "incident",
        t,
        ended=t + int(w.rng.uniform(1, 4) * HOUR),
        reported=t + int(w.rng.uniform(2, 30) * MINUTE),
        location=home,
        by=officer,
        participants=participants,
        details=details,
        summary=summary,
        children=present,
        event_id=eid,
    )
    for c in present:
        c.da_times.append(t)
        c.police_times.append(t)
        if planted:
            sim.fail("D4", c, ref)
    # Operation Encompass: the school hears before the next school day (D1).
    for c in present:
        if c.school is None or not 4 <= age_at(c.dob, t) <= 16:
            continue
        deadline = next_school_day_start(t)
        if sim.plant("encompass_missed"):
            sim.fail("D1", c, ref)
            if w.chance(0.5):
                continue  # never sent
            sent = deadline + int(w.rng.uniform(1, 3) * DAY)
        else:
            sent = t + int((deadline - t) * w.rng.uniform(0.2, 0.8))
        sim.emit_event(
            RMS,
            "NOT",
            "notification",
            sent,
            by=sim.staff(sim.mash_officers),
            children=[c],
            participants=[(w.person_ref(c, RMS), "subject")],
            linked=[ref],
            summary="Operation Encompass notification to the child's school.",
            details={
                "scheme": "operation_encompass",
                "to": {"source": "directory", "id": c.school},
                "sent_at": fmt_dt(sent),
            },
        )


def _marac(sim: Recorder, victim: Human, perp: Human, t: int) -> None:
    w = sim.w
    if t >= sim.end:
        return
    household_children = [c for c in victim.children if c.dob < t]
    elsewhere = [c for c in perp.children if c.dob < t and c not in household_children]
    omit = bool(elsewhere) and sim.plant("marac_child_omitted")
    for c in elsewhere:
        # The police record the perpetrator's children in other households (the DASH risk
        # assessment asks for them), so the `parent_of` relationship between them is in the
        # records whether or not the MARAC lists the child (D2 needs it).
        w.person_ref(c, RMS)
    subjects = [victim, perp, *household_children, *([] if omit else elsewhere)]
    listed = household_children + ([] if omit else elsewhere)
    ref = meeting(
        sim,
        RMS,
        "marac",
        t,
        subjects=subjects,
        children=listed,
        decisions=[f"Safety planning decision recorded for each of {len(listed)} children."],
    )
    if omit:
        for c in elsewhere:
            sim.fail("D2", c, ref)
