"""MASH referrals, triaged in time order against the child's history (H1, H2, H3)."""

from __future__ import annotations

from safetynet.synth.events.meetings import meeting
from safetynet.synth.events.recorder import Recorder, Ref
from safetynet.synth.world import (
    CSC,
    HOUR,
    YEAR,
    Human,
    fmt_dt,
)


def referrals(sim: Recorder) -> None:
    """MASH referrals per child, triaged against history (H1, H2, H3)."""
    w = sim.w
    per_year = (0.008, 0.2, 0.7, 1.6)
    concerns = ("neglect", "physical", "emotional", "domestic_abuse", "mental_health", "other")
    for c in w.children:
        queue = sim.queued_referrals.pop(c.key, [])
        for _ in range(w.poisson(per_year[c.tier] * sim.years)):
            queue.append((w.when(max(w.start, c.dob)), [w.pick(concerns)], None))
        for t in c.da_times:
            if w.chance(0.5):
                queue.append((t + int(w.rng.uniform(3, 30) * HOUR), ["domestic_abuse"], None))
        for t, concern, linked in sorted(queue, key=lambda item: item[0]):
            referral(sim, c, t, concern, linked)


def referral(sim: Recorder, c: Human, t: int, concerns: list[str], linked: list[Ref] | None = None) -> Ref | None:
    """Writes one referral with its triage and returns its reference (None after the records end)."""
    w = sim.w
    if t >= sim.end - HOUR:
        return None
    if "exploitation" in concerns:
        sim.screened.add(c.key)
    grade, h3 = _grade(sim, c, t, concerns)
    at, h1 = _triage_time(sim, t, grade)
    history = any(x < t for x in c.police_times)
    h2 = history and sim.plant("triage_la_only")
    research = ["local_authority"] if (h2 or (not history and w.chance(0.5))) else ["local_authority", "police_systems"]
    if not h2 and history and w.chance(0.2):
        research.append("national")
    rid = w.next_id("REF")
    ref = {"source": CSC, "id": rid}
    decision = {
        "red": "Strategy discussion today.",
        "amber": "Single assessment by social care.",
        "green": "Advice and signposting to early help.",
        "blue": "Recorded for information.",
    }[grade]
    sim.emit_event(
        CSC,
        "REF",
        "referral",
        t,
        by=sim.staff(sim.mash_officers),
        children=[c],
        event_id=rid,
        participants=[(w.person_ref(c, CSC), "subject")],
        linked=linked,
        summary="Referral to the multi-agency safeguarding hub.",
        details={
            "concern": concerns,
            "referrer": w.pick(("police", "school", "health visitor", "GP", "family member", "neighbour")),
            "received_at": fmt_dt(t),
            "triage": {
                "grade": grade,
                "at": fmt_dt(at),
                "by": sim.staff(sim.mash_officers),
                "research": research,
                "decision": decision,
            },
            "outcome": decision,
        },
        last_change=at + HOUR,
    )
    c.referral_times.append(t)
    if h1:
        sim.fail("H1", c, ref)
    if h2:
        sim.fail("H2", c, ref)
    if h3:
        sim.fail("H3", c, ref)
    if grade == "red" and w.chance(0.7):
        meeting(
            sim,
            CSC,
            "strategy_discussion",
            at + int(w.rng.uniform(1, 20) * HOUR),
            subjects=[c],
            children=[c],
            decisions=["Section 47 enquiry."],
            linked=[ref],
        )
    return ref


def _grade(sim: Recorder, c: Human, t: int, concerns: list[str]) -> tuple[str, bool]:
    """Returns the triage grade, raised by the referrals of the past year, or planted too low (H3)."""
    w = sim.w
    year_ago = t - YEAR
    prior = sum(1 for x in c.referral_times if year_ago <= x < t) + sum(1 for x in c.da_times if year_ago <= x < t)
    count = prior + 1
    base = "red" if "sexual" in concerns or "exploitation" in concerns else w.pick(("amber", "green", "green", "blue"))
    grade = base
    h3 = False
    if count >= 5:
        grade = "red"
    elif count >= 3 and grade in ("green", "blue"):
        grade = "amber"
    if count >= 3 and sim.plant("cumulative_missed"):
        grade, h3 = "green", True
    return grade, h3


def _triage_time(sim: Recorder, t: int, grade: str) -> tuple[int, bool]:
    """Returns when the referral is triaged, inside the grade's hours or planted late (H1)."""
    w = sim.w
    limit = {"red": 4, "amber": 24, "green": 48, "blue": 72}[grade]
    h1 = grade != "blue" and sim.plant("triage_late")
    delay = w.rng.uniform(limit + 1, limit * 3) if h1 else w.rng.uniform(limit * 0.1, limit * 0.9)
    at = t + int(delay * HOUR)
    if at >= sim.end:
        h1 = False
        at = t + int(w.rng.uniform(limit * 0.1, limit * 0.9) * HOUR)
        if at >= sim.end:
            at = sim.end - 1
    return at, h1
