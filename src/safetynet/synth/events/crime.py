"""Crimes against children: assaults and sexual offences (X5), requests to other forces (X6)."""

from __future__ import annotations

from safetynet.synth import names
from safetynet.synth.events.recorder import Record, Recorder
from safetynet.synth.world import (
    DAY,
    HOUR,
    RMS,
    YEAR,
    Human,
    age_at,
    fmt_dt,
)


def crimes(sim: Recorder) -> None:
    """Crimes against children: assaults and sexual offences (X5), requests to other forces (X6)."""
    w = sim.w
    per_year = (0.004, 0.05, 0.2, 0.5)
    for c in w.children:
        n = w.poisson(per_year[c.tier] * sim.years)
        for _ in range(n):
            t = w.when(max(w.start, c.dob + 4 * YEAR))
            if t >= sim.end:
                continue
            _crime(sim, c, t)


def _crime(sim: Recorder, c: Human, t: int) -> None:
    """Writes one crime against `c` at `t`: a sexual offence by an adult or another offence."""
    w = sim.w
    age = age_at(c.dob, t)
    sexual = 12 <= age < 16 and w.chance(0.35 if c.tier >= 2 else 0.15)
    if sexual:
        suspect = _adult_suspect(sim, c)
        consent = sim.plant("consent_language")
        offence, code = "Sexual activity with a child under 16", "22B"
        summary = (
            f"Victim aged {age} says the relationship was consensual; suspect aged {age_at(suspect.dob, t)}."
            if consent
            else f"Sexual activity with a child aged {age}; suspect aged {age_at(suspect.dob, t)} identified."
        )
    else:
        suspect = None
        consent = False
        offence, code = w.pick(
            (
                ("Assault occasioning actual bodily harm", "8N"),
                ("Common assault", "105A"),
                ("Robbery of personal property", "34B"),
                ("Malicious communications", "8L"),
            )
        )
        summary = f"{offence} against a child aged {age}."
    status = w.pick(("under_investigation", "charged", "no_further_action"))
    details: Record = {
        "offence": offence,
        "offence_code": code,
        "sexual_offence": sexual,
        "online": False,
        "status": status,
        "investigation_plan": "Victim interview (ABE), suspect interview, digital enquiries.",
    }
    req, x6 = _external_request(sim, t)
    if req is not None:
        details["external_requests"] = [req]
    participants = [(w.person_ref(c, RMS), "victim")]
    if suspect is not None:
        participants.append((w.person_ref(suspect, RMS), "suspect"))
    eid = w.next_id("CRM")
    ref = {"source": RMS, "id": eid}
    sim.emit_event(
        RMS,
        "CRM",
        "crime",
        t,
        reported=t + int(w.rng.uniform(1, 72) * HOUR),
        location=c.home_at(t) if sexual else w.pick(w.public_places),
        by=sim.staff(sim.detectives),
        participants=participants,
        details=details,
        summary=summary,
        children=[c],
        event_id=eid,
        last_change=t + 20 * DAY,
    )
    c.police_times.append(t)
    if consent:
        sim.fail("X5", c, ref)
    if x6:
        sim.fail("X6", c, ref)


def _external_request(sim: Recorder, t: int) -> tuple[Record | None, bool]:
    """Returns a request to another force about one crime in 12, and whether it is planted
    overdue (X6); no request when it would be made after the records end."""
    w = sim.w
    if not w.chance(0.08):
        return None, False
    requested = t + int(w.rng.uniform(1, 10) * DAY)
    if requested >= sim.end:
        return None, False
    x6 = sim.plant("request_overdue") and requested < sim.end - 15 * DAY
    req: Record = {
        "to_force": w.pick(
            (
                "Metropolitan Police",
                "Essex Police",
                "Norfolk Constabulary",
                "Cambridgeshire Constabulary",
            )
        ),
        "requested_at": fmt_dt(requested),
        "text": "Trace and interview a witness living in your area.",
    }
    if x6:
        if w.chance(0.5):
            req["completed_at"] = None
        else:
            done = requested + int(w.rng.uniform(20, 90) * DAY)
            req["completed_at"] = fmt_dt(done) if done < sim.end else None
    else:
        done = requested + int(w.rng.uniform(2, 13) * DAY)
        req["completed_at"] = fmt_dt(done) if done < sim.end else None
    return req, x6


def _adult_suspect(sim: Recorder, c: Human) -> Human:
    w = sim.w
    net = sim.network_of.get(c.key)
    if net is not None and net["type"] == "cse":
        return w.pick(net["adults"])
    adult = w.new_human(
        sex="male",
        dob=w.end - int(w.rng.uniform(18, 40) * YEAR),
        heritage="british",
        family=w.pick(names.SURNAMES["british"]),
        is_child=False,
    )
    adult.homes.append([w.new_home(w.random_town()), w.start - YEAR, None, "home"])
    return adult
