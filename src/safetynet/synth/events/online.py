"""Indecent images shared among peers: device examination and forensic turnaround (O1, O2)."""

from __future__ import annotations

from safetynet.synth.events.recorder import Record, Recorder
from safetynet.synth.world import (
    DAY,
    HOUR,
    RMS,
    Human,
    age_at,
    fmt_dt,
)


def online_offences(sim: Recorder) -> None:
    """Indecent images shared among peers; device examination and forensic turnaround (O1, O2)."""
    w = sim.w
    pupils: dict[str, list[Human]] = {}
    for c in w.children:
        if c.school is not None and 12 <= age_at(c.dob, w.end) <= 17:
            pupils.setdefault(c.school, []).append(c)
    schools = [s for s, kids in pupils.items() if len(kids) >= 2]
    if not schools:
        return
    for _ in range(max(2, round(w.cfg.children * 0.0022 * sim.years / 3))):
        _image_shared(sim, pupils[w.pick(schools)])


def _image_shared(sim: Recorder, kids: list[Human]) -> None:
    """One pupil's image shared by another: the crime, a referral, and the suspect's phone examined."""
    w = sim.w
    victim, suspect = w.rng.sample(kids, 2)
    t = w.when(w.start, w.end - 10 * DAY)
    age = age_at(victim.dob, t)
    crime_id = w.next_id("CRM")
    crime = {"source": RMS, "id": crime_id}
    sim.emit_event(
        RMS,
        "CRM",
        "crime",
        t,
        reported=t + int(w.rng.uniform(2, 48) * HOUR),
        by=sim.staff(sim.detectives),
        participants=[(w.person_ref(victim, RMS), "victim"), (w.person_ref(suspect, RMS), "suspect")],
        details={
            "offence": "Indecent image of a child shared among peers",
            "offence_code": "86/2",
            "sexual_offence": True,
            "online": True,
            "status": "under_investigation",
            "investigation_plan": "Seize devices, DFU examination, CAID upload, "
            "identify every child depicted and every recipient.",
        },
        summary=f"Image of a child aged {age} shared on social media among pupils at one school.",
        children=[victim],
        event_id=crime_id,
        last_change=t + 30 * DAY,
    )
    victim.police_times.append(t)
    suspect.police_times.append(t)
    sim.queue_referral(victim, t + int(w.rng.uniform(2, 20) * HOUR), ["online", "sexual"], linked=[crime])
    late_submit = sim.plant("device_late")
    no_caid = late_submit and w.chance(0.4)
    submitted = t + int((w.rng.uniform(9, 40) if late_submit and not no_caid else w.rng.uniform(0.5, 6)) * DAY)
    priority = "priority" if w.chance(0.4) else "standard"
    target = 30 if priority == "priority" else 75
    o2 = sim.plant("forensic_late")
    returned = submitted + int((w.rng.uniform(target + 5, 270) if o2 else w.rng.uniform(5, target - 2)) * DAY)
    det: Record = {
        "submitted_at": fmt_dt(submitted),
        "priority": priority,
        "first_generation_images": w.chance(0.3),
    }
    if submitted >= sim.end:
        return
    if returned < sim.end:
        det["returned_at"] = fmt_dt(returned)
        if not no_caid:
            caid = returned + int(w.rng.uniform(1, 5) * DAY)
            det["caid_uploaded_at"] = fmt_dt(min(caid, sim.end - HOUR))
    if o2 and submitted + target * DAY >= sim.end:
        o2 = False  # not yet overdue when the records end
    if no_caid and returned >= sim.end:
        no_caid = False
        late_submit = submitted > t + 7 * DAY
    dref = sim.emit_event(
        RMS,
        "DFU",
        "device_examination",
        submitted,
        by=sim.staff(sim.detectives),
        children=[victim],
        participants=[(w.person_ref(suspect, RMS), "subject")],
        linked=[crime],
        summary="Suspect's phone submitted to the digital forensic unit.",
        details=det,
        last_change=min(returned, sim.end),
    )
    if late_submit:
        # Every child involved is owed the investigation: the pupil who shared the image is a
        # child too (O1 is raised for the depicted child and the sharer alike).
        sim.fail("O1", victim, crime)
        if suspect.is_child:
            sim.fail("O1", suspect, crime)
    if o2:
        sim.fail("O2", victim, dref)
