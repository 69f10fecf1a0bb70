"""The county's families: households of children and adults, their homes and moves, schools, care.

Built after the places, in a fixed order, from the world's one random stream: `populate(world)`.
"""

from __future__ import annotations

import zlib

from safetynet.synth import names
from safetynet.synth.world import CSC, DAY, RMS, YEAR, Household, Human, World, age_at


def populate(w: World) -> None:
    """Builds the whole world; events are simulated afterwards by `safetynet.synth.events`."""
    w.build_places()
    build_households(w)
    assign_schools(w)
    assign_care(w)
    assign_gp_practices(w)


def build_households(w: World) -> None:
    """Creates households until the county has the configured number of children."""
    target = w.cfg.children
    absent_fathers: list[Human] = []
    while len(w.children) < target:
        town = w.random_town()
        hh = Household(len(w.households), town)
        w.households.append(hh)
        heritage = w.rng.choices(w.heritages, weights=w.heritage_weights)[0]
        surname = w.pick(names.SURNAMES[heritage])
        n_children = min(target - len(w.children), w.rng.choices((1, 2, 3, 4, 5), weights=(38, 38, 16, 6, 2))[0])
        youngest_age = w.rng.uniform(0, 16.5)
        # Siblings are born within 7 years of the youngest and every child is under 18 at
        # the end: the spread shrinks for older families instead of clamping ages (a clamp
        # gave hundreds of children the same birthday).
        spread = min(7.0, 17.99 - youngest_age)
        ages = sorted((youngest_age + w.rng.uniform(0, spread) for _ in range(n_children)), reverse=True)
        mother_age = ages[0] + w.rng.uniform(18, 38)
        mother = w.new_human(
            sex="female",
            dob=w.dob_for_age(mother_age, mother_age + 0.1),
            heritage=heritage,
            family=surname,
            is_child=False,
        )
        hh.adults.append(mother)
        father, step = _parents(w, hh, mother, heritage, surname, mother_age, absent_fathers)
        _children(w, hh, ages, heritage, surname, mother, father, step)
        for i, a in enumerate(hh.children):
            for b in hh.children[i + 1 :]:
                w.relationships.append((RMS, a, b, "sibling_of", None, None))
        if len(hh.adults) == 2:
            hh.adults[0].partner, hh.adults[1].partner = hh.adults[1], hh.adults[0]
            w.relationships.append((RMS, hh.adults[1], hh.adults[0], "partner_of", None, None))
        if father is not None and father not in hh.adults:
            w.relationships.append((RMS, father, mother, "ex_partner_of", None, None))
            mother.ex_partner = father
        hh.members = hh.adults + hh.children
        _house(w, hh)


def _house(w: World, hh: Household) -> None:
    """Gives the household a home and, for some, moves during the period."""
    moved_in = w.start - int(w.rng.uniform(0.2, 12) * YEAR)
    home = w.new_home(hh.town)
    stays: list[tuple[str, int]] = [(home, moved_in)]
    t = w.start
    while True:
        t += int(w.rng.expovariate(0.12) * YEAR)  # ~12% of households move each year
        if t >= w.end:
            break
        town = hh.town if w.chance(0.7) else w.random_town()
        stays.append((w.new_home(town), t))
    for m in hh.members:
        m.household = hh.index
        for i, (loc, since) in enumerate(stays):
            until = stays[i + 1][1] if i + 1 < len(stays) else None
            kind = "home" if until is None else "previous"
            m.homes.append([loc, max(since, m.dob), until, kind])


def assign_gp_practices(w: World) -> None:
    """Every child is registered with a GP practice in their town, chosen from their key (not the
    random stream: the county drawn before stays the same)."""
    w.build_gp_practices()
    for child in w.children:
        practices = w.gp_practices[w.households[child.household].town]
        child.gp_practice = practices[zlib.crc32(child.key.encode()) % len(practices)]


def assign_schools(w: World) -> None:
    for child in w.children:
        age = age_at(child.dob, w.end)
        hh = w.households[child.household]
        if 4 <= age <= 10:
            child.school = w.pick(w.primary_schools[hh.town])
        elif 11 <= age <= 15 or (age in (16, 17) and w.chance(0.5)):
            child.school = w.pick(w.secondary_schools[hh.town])
        if child.school is not None or age >= 16:
            # UPN: check letter, LA number, establishment, year of entry, serial.
            check = w.pick("ABCDEFGHJKLMNPQRTUVWXYZ")
            establishment = w.rng.randint(2000, 9999)
            child.upn = f"{check}{850 + hh.town:03d}{establishment}{(age + 4) % 100:02d}{w.rng.randint(0, 999):03d}"


def assign_care(w: World) -> None:
    """Decides who is looked after (in a children's home or foster care), on a plan, or in need."""
    older = [c for c in w.children if age_at(c.dob, w.end) >= 12]
    w.rng.shuffle(older)
    beds = [w.rng.randint(3, 5) for _ in w.children_homes]
    placed = 0
    for child in older:
        if placed >= sum(beds):
            break
        home_index = next(i for i, b in enumerate(beds) if len(w.home_residents[i]) < b)
        org, loc = w.children_homes[home_index]
        child.care = "looked_after"
        child.children_home = home_index
        child.tier = 3
        since = max(w.start - int(w.rng.uniform(0, 2) * YEAR), child.dob + 10 * YEAR)
        for stay in child.homes:
            if stay[2] is None or stay[2] > since:
                stay[2] = since
                stay[3] = "previous"
        child.homes.append([loc, since, None, "care"])
        w.home_residents[home_index].append(child)
        placed += 1
    for child in w.children:
        if child.care != "none":
            continue
        r = w.rng.random()
        age = age_at(child.dob, w.end)
        if r < 0.0055:
            child.care = "looked_after"  # foster care: stays with a foster carer
            child.tier = max(child.tier, 2)
            carer_town = w.random_town()
            carer = w.new_human(
                sex="female",
                dob=w.dob_for_age(35, 60),
                heritage="british",
                family=w.pick(names.SURNAMES["british"]),
                is_child=False,
            )
            since = w.when(w.start - 3 * YEAR, w.end - 30 * DAY)
            since = max(since, child.dob)
            loc = w.new_home(carer_town)
            carer.homes.append([loc, w.start - 10 * YEAR, None, "home"])
            for stay in child.homes:
                if stay[2] is None or stay[2] > since:
                    stay[2] = since
                    stay[3] = "previous"
            child.homes.append([loc, since, None, "care"])
            w.relationships.append((CSC, carer, child, "carer_of", since, None))
        elif r < 0.0105:
            child.care = "child_protection_plan"
            child.tier = max(child.tier, 2)
        elif r < 0.04:
            child.care = "child_in_need"
            child.tier = max(child.tier, 1)
        elif age >= 17 and r < 0.045:
            child.care = "care_leaver"
            child.tier = max(child.tier, 1)
        if child.tier == 0:
            child.tier = 1 if w.chance(0.09) else 0
        if child.tier == 1 and w.chance(0.06):
            child.tier = 2
        if child.care != "none":
            child.csc_id = f"CS{w.rng.randint(100000, 999999)}"
    for child in w.children:
        if child.care != "none" and child.csc_id is None:
            child.csc_id = f"CS{w.rng.randint(100000, 999999)}"
        if child.tier >= 2 and child.csc_id is None and w.chance(0.7):
            child.csc_id = f"CS{w.rng.randint(100000, 999999)}"


def _parents(
    w: World,
    hh: Household,
    mother: Human,
    heritage: str,
    surname: str,
    mother_age: float,
    absent_fathers: list[Human],
) -> tuple[Human | None, Human | None]:
    """Returns the children's birth father (at home or elsewhere) and a step-father, if any."""
    structure = w.rng.random()
    father: Human | None = None
    step: Human | None = None
    if structure < 0.62:  # both birth parents at home
        father = w.new_human(
            sex="male",
            dob=w.dob_for_age(mother_age + w.rng.uniform(-2, 6), mother_age + 6.1),
            heritage=heritage,
            family=surname,
            is_child=False,
        )
        hh.adults.append(father)
    else:
        # Separated: the birth father lives elsewhere (sometimes with children in more
        # than one household); a step-father may live with the family.
        if absent_fathers and w.chance(0.25):
            father = w.pick(absent_fathers)
        else:
            father = w.new_human(
                sex="male",
                dob=w.dob_for_age(mother_age + w.rng.uniform(-2, 6), mother_age + 6.1),
                heritage=heritage,
                family=surname,
                is_child=False,
            )
            father.household = -1
            father.homes.append([w.new_home(w.random_town()), w.start - 5 * YEAR, None, "home"])
            absent_fathers.append(father)
        mother.family = w.pick(names.SURNAMES[heritage]) if w.chance(0.5) else surname
        if structure < 0.8:
            step_surname = w.pick(names.SURNAMES["british"])
            step = w.new_human(
                sex="male",
                dob=w.dob_for_age(mother_age - 3, mother_age + 8),
                heritage="british",
                family=step_surname,
                is_child=False,
            )
            hh.adults.append(step)
            hh.step = step
            if w.chance(0.5):
                mother.old_family, mother.family = mother.family, step_surname
    return father, step


def _children(
    w: World,
    hh: Household,
    ages: list[float],
    heritage: str,
    surname: str,
    mother: Human,
    father: Human | None,
    step: Human | None,
) -> None:
    """Adds the household's children (twins now and then) and their parents' relationships."""
    twins_at = w.rng.randrange(len(ages)) if len(ages) >= 2 and w.chance(0.03) else -1
    for i, age in enumerate(ages):
        if i == twins_at + 1 and twins_at >= 0:
            dob = hh.children[-1].dob
        else:
            dob = w.dob_for_age(age, age + 0.001)
        child = w.new_human(sex=w.pick(("female", "male")), dob=dob, heritage=heritage, family=surname, is_child=True)
        if i == twins_at + 1 and twins_at >= 0:
            # Twins: same birthday, same surname, same address; a classic false merge.
            child.family = hh.children[-1].family
        if step is not None and w.chance(0.3):
            # Known by the step-father's surname in some systems.
            child.old_family, child.family = child.family, step.family
        if w.chance(0.004):
            child.sex = "other"
        hh.children.append(child)
        if father is not None:
            w.relationships.append((RMS, father, child, "parent_of", None, None))
            father.children.append(child)
        w.relationships.append((RMS, mother, child, "parent_of", None, None))
        mother.children.append(child)
        if step is not None:
            w.relationships.append((RMS, step, child, "step_parent_of", None, None))
            step.children.append(child)
