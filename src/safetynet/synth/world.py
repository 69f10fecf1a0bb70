"""The county's world: people, households, places, organisations, care, networks.

Everything here is plain Python (no Django, no database) and draws only from the one
`random.Random(seed)` held by the `World`, in a fixed order, so a seed always builds the
same county. Times are whole seconds since the epoch (UTC) until they are written.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Sequence
from typing import Any, TypeVar

from safetynet.synth import names
from safetynet.synth.config import CountyConfig

DAY = 86_400
HOUR = 3_600
MINUTE = 60
YEAR = 365 * DAY

T = TypeVar("T")

# Record sources a person may appear in.
RMS, MISPERS, CSC, HEALTH, EDUCATION = "rms", "mispers", "csc", "health", "education"
GAZETTEER, DIRECTORY = "gazetteer", "directory"

_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the inward code never uses C, I, K, M, O, V


# Formatting dominates the writer's time; days repeat, so their calendar parts are cached.
_DAYS: dict[int, tuple[int, int, int, str]] = {}


def _day(day: int) -> tuple[int, int, int, str]:
    cached = _DAYS.get(day)
    if cached is None:
        t = time.gmtime(day * DAY)
        cached = (t.tm_year, t.tm_mon, t.tm_mday, f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}")
        _DAYS[day] = cached
    return cached


def fmt_dt(ts: int) -> str:
    """Returns an RFC 3339 UTC datetime for epoch seconds."""
    day, rest = divmod(ts, DAY)
    hour, rest = divmod(rest, 3600)
    minute, second = divmod(rest, 60)
    return f"{_day(day)[3]}T{hour:02d}:{minute:02d}:{second:02d}+00:00"


def fmt_d(ts: int) -> str:
    """Returns a YYYY-MM-DD date for epoch seconds."""
    return _day(ts // DAY)[3]


def age_at(dob: int, ts: int) -> int:
    """Returns the whole years of age at `ts` for someone born at `dob`."""
    by, bm, bd, _ = _day(dob // DAY)
    ty, tm, td, _ = _day(ts // DAY)
    return ty - by - ((tm, td) < (bm, bd))


class Human:
    """One real (synthetic) person; the records systems hold versions of them."""

    __slots__ = (
        "key",
        "given",
        "variants",
        "middle",
        "family",
        "old_family",
        "sex",
        "dob",
        "heritage",
        "ethnicity",
        "observed",
        "language",
        "nhs",
        "upn",
        "pnc",
        "csc_id",
        "is_child",
        "household",
        "homes",
        "school",
        "care",
        "children_home",
        "tier",
        "records",
        "police_times",
        "da_times",
        "missing_times",
        "referral_times",
        "no_ethnicity",
        "markers",
        "phone",
        "partner",
        "ex_partner",
        "children",
    )

    def __init__(self, key: str) -> None:
        self.key = key
        self.given = ""
        self.variants: tuple[str, ...] = ()
        self.middle: str | None = None
        self.family = ""
        self.old_family: str | None = None
        self.sex = "unknown"
        self.dob = 0
        self.heritage = "british"
        self.ethnicity = "NS"
        self.observed = "IC1"
        self.language = "English"
        self.nhs: str | None = None
        self.upn: str | None = None
        self.pnc: str | None = None
        self.csc_id: str | None = None
        self.is_child = False
        self.household = -1
        # [location id, from ts, to ts or None, kind]
        self.homes: list[list[Any]] = []
        self.school: str | None = None
        self.care = "none"
        self.children_home: int = -1
        self.tier = 0
        self.records: dict[str, list[str]] = {}
        self.police_times: list[int] = []
        self.da_times: list[int] = []
        self.missing_times: list[int] = []
        self.referral_times: list[int] = []
        self.no_ethnicity = False
        self.markers: list[str] = []
        self.phone: str | None = None
        self.partner: Human | None = None
        self.ex_partner: Human | None = None
        self.children: list[Human] = []

    def home_at(self, ts: int) -> str | None:
        """Returns the location id this person lived at at `ts` (the latest home if none matches)."""
        for loc, start, stop, _kind in self.homes:
            if start <= ts and (stop is None or ts < stop):
                return str(loc)
        return str(self.homes[-1][0]) if self.homes else None


class Household:
    __slots__ = ("index", "members", "children", "adults", "town", "step", "da_perpetrator", "da_victim")

    def __init__(self, index: int, town: int) -> None:
        self.index = index
        self.town = town
        self.members: list[Human] = []
        self.children: list[Human] = []
        self.adults: list[Human] = []
        self.step: Human | None = None
        self.da_perpetrator: Human | None = None
        self.da_victim: Human | None = None


class World:
    """People, places and organisations of one county, built from a config and a seed."""

    def __init__(self, config: CountyConfig) -> None:
        self.cfg = config
        self.rng = random.Random(config.seed)
        self.end = int(config.end.timestamp())
        self.start = self.end - config.years * YEAR
        self.humans: list[Human] = []
        self.children: list[Human] = []
        self.households: list[Household] = []
        self.locations: list[dict[str, Any]] = []
        self.organisations: list[dict[str, Any]] = []
        self.relationships: list[tuple[str, Human, Human, str, int | None, int | None]] = []
        self.seq: dict[str, int] = {}
        self.streets: list[list[tuple[str, str]]] = [[] for _ in names.TOWNS]
        self.used_addresses: set[tuple[int, int]] = set()
        self.town_weights = [t[4] for t in names.TOWNS]
        self.heritages = list(names.HERITAGE)
        self.heritage_weights = [names.HERITAGE[h][0] for h in self.heritages]
        self.ethnicity_choices: dict[str, tuple[list[str], list[float]]] = {}
        for heritage, (_w, codes, _ic, _lang) in names.HERITAGE.items():
            running, cumulative = 0.0, []
            for _code, weight in codes:
                running += weight
                cumulative.append(running)
            self.ethnicity_choices[heritage] = ([c for c, _ in codes], cumulative)
        self.primary_schools: list[list[str]] = [[] for _ in names.TOWNS]
        self.secondary_schools: list[list[str]] = [[] for _ in names.TOWNS]
        self.children_homes: list[tuple[str, str]] = []  # (organisation id, location id)
        self.home_residents: list[list[Human]] = []
        self.hotels: list[str] = []
        self.public_places: list[str] = []
        self.custody_suites: list[str] = []
        self.hospitals: list[str] = []
        self.police_stations: list[str] = []
        self.rsos: list[Human] = []
        self.networks: list[dict[str, Any]] = []
        self.org_police = ""
        self.org_csc = ""
        self.org_health = ""
        self.org_rhi = ""

    # -- small helpers -------------------------------------------------------------------

    def next_id(self, prefix: str, width: int = 7) -> str:
        n = self.seq.get(prefix, 0) + 1
        self.seq[prefix] = n
        return f"{prefix}{n:0{width}d}"

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.rng.random() * len(seq))]

    def poisson(self, lam: float) -> int:
        """Returns a Poisson draw (Knuth for small means, normal approximation above 30)."""
        if lam <= 0:
            return 0
        if lam > 30:
            return max(0, int(self.rng.gauss(lam, lam**0.5) + 0.5))
        limit, k, p = pow(2.718281828459045, -lam), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def when(self, start: int | None = None, stop: int | None = None) -> int:
        """Returns a uniformly random second in [start, stop) (default: the county's period)."""
        a = self.start if start is None else start
        b = self.end if stop is None else stop
        return a + int(self.rng.random() * max(1, b - a))

    # -- places --------------------------------------------------------------------------

    def _postcode(self, town: int) -> str:
        r = self.rng
        return f"{names.TOWNS[town][1]} {r.randint(1, 9)}{self.pick(_POSTCODE_LETTERS)}{self.pick(_POSTCODE_LETTERS)}"

    def _uprn(self) -> str:
        return f"1000{self.seq.get('L', 0) + 1:08d}"

    def new_location(
        self,
        lines: list[str],
        town: int,
        postcode: str,
        location_type: str,
    ) -> str:
        """Adds a location record and returns its id."""
        lat, lon = names.TOWNS[town][2], names.TOWNS[town][3]
        uprn = self._uprn()
        loc_id = self.next_id("L")
        self.locations.append(
            {
                "kind": "location",
                "source": GAZETTEER,
                "id": loc_id,
                "recorded_at": fmt_dt(self.start - 30 * DAY),
                "address_lines": lines,
                "town": names.TOWNS[town][0],
                "postcode": postcode,
                "uprn": uprn,
                "lat": round(lat + self.rng.uniform(-0.03, 0.03), 5),
                "lon": round(lon + self.rng.uniform(-0.04, 0.04), 5),
                "location_type": location_type,
            }
        )
        return loc_id

    def street_address(self, town: int) -> tuple[str, str]:
        """Returns (first address line, postcode) of a not-yet-used house in `town`."""
        streets = self.streets[town]
        while True:
            if not streets or self.chance(0.08):
                stem = self.pick(names.STREET_STEMS)
                kind = self.pick(names.STREET_KINDS)
                streets.append((f"{stem} {kind}", self._postcode(town)))
            street_index = int(self.rng.random() * len(streets))
            number = self.rng.randint(1, 140)
            if (town * 100_000 + street_index, number) in self.used_addresses:
                continue
            self.used_addresses.add((town * 100_000 + street_index, number))
            street, postcode = streets[street_index]
            flat = self.chance(0.12)
            line = f"Flat {self.rng.randint(1, 12)}, {number} {street}" if flat else f"{number} {street}"
            return line, postcode

    def new_home(self, town: int) -> str:
        line, postcode = self.street_address(town)
        return self.new_location([line], town, postcode, "home")

    def random_town(self) -> int:
        return self.rng.choices(range(len(names.TOWNS)), weights=self.town_weights)[0]

    def _organisation(self, name: str, org_type: str, location: str | None) -> str:
        org_id = self.next_id("ORG", 5)
        record: dict[str, Any] = {
            "kind": "organisation",
            "source": DIRECTORY,
            "id": org_id,
            "recorded_at": fmt_dt(self.start - 30 * DAY),
            "name": name,
            "org_type": org_type,
        }
        if location:
            record["location"] = {"source": GAZETTEER, "id": location}
        self.organisations.append(record)
        return org_id

    def build_places(self) -> None:
        """Creates organisations (force, social care, schools, children's homes) and public places."""
        n = self.cfg.children
        hq_town = 0
        line, pc = self.street_address(hq_town)
        self.org_police = self._organisation(
            "Eastshire Constabulary", "police_force", self.new_location([line], hq_town, pc, "police_station")
        )
        line, pc = self.street_address(hq_town)
        self.org_csc = self._organisation(
            "Eastshire County Council Children's Services",
            "childrens_social_care",
            self.new_location([line], hq_town, pc, "business"),
        )
        self.org_health = self._organisation("Eastshire Integrated Care Board", "health", None)
        self.org_rhi = self._organisation("Eastshire Return Home Interview Service", "voluntary", None)
        for town in range(len(names.TOWNS)):
            share = names.TOWNS[town][4]
            line, pc = self.street_address(town)
            self.police_stations.append(
                self.new_location([f"{names.TOWNS[town][0]} Police Station", line], town, pc, "police_station")
            )
            if town in (0, 2, 3):
                line, pc = self.street_address(town)
                self.custody_suites.append(
                    self.new_location([f"{names.TOWNS[town][0]} Custody Suite", line], town, pc, "custody_suite")
                )
                line, pc = self.street_address(town)
                self.hospitals.append(
                    self.new_location([f"{names.TOWNS[town][0]} General Hospital", line], town, pc, "hospital")
                )
            for _ in range(max(1, round(n * share / 260))):
                self._school(town, primary=True)
            for _ in range(max(1, round(n * share / 1100))):
                self._school(town, primary=False)
            for place in names.PUBLIC_PLACES:
                if self.chance(0.6) or town == 0:
                    line, pc = self.street_address(town)
                    self.public_places.append(
                        self.new_location([f"{names.TOWNS[town][0]} {place}"], town, pc, "public_place")
                    )
            if town in (0, 2, 3, 5) or self.chance(0.3):
                for hotel in self.rng.sample(names.HOTEL_NAMES, 2):
                    line, pc = self.street_address(town)
                    self.hotels.append(self.new_location([hotel, line], town, pc, "hotel"))
        # Children's homes: a few beds per ~3,000 children; the demo county always has one.
        for i in range(max(1, round(n / 3000))):
            town = self.random_town()
            line, pc = self.street_address(town)
            stem = self.pick(names.STREET_STEMS)
            loc = self.new_location([f"{stem} House", line], town, pc, "childrens_home")
            org = self._organisation(f"{stem} House children's home ({i + 1})", "childrens_home", loc)
            self.children_homes.append((org, loc))
            self.home_residents.append([])

    def _school(self, town: int, *, primary: bool) -> None:
        line, pc = self.street_address(town)
        stem = self.pick(names.STREET_STEMS)
        label = f"{stem} Primary School" if primary else f"{stem} Academy"
        loc = self.new_location([label, line], town, pc, "school")
        org = self._organisation(f"{label}, {names.TOWNS[town][0]}", "school", loc)
        (self.primary_schools if primary else self.secondary_schools)[town].append(org)

    # -- people --------------------------------------------------------------------------

    def pnc_id(self, year: int) -> str:
        """Returns a PNC-style id: two-digit year, serial, check letter."""
        return f"{year:02d}/{self.rng.randint(100000, 999999)}{self.pick('ABCDEFGHJKLMNPQRTUVWXYZ')}"

    def _nhs_number(self) -> str:
        """Returns a fictional 10-digit NHS number with a valid modulus-11 check digit."""
        while True:
            # The 9xx range is not issued to real patients in England.
            digits = [9, *map(int, f"{self.rng.randrange(100_000_000):08d}")]
            total = sum(d * (10 - i) for i, d in enumerate(digits))
            check = 11 - total % 11
            if check == 11:
                check = 0
            if check != 10:
                return "".join(map(str, digits)) + str(check)

    def new_human(self, *, sex: str, dob: int, heritage: str, family: str, is_child: bool) -> Human:
        h = Human(f"P{len(self.humans) + 1:07d}")
        pool = names.FEMALE if sex == "female" else names.MALE
        given, variants = self.pick(pool[heritage] if not self.chance(0.08) else pool["british"])
        h.given, h.variants = given, variants
        if self.chance(0.45):
            h.middle = self.pick(pool["british"])[0]
        h.family = family
        h.sex = sex
        h.dob = dob
        h.heritage = heritage
        _w, _codes, observed, language = names.HERITAGE[heritage]
        codes, cumulative = self.ethnicity_choices[heritage]
        h.ethnicity = self.rng.choices(codes, cum_weights=cumulative)[0]
        h.observed = observed if not h.ethnicity.startswith("M") else self.pick(("IC1", "IC3"))
        h.language = language if not (is_child and self.chance(0.6)) else "English"
        h.is_child = is_child
        h.nhs = self._nhs_number() if self.chance(0.97 if is_child else 0.9) else None
        if self.chance(0.6):
            h.phone = f"07{self.rng.randint(100, 999)} {self.rng.randint(100000, 999999)}"
        self.humans.append(h)
        if is_child:
            self.children.append(h)
        return h

    def _dob_for_age(self, years_low: float, years_high: float) -> int:
        return self.end - int(self.rng.uniform(years_low, years_high) * YEAR)

    def build_households(self) -> None:
        """Creates households until the county has the configured number of children."""
        target = self.cfg.children
        absent_fathers: list[Human] = []
        while len(self.children) < target:
            town = self.random_town()
            hh = Household(len(self.households), town)
            self.households.append(hh)
            heritage = self.rng.choices(self.heritages, weights=self.heritage_weights)[0]
            surname = self.pick(names.SURNAMES[heritage])
            n_children = min(
                target - len(self.children), self.rng.choices((1, 2, 3, 4, 5), weights=(38, 38, 16, 6, 2))[0]
            )
            youngest_age = self.rng.uniform(0, 16.5)
            # Siblings are born within 7 years of the youngest and every child is under 18 at
            # the end: the spread shrinks for older families instead of clamping ages (a clamp
            # gave hundreds of children the same birthday).
            spread = min(7.0, 17.99 - youngest_age)
            ages = sorted((youngest_age + self.rng.uniform(0, spread) for _ in range(n_children)), reverse=True)
            mother_age = ages[0] + self.rng.uniform(18, 38)
            mother = self.new_human(
                sex="female",
                dob=self._dob_for_age(mother_age, mother_age + 0.1),
                heritage=heritage,
                family=surname,
                is_child=False,
            )
            hh.adults.append(mother)
            structure = self.rng.random()
            father: Human | None = None
            step: Human | None = None
            if structure < 0.62:  # both birth parents at home
                father = self.new_human(
                    sex="male",
                    dob=self._dob_for_age(mother_age + self.rng.uniform(-2, 6), mother_age + 6.1),
                    heritage=heritage,
                    family=surname,
                    is_child=False,
                )
                hh.adults.append(father)
            else:
                # Separated: the birth father lives elsewhere (sometimes with children in more
                # than one household); a step-father may live with the family.
                if absent_fathers and self.chance(0.25):
                    father = self.pick(absent_fathers)
                else:
                    father = self.new_human(
                        sex="male",
                        dob=self._dob_for_age(mother_age + self.rng.uniform(-2, 6), mother_age + 6.1),
                        heritage=heritage,
                        family=surname,
                        is_child=False,
                    )
                    father.household = -1
                    father.homes.append([self.new_home(self.random_town()), self.start - 5 * YEAR, None, "home"])
                    absent_fathers.append(father)
                mother.family = self.pick(names.SURNAMES[heritage]) if self.chance(0.5) else surname
                if structure < 0.8:
                    step_surname = self.pick(names.SURNAMES["british"])
                    step = self.new_human(
                        sex="male",
                        dob=self._dob_for_age(mother_age - 3, mother_age + 8),
                        heritage="british",
                        family=step_surname,
                        is_child=False,
                    )
                    hh.adults.append(step)
                    hh.step = step
                    if self.chance(0.5):
                        mother.old_family, mother.family = mother.family, step_surname
            twins_at = self.rng.randrange(n_children) if n_children >= 2 and self.chance(0.03) else -1
            for i, age in enumerate(ages):
                if i == twins_at + 1 and twins_at >= 0:
                    dob = hh.children[-1].dob
                else:
                    dob = self._dob_for_age(age, age + 0.001)
                child = self.new_human(
                    sex=self.pick(("female", "male")), dob=dob, heritage=heritage, family=surname, is_child=True
                )
                if i == twins_at + 1 and twins_at >= 0:
                    # Twins: same birthday, same surname, same address; a classic false merge.
                    child.family = hh.children[-1].family
                if step is not None and self.chance(0.3):
                    # Known by the step-father's surname in some systems.
                    child.old_family, child.family = child.family, step.family
                if self.chance(0.004):
                    child.sex = "other"
                hh.children.append(child)
                if father is not None:
                    self.relationships.append((RMS, father, child, "parent_of", None, None))
                    father.children.append(child)
                self.relationships.append((RMS, mother, child, "parent_of", None, None))
                mother.children.append(child)
                if step is not None:
                    self.relationships.append((RMS, step, child, "step_parent_of", None, None))
                    step.children.append(child)
            for i, a in enumerate(hh.children):
                for b in hh.children[i + 1 :]:
                    self.relationships.append((RMS, a, b, "sibling_of", None, None))
            if len(hh.adults) == 2:
                hh.adults[0].partner, hh.adults[1].partner = hh.adults[1], hh.adults[0]
                self.relationships.append((RMS, hh.adults[1], hh.adults[0], "partner_of", None, None))
            if father is not None and father not in hh.adults:
                self.relationships.append((RMS, father, mother, "ex_partner_of", None, None))
                mother.ex_partner = father
            hh.members = hh.adults + hh.children
            self._house(hh)

    def _house(self, hh: Household) -> None:
        """Gives the household a home and, for some, moves during the period."""
        moved_in = self.start - int(self.rng.uniform(0.2, 12) * YEAR)
        home = self.new_home(hh.town)
        stays: list[tuple[str, int]] = [(home, moved_in)]
        t = self.start
        while True:
            t += int(self.rng.expovariate(0.12) * YEAR)  # ~12% of households move each year
            if t >= self.end:
                break
            town = hh.town if self.chance(0.7) else self.random_town()
            stays.append((self.new_home(town), t))
        for m in hh.members:
            m.household = hh.index
            for i, (loc, since) in enumerate(stays):
                until = stays[i + 1][1] if i + 1 < len(stays) else None
                kind = "home" if until is None else "previous"
                m.homes.append([loc, max(since, m.dob), until, kind])

    def assign_schools(self) -> None:
        for child in self.children:
            age = age_at(child.dob, self.end)
            hh = self.households[child.household]
            if 4 <= age <= 10:
                child.school = self.pick(self.primary_schools[hh.town])
            elif 11 <= age <= 15 or (age in (16, 17) and self.chance(0.5)):
                child.school = self.pick(self.secondary_schools[hh.town])
            if child.school is not None or age >= 16:
                # UPN: check letter, LA number, establishment, year of entry, serial.
                check = self.pick("ABCDEFGHJKLMNPQRTUVWXYZ")
                establishment = self.rng.randint(2000, 9999)
                child.upn = (
                    f"{check}{850 + hh.town:03d}{establishment}{(age + 4) % 100:02d}{self.rng.randint(0, 999):03d}"
                )

    def assign_care(self) -> None:
        """Decides who is looked after (in a children's home or foster care), on a plan, or in need."""
        older = [c for c in self.children if age_at(c.dob, self.end) >= 12]
        self.rng.shuffle(older)
        beds = [self.rng.randint(3, 5) for _ in self.children_homes]
        placed = 0
        for child in older:
            if placed >= sum(beds):
                break
            home_index = next(i for i, b in enumerate(beds) if len(self.home_residents[i]) < b)
            org, loc = self.children_homes[home_index]
            child.care = "looked_after"
            child.children_home = home_index
            child.tier = 3
            since = max(self.start - int(self.rng.uniform(0, 2) * YEAR), child.dob + 10 * YEAR)
            for stay in child.homes:
                if stay[2] is None or stay[2] > since:
                    stay[2] = since
                    stay[3] = "previous"
            child.homes.append([loc, since, None, "care"])
            self.home_residents[home_index].append(child)
            placed += 1
        for child in self.children:
            if child.care != "none":
                continue
            r = self.rng.random()
            age = age_at(child.dob, self.end)
            if r < 0.0055:
                child.care = "looked_after"  # foster care: stays with a foster carer
                child.tier = max(child.tier, 2)
                carer_town = self.random_town()
                carer = self.new_human(
                    sex="female",
                    dob=self._dob_for_age(35, 60),
                    heritage="british",
                    family=self.pick(names.SURNAMES["british"]),
                    is_child=False,
                )
                since = self.when(self.start - 3 * YEAR, self.end - 30 * DAY)
                since = max(since, child.dob)
                loc = self.new_home(carer_town)
                carer.homes.append([loc, self.start - 10 * YEAR, None, "home"])
                for stay in child.homes:
                    if stay[2] is None or stay[2] > since:
                        stay[2] = since
                        stay[3] = "previous"
                child.homes.append([loc, since, None, "care"])
                self.relationships.append((CSC, carer, child, "carer_of", since, None))
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
                child.tier = 1 if self.chance(0.09) else 0
            if child.tier == 1 and self.chance(0.06):
                child.tier = 2
            if child.care != "none":
                child.csc_id = f"CS{self.rng.randint(100000, 999999)}"
        for child in self.children:
            if child.care != "none" and child.csc_id is None:
                child.csc_id = f"CS{self.rng.randint(100000, 999999)}"
            if child.tier >= 2 and child.csc_id is None and self.chance(0.7):
                child.csc_id = f"CS{self.rng.randint(100000, 999999)}"

    def build(self) -> None:
        """Builds the whole world; events are simulated afterwards by `safetynet.synth.events`."""
        self.build_places()
        self.build_households()
        self.assign_schools()
        self.assign_care()

    # -- references ----------------------------------------------------------------------

    def person_ref(self, h: Human, source: str) -> dict[str, str]:
        """Returns a reference to `h`'s record in `source`, creating that record on first use.

        The police system sometimes holds a duplicate nominal for the same person; later
        events then reference one or the other, as happens in a real RMS.
        """
        ids = h.records.get(source)
        if ids is None:
            ids = [
                self.next_id({"rms": "NOM", "mispers": "MP", "csc": "CSC", "health": "HLT", "education": "EDU"}[source])
            ]
            h.records[source] = ids
            if source == RMS and self.chance(0.04):
                ids.append(self.next_id("NOM"))
            return {"source": source, "id": ids[0]}
        if len(ids) > 1 and self.chance(0.4):
            return {"source": source, "id": ids[1]}
        return {"source": source, "id": ids[0]}


def utc(ts: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.UTC)
