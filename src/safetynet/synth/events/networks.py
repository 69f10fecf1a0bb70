"""Exploitation networks: adults associating with several children (truth: `networks`)."""

from __future__ import annotations

from safetynet.synth import names
from safetynet.synth.events.recorder import Recorder
from safetynet.synth.world import (
    YEAR,
    Human,
    age_at,
)


def build_networks(sim: Recorder) -> None:
    """Adults associating with several children: CSE and CCE networks (truth: `networks`)."""
    w = sim.w
    count = max(2, round(w.cfg.children / 3500))
    candidates = [c for c in w.children if 12 <= age_at(c.dob, w.end) <= 17 and c.tier >= 2]
    others = [c for c in w.children if 13 <= age_at(c.dob, w.end) <= 17 and c.tier < 2]
    w.rng.shuffle(candidates)
    w.rng.shuffle(others)
    used: set[str] = set()
    for n in range(count):
        kind = "cse" if n % 2 == 0 else "cce"
        town = w.random_town()
        base = w.start - int(w.rng.uniform(0, 1) * YEAR)
        adults: list[Human] = []
        shared_home = w.new_home(town)
        for _ in range(w.rng.randint(2, 4)):
            heritage = w.rng.choices(w.heritages, weights=w.heritage_weights)[0]
            adult = w.new_human(
                sex="male" if w.chance(0.85) else "female",
                dob=w.end - int(w.rng.uniform(19, 36) * YEAR),
                heritage=heritage,
                family=w.pick(names.SURNAMES[heritage]),
                is_child=False,
            )
            adult.pnc = w.pnc_id(w.rng.randint(0, 25))
            adult.homes.append([shared_home if w.chance(0.5) else w.new_home(town), base, None, "home"])
            adult.markers.append("drugs" if kind == "cce" else "violence")
            adults.append(adult)
        kids: list[Human] = []
        want = w.rng.randint(3, 7)
        for pool in (candidates, others):
            for c in pool:
                if len(kids) >= want:
                    break
                if c.key in used:
                    continue
                if pool is others and len(kids) >= 2 and w.chance(0.5):
                    continue
                used.add(c.key)
                kids.append(c)
        for c in kids:
            c.tier = 3
            c.markers.append("cse_risk" if kind == "cse" else "cce_risk")
            if kind == "cse" and c.care == "none" and w.chance(0.35):
                c.care = "child_protection_plan"
                c.csc_id = c.csc_id or f"CS{w.rng.randint(100000, 999999)}"
        # Emerging: younger children just drawn in, known only from unconfirmed intelligence
        # and a few recent missing episodes, with an adult partner at least five years older.
        oldest = min(adults, key=lambda a: a.dob)
        emerging: list[Human] = []
        wanted = w.rng.randint(1, 2)
        for c in others:
            if len(emerging) >= wanted:
                break
            if c.key in used or age_at(c.dob, w.end) > 15 or age_at(oldest.dob, w.end) - age_at(c.dob, w.end) < 5:
                continue
            used.add(c.key)
            emerging.append(c)
        net = {
            "id": f"N{n + 1:03d}",
            "type": kind,
            "adults": adults,
            "children": kids,
            "emerging": emerging,
            "places": [shared_home, w.pick(w.hotels) if w.hotels else shared_home],
            "since": base,
        }
        sim.networks.append(net)
        for c in kids:
            sim.network_of[c.key] = net
        for c in emerging:
            sim.emerging_of[c.key] = net
