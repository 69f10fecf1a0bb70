"""Missing episodes: reports, reviews, enquiries, returns and trigger plans (M1-M4, M6)."""

from __future__ import annotations

from typing import Any

from safetynet.synth.events.recorder import Record, Recorder, Ref
from safetynet.synth.events.texts import FREQUENCY_RATIONALES, HIGH_RATIONALES, MISSING_BLAMING
from safetynet.synth.world import (
    DAY,
    GAZETTEER,
    HOUR,
    MINUTE,
    MISPERS,
    RMS,
    YEAR,
    Human,
    age_at,
    fmt_dt,
)


def _episode_count(sim: Recorder, c: Human) -> int:
    """Returns how many times this child goes missing: heavy-tailed, worst in children's homes."""
    w = sim.w
    age = age_at(c.dob, sim.end)
    if age < 9:
        return 0
    share = sim.years / 3
    if c.children_home >= 0:
        residents = w.home_residents[c.children_home]
        if c is residents[0] and (c.children_home == 0 or w.chance(0.15)):
            # The children the inspection found: 105, 151, 175 reports and no trigger plan.
            return int(w.rng.uniform(105, 180) * share)
        return min(90, int(w.rng.paretovariate(0.9) * 2 * share))
    if c.key in sim.emerging_of:
        return w.rng.randint(2, 4)
    net = sim.network_of.get(c.key)
    if net is not None:
        return min(70, int(w.rng.paretovariate(1.0) * 2 * share)) if w.chance(0.85) else 0
    p_ever = (0.012, 0.07, 0.25, 0.55)[c.tier] * (0.4 if age < 12 else 1.0) * min(1.0, share)
    if not w.chance(p_ever):
        return 0
    return min(60, int(w.rng.paretovariate(1.6 if c.tier < 3 else 1.1) * share) or 1)


def missing(sim: Recorder) -> None:
    """Missing episodes: reports, reviews, enquiries, returns; plants M1, M2, M3, M4, M6."""
    w = sim.w
    for c in w.children:
        k = _episode_count(sim, c)
        if k <= 0:
            continue
        lo = max(w.start, c.dob + 9 * YEAR)
        if c.key in sim.emerging_of:
            lo = max(lo, sim.end - 170 * DAY)  # only recently
        starts = sorted(w.when(lo, sim.end - 2 * HOUR) for _ in range(k))
        episodes: list[tuple[int, int | None]] = []
        prev_end = lo
        for s in starts:
            s = max(s, prev_end + 3 * HOUR)
            if s >= sim.end - 2 * HOUR:
                break
            dur = int(min(w.rng.lognormvariate(2.6, 0.9), 24 * 9) * HOUR)
            dur = max(dur, 4 * HOUR)
            e: int | None = s + dur
            assert e is not None
            if e >= sim.end:
                e = None  # still missing when the county's records end
            episodes.append((s, e))
            prev_end = e if e is not None else sim.end
        sim.episodes[c.key] = len(episodes)
        plan_ref = _repeat_plan(sim, c, [s for s, _ in episodes])
        for i, (s, e) in enumerate(episodes):
            _missing_report(sim, c, s, e, i, plan_ref)


def _repeat_plan(sim: Recorder, c: Human, starts: list[int]) -> Ref | None:
    """A trigger plan after 3 episodes in 90 days, unless planted missing (M4)."""
    w = sim.w
    first_window = next((starts[i + 2] for i in range(len(starts) - 2) if starts[i + 2] - starts[i] <= 90 * DAY), None)
    if first_window is None:
        return None
    # 89 days: still 3 in 90 days when evaluated the morning after the end.
    recent = [s for s in starts if s > sim.end - 89 * DAY]
    if len(recent) >= 3 and sim.plant("repeat_no_plan"):
        sim.fail("M4", c, None)
        return None
    created = first_window + int(w.rng.uniform(0.2, 3) * DAY)
    if created >= sim.end:
        created = sim.end - HOUR
    net = sim.network_of.get(c.key)
    associates = [w.person_ref(a, RMS) for a in (net["adults"] if net else [])]
    places = list(net["places"]) if net else []
    places += [w.pick(w.public_places)]
    return sim.plan(
        c,
        MISPERS,
        "trigger_plan" if w.chance(0.7) else "philomena_profile",
        created,
        content="Description, associates, places frequented and phone numbers; actions if missing again.",
        associates=associates,
        places=places,
        owner=sim.staff(sim.mp_coordinators)["name"],
    )


def _missing_report(sim: Recorder, c: Human, s: int, e: int | None, index: int, plan_ref: Ref | None) -> None:
    """Writes one missing episode from `s` to `e` (None: still missing), planting M1, M2, M3, M6."""
    w = sim.w
    in_care = c.care == "looked_after"
    reported = s + int(w.rng.uniform(0.5, 5) * HOUR)
    if e is not None and e <= reported + HOUR:
        e = reported + int(w.rng.uniform(2, 6) * HOUR)
    open_until = e if e is not None else sim.end
    m1 = sim.plant("missing_below_policy")
    m2 = sim.plant("missing_late_review")
    m3 = sim.plant("generic_enquiry")
    net = sim.network_of.get(c.key)
    sergeant = sim.staff(sim.sergeants)
    inspector = sim.staff(sim.inspectors)
    risk = w.pick(("medium", "low")) if m1 else "high"
    rationale = w.pick(FREQUENCY_RATIONALES) if m1 else w.pick(HIGH_RATIONALES)
    rationale, _ = sim.blaming(rationale, MISSING_BLAMING)
    late = m2 and w.chance(0.7)
    no_oic = m2 and not late
    reviews = _reviews(
        sim, reported, open_until, sergeant, inspector, risk, rationale if m1 else "Agree high.", late=late
    )
    # Found after the 1-hour supervisor deadline (always: episodes last more than an hour
    # after the report) but before the late review: the review was owed and never made,
    # which is the same failure, so it stays planted.
    details: Record = {
        "missing_from": "care" if in_care else ("school" if w.chance(0.03) else "home"),
        "reported_by": "residential staff" if c.children_home >= 0 else ("foster carer" if in_care else "parent"),
        "last_seen_at": fmt_dt(s),
        "last_seen_location": {"source": GAZETTEER, "id": c.home_at(s)},
        "initial_risk": risk,
        "risk_rationale": rationale,
        "reviews": reviews,
    }
    if not no_oic:
        details["officer_in_charge"] = {
            **sim.staff(sim.constables),
            "assigned_at": fmt_dt(reported + int(w.rng.uniform(10, 50) * MINUTE)),
        }
    details["lines_of_enquiry"] = _lines_of_enquiry(sim, net, s, reported, generic=m3)
    participants: list[tuple[Ref, str]] = [(w.person_ref(c, MISPERS), "missing_person")]
    colocated, m6 = _found(sim, c, net, e, details)
    if colocated is not None:
        participants.append((w.person_ref(colocated, RMS), "co_located"))
    rid = w.next_id("MIS")
    ref = {"source": MISPERS, "id": rid}
    summary = f"Missing episode {index + 1} for this child."
    sim.emit_event(
        MISPERS,
        "MIS",
        "missing_report",
        s,
        ended=e,
        reported=reported,
        location=c.home_at(s),
        by=sim.staff(sim.call_handlers),
        participants=participants,
        details=details,
        summary=summary,
        children=[c],
        linked=[plan_ref] if plan_ref else None,
        event_id=rid,
        last_change=(e or sim.end) + 3 * DAY,
    )
    c.missing_times.append(s)
    c.police_times.append(s)
    if m1:
        sim.fail("M1", c, ref)
    if m2:
        sim.fail("M2", c, ref)
    if m3:
        sim.fail("M3", c, ref)
    if m6:
        sim.fail("M6", c, ref)
    if colocated is not None and e is not None:
        _referral_after_found_with_adult(sim, c, colocated, e, ref, m6_failed=m6)


def _reviews(
    sim: Recorder,
    reported: int,
    open_until: int,
    sergeant: dict[str, str],
    inspector: dict[str, str],
    risk: str,
    first_rationale: str,
    *,
    late: bool,
) -> list[Record]:
    """Returns the reviews: supervisor within 1 h, inspector within 2 h, again every 8 h while
    open; `late` (M2) puts the first two hours late."""
    w = sim.w
    first = reported + int(w.rng.uniform(4, 6.5) * HOUR if late else w.rng.uniform(15, 55) * MINUTE)
    reviews: list[Record] = []
    if first < open_until:
        reviews.append(
            {
                "at": fmt_dt(first),
                "by": sergeant,
                "risk": risk,
                "rationale": first_rationale,
                "actions": ["Deploy to last seen location", "Check phone and social media"],
            }
        )
    insp = reported + int(w.rng.uniform(5, 8) * HOUR if late else w.rng.uniform(65, 110) * MINUTE)
    if insp < open_until:
        reviews.append(
            {
                "at": fmt_dt(insp),
                "by": inspector,
                "risk": risk,
                "rationale": "Reviewed; plan agreed.",
                "actions": ["Consider media appeal"],
            }
        )
    t = max(first, insp) + int(w.rng.uniform(6, 7.8) * HOUR)
    while t < open_until:
        reviews.append(
            {
                "at": fmt_dt(t),
                "by": sim.staff(sim.sergeants),
                "risk": risk,
                "rationale": "Still missing; enquiries continuing.",
                "actions": [],
            }
        )
        t += int(w.rng.uniform(6, 7.8) * HOUR)
    return reviews


def _lines_of_enquiry(
    sim: Recorder, net: dict[str, Any] | None, s: int, reported: int, *, generic: bool
) -> list[Record]:
    """Returns the lines of enquiry, each with a place and a person, or one generic line (M3)."""
    w = sim.w
    lines: list[Record] = []
    if net is not None and w.chance(0.8):
        adult = w.pick(net["adults"])
        lines.append(
            {
                "text": "Visit the address of an associated adult (CAWN in place).",
                "location": {"source": GAZETTEER, "id": adult.home_at(s)},
                "person": w.person_ref(adult, RMS),
                "done_at": fmt_dt(reported + 2 * HOUR),
            }
        )
    for parent_text in ("Visit mother's address.", "Speak to friends named by carers."):
        lines.append(
            {
                "text": parent_text,
                "location": {"source": GAZETTEER, "id": w.pick(w.public_places)},
                "person": None,
                "done_at": fmt_dt(reported + int(w.rng.uniform(1, 3) * HOUR)),
            }
        )
    if generic:
        lines.append({"text": "Check addresses", "location": None, "person": None, "done_at": None})
    return lines


def _found(
    sim: Recorder, c: Human, net: dict[str, Any] | None, e: int | None, details: Record
) -> tuple[Human | None, bool]:
    """Adds where and how the child was found and the return home interview to `details`;
    returns the adult of concern the child was found with (if any) and whether the interview is
    planted late (M6)."""
    if e is None:
        return None, False
    w = sim.w
    colocated: Human | None = None
    if net is not None and w.chance(0.35):
        colocated = w.pick(net["adults"])
        found_loc = colocated.home_at(e) if w.chance(0.5) else net["places"][1]
    else:
        found_loc = w.pick(w.public_places) if w.chance(0.5) else c.home_at(e)
    details["found_at"] = fmt_dt(e)
    details["found_location"] = {"source": GAZETTEER, "id": found_loc}
    details["found_by"] = "police" if w.chance(0.4) else "returned"
    details["returned_of_own_accord"] = details["found_by"] == "returned"
    details["prevention_interview_at"] = fmt_dt(e + int(w.rng.uniform(0.5, 6) * HOUR))
    m6 = sim.plant("late_return_interview")
    rhi: Record = {
        "offered_at": fmt_dt(e + int(w.rng.uniform(2, 24) * HOUR)),
        "by": "Return Home Interview Service",
    }
    done = e + int((w.rng.uniform(76, 400) if m6 else w.rng.uniform(6, 70)) * HOUR)
    if done < sim.end and not (m6 and w.chance(0.3)):
        rhi["completed_at"] = fmt_dt(done)
    if m6 and e + 72 * HOUR > sim.end:
        m6 = False  # not yet due: nothing to plant
    details["return_home_interview"] = rhi
    return colocated, m6


def _referral_after_found_with_adult(
    sim: Recorder, c: Human, colocated: Human, e: int, ref: Ref, *, m6_failed: bool
) -> None:
    """Found with an adult of concern: a safeguarding referral (M6) is required, made and
    linked unless the failure is planted (only once the 24 h have passed)."""
    w = sim.w
    # Network "adults" include older teenagers: only an adult (18+) on the day is planted.
    no_referral = e + 24 * HOUR <= sim.end and sim.plant("found_with_adult_no_referral")
    no_referral = no_referral and age_at(colocated.dob, e) >= 18
    if no_referral:
        if not m6_failed:
            sim.fail("M6", c, ref)
    else:
        sim.queue_referral(c, e + int(w.rng.uniform(1, 10) * HOUR), ["exploitation", "missing"], linked=[ref])
