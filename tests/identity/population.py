"""A small household-structured population of invented people for linkage tests.

Families share a family name and a postcode, twins share a date of birth, and each true
person appears in one to four source systems with the errors those systems make:
nicknames and spelling variants, typos, day/month swaps, partial or missing dates of birth,
house moves, a changed family name, the wrong sex now and then. Identifiers come from the
systems that hold them (NHS number from health, UPN from education, CSC id from social
care, PNC id from the police for older children).

Used until the synthetic county generator is on main, and to keep tests small.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from safetynet.identity.features import Features, features_from_values

GIVEN_F = [
    "kayleigh",
    "abigail",
    "amelia",
    "charlotte",
    "eleanor",
    "elizabeth",
    "emily",
    "isabella",
    "jessica",
    "katherine",
    "margaret",
    "natalie",
    "rebecca",
    "samantha",
    "sophie",
    "victoria",
    "ava",
    "chloe",
    "grace",
    "holly",
    "imogen",
    "jasmine",
    "leah",
    "maya",
    "niamh",
    "poppy",
    "ruby",
    "tia",
    "zara",
    "freya",
    "esme",
    "orla",
    "kimberley",
    "harriet",
    "alexandra",
]
GIVEN_M = [
    "alexander",
    "benjamin",
    "charles",
    "christopher",
    "daniel",
    "edward",
    "frederick",
    "jack",
    "james",
    "jonathan",
    "joseph",
    "joshua",
    "matthew",
    "michael",
    "nicholas",
    "oliver",
    "robert",
    "samuel",
    "thomas",
    "william",
    "aaron",
    "callum",
    "declan",
    "ethan",
    "finley",
    "harvey",
    "kieran",
    "lewis",
    "mason",
    "noah",
    "reece",
    "tyler",
    "zachary",
    "dominic",
]
FAMILY = [
    "ashcombe",
    "brackley",
    "carrow",
    "denholm",
    "eskdale",
    "fenwick",
    "garside",
    "hallam",
    "ingleby",
    "jessop",
    "kendrew",
    "lowther",
    "marrick",
    "netherby",
    "ormerod",
    "pickard",
    "quarmby",
    "rawcliffe",
    "selby",
    "thwaite",
    "ullathorne",
    "varley",
    "wardle",
    "yeadon",
    "ackroyd",
    "blamires",
    "crossley",
    "dobson",
    "ellwood",
    "fairbairn",
    "greenhalgh",
    "haigh",
    "illingworth",
    "judson",
    "kershaw",
    "lumb",
    "midgley",
    "nuttall",
    "oddy",
    "pogson",
    "ramsden",
    "sutcliffe",
    "tattersall",
    "uttley",
    "whiteley",
    "smith",
    "jones",
    "taylor",
]
VARIANTS = {
    "kayleigh": ["kayley", "kaylee"],
    "abigail": ["abbie", "abby"],
    "alexander": ["alex"],
    "benjamin": ["ben"],
    "charles": ["charlie"],
    "christopher": ["chris"],
    "daniel": ["danny"],
    "edward": ["eddie", "ted"],
    "elizabeth": ["beth", "liz"],
    "emily": ["em"],
    "frederick": ["freddie"],
    "isabella": ["bella", "izzy"],
    "james": ["jamie", "jim"],
    "jessica": ["jess"],
    "jonathan": ["jon"],
    "joseph": ["joe"],
    "joshua": ["josh"],
    "katherine": ["kate", "katie"],
    "margaret": ["maggie"],
    "matthew": ["matt"],
    "michael": ["mike"],
    "natalie": ["nat"],
    "nicholas": ["nick"],
    "oliver": ["ollie"],
    "rebecca": ["becky"],
    "robert": ["rob", "bobby"],
    "samantha": ["sam"],
    "samuel": ["sam"],
    "thomas": ["tom"],
    "victoria": ["vicky"],
    "william": ["will", "liam"],
    "zachary": ["zac"],
    "kimberley": ["kim"],
    "harriet": ["hattie"],
    "alexandra": ["lexi"],
}
SOURCES = ["rms", "mispers", "csc", "health", "education"]
PC_AREAS = ["LS", "BD", "HX", "WF", "HD"]


@dataclass
class SourcePerson:
    """One source system's record of a true person: interchange-style fields."""

    source: str
    source_id: str
    truth: str
    given_names: str
    family_name: str
    other_names: list[str]
    date_of_birth: str
    sex: str
    postcode: str
    identifiers: dict[str, str] = field(default_factory=dict)

    def as_person_fields(self) -> dict[str, Any]:
        ids = self.identifiers
        dob = self.date_of_birth
        year = int(dob[:4]) if dob else None
        return {
            "source": self.source,
            "source_id": self.source_id,
            "given_names": self.given_names,
            "family_name": self.family_name,
            "other_names": self.other_names,
            "date_of_birth": dob,
            "birth_year": year,
            "sex": self.sex,
            "postcode": self.postcode,
            "identifiers": dict(ids),
            "nhs_number": ids.get("nhs_number", "")[:10],
            "pnc_id": ids.get("pnc_id", "")[:20],
            "upn": ids.get("upn", "")[:13],
            "csc_id": ids.get("csc_id", "")[:30],
        }


def features_of(records: list[SourcePerson], today: dt.date) -> list[Features]:
    """The records' linkage features, numbered 1..N in order (for Splink without a database)."""
    return [
        features_from_values(
            unique_id=i,
            given_names=r.given_names,
            family_name=r.family_name,
            other_names=r.other_names,
            date_of_birth=r.date_of_birth,
            sex=r.sex,
            postcode=r.postcode,
            identifiers=r.identifiers,
            today=today,
        )
        for i, r in enumerate(records, start=1)
    ]


def nhs_number(rng: random.Random) -> str:
    """Return a random NHS number with a correct modulus-11 check digit."""
    while True:
        digits = [rng.randint(0, 9) for _ in range(9)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def pnc_id(rng: random.Random) -> str:
    year = rng.randint(10, 25)
    serial = rng.randint(1, 9_999_999)
    letter = "ZABCDEFGHJKLMNPQRTUVWXY"[int(f"{year:02d}{serial:07d}") % 23]
    return f"{year:02d}/{serial:07d}{letter}"


def upn(rng: random.Random) -> str:
    body = "".join(str(rng.randint(0, 9)) for _ in range(12))
    total = sum(w * int(c) for w, c in zip(range(2, 14), body, strict=True))
    return "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23] + body


def _postcode(rng: random.Random) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"{rng.choice(PC_AREAS)}{rng.randint(1, 29)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randint(1, len(word) - 2)
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 0.7:
        return word[:i] + word[i + 1 :]
    return word[:i] + rng.choice("aeiouy") + word[i + 1 :]


def generate(households: int, seed: int = 1, reference_year: int = 2026) -> list[SourcePerson]:
    """Return source person records for `households` invented households, with truth keys."""
    rng = random.Random(seed)
    records: list[SourcePerson] = []
    counter = 0
    for h in range(households):
        family = rng.choice(FAMILY)
        home = _postcode(rng)
        children = rng.choice([1, 1, 2, 2, 3, 4])
        twins = rng.random() < 0.08
        base_year = rng.randint(reference_year - 17, reference_year - 3)
        people = []
        for c in range(children):
            sex = rng.choice(["female", "male"])
            used = {p[0] for p in people}
            given = rng.choice([g for g in (GIVEN_F if sex == "female" else GIVEN_M) if g not in used])
            if twins and c == 1:
                year, month, day = people[0][3]
            else:
                year, month, day = base_year - 2 * c + rng.randint(-1, 1), rng.randint(1, 12), rng.randint(1, 28)
            people.append((given, sex, family, (year, month, day)))
        if rng.random() < 0.9:  # a parent, so families hold adults too
            sex = rng.choice(["female", "male"])
            people.append(
                (
                    rng.choice(GIVEN_F if sex == "female" else GIVEN_M),
                    sex,
                    family,
                    (base_year - 28, rng.randint(1, 12), rng.randint(1, 28)),
                )
            )
        for p_index, (given, sex, fam, (year, month, day)) in enumerate(people):
            truth = f"h{h}p{p_index}"
            ids = {
                "nhs_number": nhs_number(rng),
                "upn": upn(rng),
                "csc_id": f"CSC{rng.randint(100000, 999999)}",
                "pnc_id": pnc_id(rng),
            }
            n_records = rng.choice([1, 1, 2, 2, 2, 3, 3, 4])
            moved = _postcode(rng) if rng.random() < 0.2 else None
            for source in rng.sample(SOURCES, n_records):
                counter += 1
                g, f, other = given, fam, []
                r = rng.random()
                if r < 0.15 and given in VARIANTS:
                    g = rng.choice(VARIANTS[given])
                    if rng.random() < 0.5:
                        other = [f"{given} {fam}"]
                elif r < 0.25:
                    g = _typo(rng, given)
                elif r < 0.3:
                    f = _typo(rng, fam)
                elif r < 0.33:
                    f = rng.choice(FAMILY)
                    other = [f"{given} {fam}"] if rng.random() < 0.5 else []
                dob = f"{year:04d}-{month:02d}-{day:02d}"
                r = rng.random()
                if r < 0.05:
                    dob = f"{year:04d}-{day:02d}-{month:02d}" if day <= 12 else dob
                elif r < 0.1:
                    dob = ""
                elif r < 0.13:
                    dob = f"{year:04d}"
                elif r < 0.16:
                    dob = f"{year:04d}-{month:02d}-{min(28, day + 1):02d}"
                s = sex if rng.random() > 0.02 else ("male" if sex == "female" else "female")
                pc = home if rng.random() > 0.1 else ""
                if moved and rng.random() < 0.6:
                    pc = moved
                record_ids: dict[str, str] = {}
                if source == "health" and rng.random() < 0.9:
                    record_ids["nhs_number"] = ids["nhs_number"]
                if source == "education" and rng.random() < 0.9:
                    record_ids["upn"] = ids["upn"]
                if source == "csc":
                    record_ids["csc_id"] = ids["csc_id"]
                    if rng.random() < 0.4:
                        record_ids["nhs_number"] = ids["nhs_number"]
                if source in ("rms", "mispers") and reference_year - year >= 12 and rng.random() < 0.5:
                    record_ids["pnc_id"] = ids["pnc_id"]
                records.append(
                    SourcePerson(
                        source=source,
                        source_id=f"{source[:2].upper()}{counter:07d}",
                        truth=truth,
                        given_names=g.title(),
                        family_name=f.title(),
                        other_names=[o.title() for o in other],
                        date_of_birth=dob,
                        sex=s,
                        postcode=pc,
                        identifiers=record_ids,
                    )
                )
    return records
