"""The county's world: people, places, organisations and the one random stream they are drawn from.

Families, schools and care are built by `safetynet.synth.population`, events by `safetynet.synth.events`.

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
        "gp_practice",
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
        self.gp_practice: str | None = None
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
        self.gp_practices: list[list[str]] = []
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

    def build_gp_practices(self) -> None:
        """One GP practice per ~2,000 children in each town (at least one), named without the
        random stream (built after everything else, so the county drawn before is unchanged)."""
        for town in range(len(names.TOWNS)):
            count = max(1, round(self.cfg.children * names.TOWNS[town][4] / 2000))
            self.gp_practices.append(
                [
                    self._organisation(
                        f"{names.TOWNS[town][0]} {names.GP_PRACTICES[i % len(names.GP_PRACTICES)]}", "health", None
                    )
                    for i in range(count)
                ]
            )

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

    def dob_for_age(self, years_low: float, years_high: float) -> int:
        """Returns a date of birth giving an age between the two (in years) at the county's end."""
        return self.end - int(self.rng.uniform(years_low, years_high) * YEAR)

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
