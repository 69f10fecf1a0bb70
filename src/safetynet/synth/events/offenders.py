"""Registered sex offenders: markers, visits, and those who move in with a family (S1)."""

from __future__ import annotations

from safetynet.synth import names
from safetynet.synth.events.recorder import Recorder
from safetynet.synth.world import (
    DAY,
    RMS,
    YEAR,
    fmt_dt,
)


def build_sex_offenders(sim: Recorder) -> None:
    """Registered sex offenders with markers and visits; a few move in with a family (S1)."""
    w = sim.w
    families = [hh for hh in w.households if hh.children and len(hh.adults) == 1]
    for _ in range(max(3, round(w.cfg.children * 0.006))):
        rso = w.new_human(
            sex="male",
            dob=w.end - int(w.rng.uniform(24, 72) * YEAR),
            heritage="british",
            family=w.pick(names.SURNAMES["british"]),
            is_child=False,
        )
        rso.pnc = w.pnc_id(w.rng.randint(0, 25))
        own_home = w.new_home(w.random_town())
        rso.homes.append([own_home, w.start - 3 * YEAR, None, "home"])
        w.rsos.append(rso)
        registered = w.start - int(w.rng.uniform(0.5, 10) * YEAR)
        marker = sim.marker(
            rso, "registered_sex_offender", registered, notes="Registered sex offender; ARMS assessment on ViSOR."
        )
        if families and sim.plant("sex_offender_with_child"):
            hh = families.pop(int(w.rng.random() * len(families)))
            mother = hh.adults[0]
            # Moves in after the family's last move, so they share the current home.
            settled = min(max(int(mother.homes[-1][1]), w.start + 30 * DAY), w.end - 10 * DAY)
            moved = w.when(settled, w.end - 5 * DAY)
            home = mother.home_at(moved)
            rso.homes[-1][2], rso.homes[-1][3] = moved, "previous"
            rso.homes.append([home, moved, None, "home"])
            rso.partner = mother
            w.relationships.append((RMS, rso, mother, "partner_of", moved, None))
            for child in hh.children:
                if child.dob < w.end and child.home_at(w.end - DAY) == home:
                    sim.fail("S1", child, marker)
        visit = registered + int(w.rng.uniform(30, 200) * DAY)
        while visit < w.end:
            if visit >= w.start:
                officer = sim.staff(sim.ppu_officers)
                sim.emit_event(
                    RMS,
                    "OV",
                    "offender_visit",
                    visit,
                    by=officer,
                    children=[],
                    participants=[(w.person_ref(rso, RMS), "subject")],
                    location=rso.home_at(visit),
                    summary="Home visit under the offender management plan.",
                    details={
                        "announced": w.chance(0.6),
                        "visited_at": fmt_dt(visit),
                        "findings": w.pick(
                            (
                                "No concerns.",
                                "Compliant with notification requirements.",
                                "Declined to show phone; follow-up arranged.",
                            )
                        ),
                        "devices_checked": w.chance(0.5),
                    },
                )
            visit += int(w.rng.uniform(90, 365) * DAY)
