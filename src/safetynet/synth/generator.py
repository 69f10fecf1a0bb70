"""Writes a synthetic county as interchange JSON Lines, with a truth file.

`generate(config, out, truth)` builds the world, simulates the period and writes, in this
order: locations, organisations, persons, relationships, then events, markers, orders and
plans. Events are produced before persons are known (an event decides which systems hold a
person), so they are spooled to a temporary file beside the output and appended at the end.
Output and truth are written to temporary files in the target directory and renamed only
when complete: an interrupted run never leaves a half-written file under the final name.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from safetynet.lib.collector import cycle_collection_paused
from safetynet.synth.config import CountyConfig
from safetynet.synth.errors import SynthConfigError
from safetynet.synth.events.simulation import Simulation
from safetynet.synth.population import populate
from safetynet.synth.varied import Varied
from safetynet.synth.world import (
    CSC,
    DAY,
    EDUCATION,
    GAZETTEER,
    HEALTH,
    MISPERS,
    RMS,
    YEAR,
    Human,
    World,
    age_at,
    fmt_d,
    fmt_dt,
)

TRUTH_VERSION = 1
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

# How often each source writes a name or date differently from the truth.
_NICKNAME = {RMS: 0.14, MISPERS: 0.16, CSC: 0.05, HEALTH: 0.02, EDUCATION: 0.04}
_TYPO = {RMS: 0.06, MISPERS: 0.06, CSC: 0.03, HEALTH: 0.01, EDUCATION: 0.015}
_NO_DOB = {RMS: 0.12, MISPERS: 0.05, CSC: 0.02, HEALTH: 0.0, EDUCATION: 0.0}
_SWAPPED_DOB = {RMS: 0.03, MISPERS: 0.03, CSC: 0.01, HEALTH: 0.003, EDUCATION: 0.005}


@dataclass
class Summary:
    """What a run wrote: counts for --describe and the caller."""

    records: int = 0
    seconds: float = 0.0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_source: Counter[str] = field(default_factory=Counter)
    events_by_year: dict[tuple[int, str], int] = field(default_factory=dict)
    episodes: dict[str, int] = field(default_factory=dict)
    in_children_home: set[str] = field(default_factory=set)
    ages: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    networks: int = 0
    network_children: int = 0
    network_adults: int = 0
    children: int = 0
    persons: int = 0
    people: int = 0
    households: int = 0
    twins: int = 0
    years: int = 0


class _Writer:
    """Counts and writes records as one JSON object per line."""

    def __init__(self, handle: IO[str], summary: Summary) -> None:
        self.handle = handle
        self.summary = summary
        self.buffer: list[str] = []

    def write(self, record: dict[str, Any]) -> None:
        self.buffer.append(_dumps(record))
        self.summary.by_kind[record["kind"]] += 1
        self.summary.by_source[record["source"]] += 1
        if len(self.buffer) >= 2000:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.handle.write("\n".join(self.buffer))
            self.handle.write("\n")
            self.buffer.clear()


def check_output_path(path: Path, what: str) -> None:
    """Raises SynthConfigError unless `path` can be created or replaced (before any work starts)."""
    if path.is_dir():
        raise SynthConfigError(f"{what} {path} is a directory; give a file name.")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise SynthConfigError(f"cannot write {what} {path}: directory {parent} does not exist.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise SynthConfigError(f"cannot write {what} {path}: directory {parent} is not writable.")
    if path.exists() and not os.access(path, os.W_OK):
        raise SynthConfigError(f"cannot write {what} {path}: the file exists and is not writable.")


def _temp_name(path: Path, tag: str) -> Path:
    return path.with_name(f".{path.name}.{tag}-{os.getpid()}")


def generate(config: CountyConfig, out: Path, truth: Path | None = None) -> Summary:
    """Writes the county to `out` (and its truth to `truth`); returns what was written."""
    check_output_path(out, "output")
    if truth is not None:
        check_output_path(truth, "truth file")
        if truth.resolve() == out.resolve():
            raise SynthConfigError("--truth must be a different file from --out.")
    # Millions of long-lived small objects and no garbage worth collecting: the cyclic
    # collector's full passes only cost time here.
    with cycle_collection_paused():
        return _generate(config, out, truth)


def _generate(config: CountyConfig, out: Path, truth: Path | None) -> Summary:
    started = time.perf_counter()
    summary = Summary()
    temp_out = _temp_name(out, "tmp")
    spool_path = _temp_name(out, "spool")
    temp_truth = _temp_name(truth, "tmp") if truth is not None else None
    try:
        with open(spool_path, "w", encoding="utf-8") as spool:
            spool_writer = _Writer(spool, summary)
            world = World(config)
            populate(world)
            varied = Varied(config.seed) if config.profile == "varied" else None
            sim = Simulation(world, varied.wrap(spool_writer.write) if varied else spool_writer.write)
            sim.run()
            if varied is not None:
                varied.finish(sim)
            spool_writer.flush()
        with open(temp_out, "w", encoding="utf-8") as handle:
            writer = _Writer(handle, summary)
            for record in world.locations:
                writer.write(record)
            for record in world.organisations:
                writer.write(record)
            _ensure_records(world)
            relationships = _relationships(world)
            truth_persons, unrecorded_ethnicity = _persons(world, writer)
            sim.failures.extend({"clause": "Q1", "person": c.key, "record": None} for c in unrecorded_ethnicity)
            for record in relationships:
                writer.write(record)
            writer.flush()
            with open(spool_path, encoding="utf-8") as spool_in:
                shutil.copyfileobj(spool_in, handle, 1 << 20)
        if temp_truth is not None:
            truth_doc = {
                "version": TRUTH_VERSION,
                "seed": config.seed,
                "config": {
                    "children": config.children,
                    "years": config.years,
                    "end": fmt_dt(world.end),
                    "rates": config.rates,
                    **({"profile": config.profile} if config.profile != "default" else {}),
                },
                "persons": truth_persons,
                "children": [c.key for c in world.children if c.records],
                "networks": [
                    {
                        "id": net["id"],
                        "type": net["type"],
                        "adults": [a.key for a in net["adults"]],
                        "children": [c.key for c in [*net["children"], *net["emerging"]]],
                        "emerging": [c.key for c in net["emerging"]],
                    }
                    for net in sim.networks
                ],
                "failures": sim.failures,
            }
            truth_doc["households"] = [[m.key for m in hh.members] for hh in world.households]
            with open(temp_truth, "w", encoding="utf-8") as th:
                json.dump(truth_doc, th, ensure_ascii=False, separators=(",", ":"))
                th.write("\n")
        os.replace(temp_out, out)
        if temp_truth is not None and truth is not None:
            os.replace(temp_truth, truth)
    finally:
        for p in (spool_path, temp_out, temp_truth):
            if p is not None:
                p.unlink(missing_ok=True)
    _summarise(summary, world, sim)
    summary.records = sum(summary.by_kind.values())
    summary.seconds = time.perf_counter() - started
    return summary


def _summarise(summary: Summary, world: World, sim: Simulation) -> None:
    summary.events_by_year = dict(sim.event_counts)
    summary.episodes = dict(sim.episodes)
    summary.in_children_home = {c.key for c in world.children if c.children_home >= 0}
    for c in world.children:
        age = age_at(c.dob, world.end)
        band = "0-4" if age <= 4 else "5-10" if age <= 10 else "11-15" if age <= 15 else "16-17"
        summary.ages[band] += 1
    summary.failures = Counter(f["clause"] for f in sim.failures)
    summary.networks = len(sim.networks)
    summary.network_children = sum(len(n["children"]) + len(n["emerging"]) for n in sim.networks)
    summary.network_adults = sum(len(n["adults"]) for n in sim.networks)
    summary.children = len(world.children)
    summary.years = world.cfg.years
    summary.people = len(world.humans)
    summary.households = len(world.households)
    summary.persons = summary.by_kind["person"]
    summary.twins = sum(
        1 for hh in world.households for i, a in enumerate(hh.children) for b in hh.children[i + 1 :] if a.dob == b.dob
    )


# -- relationships --------------------------------------------------------------------------


def _relationships(world: World) -> list[dict[str, Any]]:
    """Returns relationship records: the police know the family of anyone they hold; social
    care records the parents of children it works with."""
    out: list[dict[str, Any]] = []
    known_by_police = [h for h in world.humans if RMS in h.records]
    # Families of people the police already hold: everyone in the household.
    households = sorted({h.household for h in known_by_police if h.household >= 0})
    wanted = set(households)
    for source, a, b, rel_type, start, stop in world.relationships:
        if source == RMS:
            family = a.household in wanted or b.household in wanted
            if not (family or (RMS in a.records and RMS in b.records)):
                continue
        elif source == CSC and CSC not in b.records and CSC not in a.records:
            continue
        rid = world.next_id("REL")
        record: dict[str, Any] = {
            "kind": "relationship",
            "source": source,
            "id": rid,
            "recorded_at": fmt_dt(world.end - int(world.rng.uniform(1, 300) * DAY)),
            "person_a": world.person_ref(a, source),
            "person_b": world.person_ref(b, source),
            "rel_type": rel_type,
            "from": fmt_d(start) if start is not None else None,
            "to": fmt_d(stop) if stop is not None else None,
        }
        out.append(record)
    # Social care records the parents of each child it holds.
    for c in world.children:
        if CSC not in c.records or c.household < 0:
            continue
        hh = world.households[c.household]
        for adult in hh.adults[:2]:
            out.append(
                {
                    "kind": "relationship",
                    "source": CSC,
                    "id": world.next_id("REL"),
                    "recorded_at": fmt_dt(world.end - int(world.rng.uniform(1, 300) * DAY)),
                    "person_a": world.person_ref(adult, CSC),
                    "person_b": world.person_ref(c, CSC),
                    "rel_type": "step_parent_of" if adult is hh.step else "parent_of",
                    "from": None,
                    "to": None,
                }
            )
    return out


# -- persons ---------------------------------------------------------------------------------


def _ensure_records(world: World) -> None:
    """Every child is registered with a GP; pupils are on a school roll; social care holds its children."""
    for c in world.children:
        world.person_ref(c, HEALTH)
        if c.upn is not None and c.school is not None:
            world.person_ref(c, EDUCATION)
        if c.csc_id is not None:
            world.person_ref(c, CSC)


def _persons(world: World, writer: _Writer) -> tuple[dict[str, str], list[Human]]:
    """Writes every person record (one per system that holds the person).

    Returns the truth map (`source:id` -> person key) and the children planted with no
    ethnicity on any record (Q1).
    """
    truth: dict[str, str] = {}
    rng = world.rng
    # Q1: some children known to the police have no ethnicity on any record.
    for c in world.children:
        if RMS in c.records and rng.random() < world.cfg.rates["no_ethnicity"]:
            c.no_ethnicity = True
    for h in world.humans:
        for source in (HEALTH, EDUCATION, CSC, RMS, MISPERS):
            for rid in h.records.get(source, ()):
                writer.write(person_record(world, h, source, rid))
                truth[f"{source}:{rid}"] = h.key
    return truth, [c for c in world.children if c.no_ethnicity]


def _typo(name: str, rng: Any) -> str:
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 1)
    op = rng.randrange(4)
    if op == 0:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if op == 1:
        return name[:i] + name[i + 1 :]
    if op == 2:
        return name[:i] + name[i] + name[i:]
    vowels = "aeiou"
    if name[i] in vowels:
        return name[:i] + vowels[(vowels.index(name[i]) + 1) % 5] + name[i + 1 :]
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def _dob(h: Human, source: str, rng: Any) -> str | None:
    if rng.random() < (_NO_DOB[source] * (1.6 if not h.is_child else 1.0)):
        return None
    t = time.gmtime(h.dob)
    y, m, d = t.tm_year, t.tm_mon, t.tm_mday
    r = rng.random()
    if r < _SWAPPED_DOB[source] and d <= 12 and d != m:
        m, d = d, m
    elif r < _SWAPPED_DOB[source] + 0.01 and source in (RMS, MISPERS):
        return f"{y:04d}"
    elif r < _SWAPPED_DOB[source] + 0.015:
        d = d + 1 if d < 28 else d - 1
    return f"{y:04d}-{m:02d}-{d:02d}"


def person_record(world: World, h: Human, source: str, rid: str) -> dict[str, Any]:
    rng = world.rng
    given = h.given
    other: list[str] = []
    if h.variants and rng.random() < _NICKNAME[source]:
        nickname = h.variants[int(rng.random() * len(h.variants))]
        if source == RMS and rng.random() < 0.3:
            other.append(nickname)
        else:
            given = nickname
    if rng.random() < _TYPO[source]:
        given = _typo(given, rng)
    if h.middle and (source in (HEALTH, EDUCATION, CSC) and rng.random() < 0.7 or rng.random() < 0.2):
        given = f"{given} {h.middle}"
    family = h.family
    if h.old_family:
        if source in (HEALTH, EDUCATION) and rng.random() < 0.5 or source == CSC and rng.random() < 0.3:
            family = h.old_family
        if rng.random() < 0.5:
            other.append(f"{h.given} {h.old_family if family == h.family else h.family}")
    if rng.random() < _TYPO[source] / 2:
        family = _typo(family, rng)
    record: dict[str, Any] = {
        "kind": "person",
        "source": source,
        "id": rid,
        "recorded_at": fmt_dt(world.end - int(rng.uniform(1, 400) * DAY)),
        "given_names": given,
        "family_name": family,
    }
    if other:
        record["other_names"] = other
    dob = _dob(h, source, rng)
    if dob is not None:
        record["date_of_birth"] = dob
    sex = h.sex
    if source == RMS and rng.random() < 0.01:
        sex = "unknown"
    record["sex"] = sex
    if not h.no_ethnicity:
        if source in (HEALTH, CSC, EDUCATION) and rng.random() < (0.9 if source != CSC else 0.7):
            record["self_defined_ethnicity"] = h.ethnicity
        if source in (RMS, MISPERS) and rng.random() < 0.75:
            record["observed_ethnicity"] = h.observed
        if source == RMS and rng.random() < 0.15:
            record["self_defined_ethnicity"] = h.ethnicity
        if h.is_child and source == HEALTH and "self_defined_ethnicity" not in record:
            record["self_defined_ethnicity"] = h.ethnicity  # at least one record carries it
    if source in (HEALTH, EDUCATION, CSC) and rng.random() < 0.6:
        record["first_language"] = h.language
    r = rng.random
    ids = _identifiers(h, source, r)
    if ids:
        record["identifiers"] = ids
    addresses = _addresses(world, h, source, r)
    if addresses:
        record["addresses"] = addresses
    if h.phone and source in (RMS, MISPERS, HEALTH) and r() < 0.5:
        record["phones"] = [h.phone]
    if h.school and source in (EDUCATION, CSC, MISPERS) and (source == EDUCATION or r() < 0.5):
        record["school"] = {"source": "directory", "id": h.school}
    if h.gp_practice and source == HEALTH:
        record["gp_practice"] = {"source": "directory", "id": h.gp_practice}
    if h.is_child and source in (CSC, MISPERS) and h.care != "none":
        record["care_status"] = h.care
    elif h.is_child and source == CSC:
        record["care_status"] = "none"
    return record


def _identifiers(h: Human, source: str, r: Callable[[], float]) -> dict[str, str]:
    """Returns the identifiers `source` holds for `h` (the NHS number mostly in health, ...)."""
    ids: dict[str, str] = {}
    if h.nhs and (
        source == HEALTH
        or source == CSC
        and r() < 0.6
        or source == EDUCATION
        and r() < 0.25
        or source in (RMS, MISPERS)
        and r() < 0.12
    ):
        ids["nhs_number"] = h.nhs
    if h.upn and (source == EDUCATION or source == CSC and r() < 0.25):
        ids["upn"] = h.upn
    if h.csc_id and (source == CSC or source == MISPERS and r() < 0.35 or source == RMS and r() < 0.05):
        ids["csc_id"] = h.csc_id
    if h.pnc and (source == RMS and r() < 0.95 or source == MISPERS and r() < 0.4):
        ids["pnc_id"] = h.pnc
    return ids


def _addresses(world: World, h: Human, source: str, r: Callable[[], float]) -> list[dict[str, Any]]:
    """Returns the addresses `source` holds for `h`: some systems lag a move, some keep only the last."""
    addresses = []
    homes = h.homes
    if source == HEALTH and len(homes) > 1 and r() < 0.15:
        homes = homes[:-1]  # the GP still has the previous address
    elif source in (EDUCATION, RMS, MISPERS) and len(homes) > 1 and r() < 0.6:
        homes = homes[-1:]
    for loc, start, stop, kind in homes:
        if stop is not None and stop < world.start - 2 * YEAR:
            continue
        addresses.append(
            {
                "location": {"source": GAZETTEER, "id": loc},
                "from": fmt_d(start),
                "to": fmt_d(stop) if stop is not None else None,
                "kind": kind,
            }
        )
    return addresses
