"""Linkage features: what the model compares, derived from one source `Person` record.

Every comparison the model makes is a simple test on these columns, so the same test runs
in DuckDB SQL (Splink, batch) and in Python (incremental matching, search, explanations).

Decisions:
- Names are normalised to lower-case ASCII letters. A given name of one letter is an
  initial: it is kept only as `given_initial`, never compared as a name.
- Nicknames and spelling variants come from `data/nicknames.csv` (maintained by the force);
  `other_names` (aliases, previous names) add name keys.
- A date of birth in the future (by the injected clock) or unparseable is treated as unknown.
- Identifiers are used only when well formed: an NHS number must pass its modulus-11 check;
  a PNC id and a UPN must have their formats. A malformed identifier is ignored, so it can
  never link two records.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypedDict

from safetynet.lib.postcodes import normalise_postcode as stored_postcode

NICKNAMES_FILE = Path(__file__).resolve().parent / "data" / "nicknames.csv"
IDENTIFIER_FIELDS = ("nhs", "pnc", "upn", "csc")
IDENTIFIER_LABELS = {"nhs": "NHS number", "pnc": "PNC id", "upn": "UPN", "csc": "CSC id"}


class Features(TypedDict):
    unique_id: int
    given: str | None
    given_initial: str | None
    given_key: str | None
    given_canons: list[str]
    family: str | None
    family_sx: str | None
    name_keys: list[str]
    dob: str | None
    dob_y: int | None
    dob_m: int | None
    dob_d: int | None
    sex: str | None
    postcode: str | None
    pc_district: str | None
    postcodes: list[str]
    nhs: str | None
    pnc: str | None
    upn: str | None
    csc: str | None


# --- names ---------------------------------------------------------------------------

_NON_LETTERS = re.compile(r"[^a-z ]+")


def normalise_name(text: str | None) -> list[str]:
    """Return the name's tokens: lower case, accents removed, letters only."""
    if not text:
        return []
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    ascii_text = ascii_text.replace("-", " ").replace("'", "").replace(".", " ")
    return [t for t in _NON_LETTERS.sub(" ", ascii_text).split() if t]


@functools.cache
def nickname_table(path: Path = NICKNAMES_FILE) -> dict[str, frozenset[str]]:
    """Return variant -> the formal names it can stand for, read from the nickname file."""
    table: dict[str, set[str]] = {}
    with path.open(encoding="utf-8") as handle:
        rows = (line for line in handle if line.strip() and not line.startswith("#"))
        for row in csv.DictReader(rows):
            name = "".join(normalise_name(row.get("name")))
            variant = "".join(normalise_name(row.get("variant")))
            if name and variant:
                table.setdefault(variant, set()).add(name)
    return {variant: frozenset(names) for variant, names in table.items()}


def name_canons(given: str) -> list[str]:
    """Return the given name with every formal name it may be a variant of, sorted."""
    return sorted({given, *nickname_table().get(given, frozenset())})


def name_key(given: str) -> str:
    """Return one canonical form of a given name for blocking (the first formal name)."""
    formals = nickname_table().get(given)
    return min(formals) if formals else given


_SOUNDEX_CODES = {
    c: str(d) for d, letters in enumerate(["aeiouyhw", "bfpv", "cgjkqsxz", "dt", "l", "mn", "r"]) for c in letters
}


def soundex(word: str) -> str:
    """Return the American Soundex code of a lower-case word (e.g. smith, smyth -> s530)."""
    if not word:
        return ""
    first = word[0]
    code = [first]
    previous = _SOUNDEX_CODES.get(first, "")
    for char in word[1:]:
        digit = _SOUNDEX_CODES.get(char, "")
        if digit and digit != "0" and digit != previous:
            code.append(digit)
        if char not in "hw":  # h and w do not separate letters with the same code
            previous = digit
    return ("".join(code) + "000")[:4]


# --- dates of birth --------------------------------------------------------------------

_DOB = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_dob(text: str | None, today: dt.date) -> tuple[int | None, int | None, int | None]:
    """Return (year, month, day) of a full or partial date of birth; unknown parts are None.

    An invalid or future date, or a year before 1900, is unknown altogether.
    """
    match = _DOB.match((text or "").strip())
    if not match:
        return None, None, None
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    if year < 1900 or year > today.year:
        return None, None, None
    if month is not None and not 1 <= month <= 12:
        return None, None, None
    if day is not None and month is not None:
        try:
            if dt.date(year, month, day) > today:
                return None, None, None
        except ValueError:
            return None, None, None
    elif month is not None and (year, month) > (today.year, today.month):
        return None, None, None
    return year, month, day


# --- identifiers -----------------------------------------------------------------------


def valid_nhs_number(value: str) -> str | None:
    """Return the 10-digit NHS number if its modulus-11 check digit is right, else None."""
    digits = re.sub(r"[\s-]", "", value or "")
    if not re.fullmatch(r"\d{10}", digits) or len(set(digits)) == 1:
        return None
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10 or check != int(digits[9]):
        return None
    return digits


_PNC = re.compile(r"^(\d{2}|\d{4})/(\d{1,7})([A-Z])$")


def valid_pnc_id(value: str) -> str | None:
    """Return the PNC id as YY/serial+letter if well formed (year, 1-7 digit serial, letter).

    The serial is given without leading zeros so that 12/0001234A and 12/1234A agree. The
    check letter is not verified: sources (and the synthetic county) do not all issue it
    by the same rule, so a wrong letter is a mismatch, not a malformed id.
    """
    match = _PNC.match(re.sub(r"\s", "", value or "").upper())
    if not match:
        return None
    return f"{match.group(1)[-2:]}/{int(match.group(2))}{match.group(3)}"


_UPN = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")


def valid_upn(value: str) -> str | None:
    """Return the 13-character UPN if well formed (a letter, 11 digits, a digit or letter)."""
    upn = re.sub(r"\s", "", value or "").upper()
    return upn if _UPN.match(upn) else None


def valid_csc_id(value: str) -> str | None:
    """Return a children's social care id (upper case, letters and digits) if plausible."""
    cleaned = re.sub(r"[^0-9A-Za-z]", "", value or "").upper()
    return cleaned if len(cleaned) >= 3 else None


# --- postcodes -------------------------------------------------------------------------


def normalise_postcode(value: str | None) -> str | None:
    """Return a UK postcode as 'OUT IN' (upper case, one space), or None if not one."""
    return stored_postcode(value) or None


# --- the feature row -------------------------------------------------------------------


def features_from_values(
    *,
    unique_id: int,
    given_names: str | None,
    family_name: str | None,
    other_names: Iterable[str] | None,
    date_of_birth: str | None,
    sex: str | None,
    postcode: str | None,
    other_postcodes: Iterable[str] = (),
    identifiers: Mapping[str, Any] | None = None,
    today: dt.date,
) -> Features:
    """Return the linkage features of one person as recorded by one source."""
    given_tokens = normalise_name(given_names)
    family_tokens = normalise_name(family_name)
    first = given_tokens[0] if given_tokens else ""
    given = first if len(first) >= 2 else None
    family = "".join(family_tokens) if len("".join(family_tokens)) >= 2 else None
    canons = name_canons(given) if given else []

    keys: set[str] = set()
    if given and family:
        keys.update(f"{c}|{family}" for c in canons)
    for alias in other_names or []:
        tokens = normalise_name(alias if isinstance(alias, str) else "")
        if not tokens:
            continue
        alias_given = tokens[0]
        alias_family = "".join(tokens[1:]) if len(tokens) > 1 else family
        if len(alias_given) >= 2 and alias_family and len(alias_family) >= 2:
            keys.update(f"{c}|{alias_family}" for c in name_canons(alias_given))

    year, month, day = parse_dob(date_of_birth, today)
    full_dob = f"{year:04d}-{month:02d}-{day:02d}" if year and month and day else None

    pc = normalise_postcode(postcode)
    postcodes = {p for p in (normalise_postcode(x) for x in other_postcodes) if p}
    if pc:
        postcodes.add(pc)

    ids = identifiers or {}
    sex_code = {"female": "f", "male": "m"}.get((sex or "").lower())
    return Features(
        unique_id=unique_id,
        given=given,
        given_initial=first[:1] or None,
        given_key=name_key(given) if given else None,
        given_canons=canons,
        family=family,
        family_sx=soundex(family) if family else None,
        name_keys=sorted(keys),
        dob=full_dob,
        dob_y=year,
        dob_m=month,
        dob_d=day,
        sex=sex_code,
        postcode=pc,
        pc_district=pc.split(" ")[0] if pc else None,
        postcodes=sorted(postcodes),
        nhs=valid_nhs_number(str(ids.get("nhs_number") or "")),
        pnc=valid_pnc_id(str(ids.get("pnc_id") or "")),
        upn=valid_upn(str(ids.get("upn") or "")),
        csc=valid_csc_id(str(ids.get("csc_id") or "")),
    )


def blocking_keys(f: Features) -> list[str]:
    """Return the record's blocking keys: two records are compared if they share one.

    These mirror `comparisons.BLOCKING_RULES` exactly, so the incremental matcher and the
    batch (Splink) path consider the same candidate pairs.
    """
    keys: list[str] = []
    for field in IDENTIFIER_FIELDS:
        value = f[field]  # type: ignore[literal-required]
        if value:
            keys.append(f"{field}:{value}")
    if f["dob"] and f["family_sx"]:
        keys.append(f"dob_fsx:{f['dob']}|{f['family_sx']}")
    if f["dob"] and f["given_key"]:
        keys.append(f"dob_gk:{f['dob']}|{f['given_key']}")
    if f["postcode"] and f["given_key"]:
        keys.append(f"pc_gk:{f['postcode']}|{f['given_key']}")
    # A misspelt name (Jcak Wakler) shares neither key above: the same date of birth at the
    # same postcode does (twins at most). A record with no full date of birth and a changed or
    # misspelt given name (Charles / Charlie, no date) is compared with the family at its
    # postcode (one household): stored as `pc_fsx:` without a full date and `pc_fsx_d:` with
    # one, and looked up across both by a record without one (`lookup_keys`), so two records
    # that both have a date (siblings, mostly) are not paired by it. docs/identity.md.
    if f["dob"] and f["postcode"]:
        keys.append(f"dob_pc:{f['dob']}|{f['postcode']}")
    if f["postcode"] and f["family_sx"]:
        keys.append(f"{'pc_fsx_d' if f['dob'] else 'pc_fsx'}:{f['postcode']}|{f['family_sx']}")
    if f["dob_y"]:
        keys.extend(f"nk_y:{k}|{f['dob_y']}" for k in f["name_keys"])
    return keys


def lookup_keys(f: Features) -> list[str]:
    """Return the keys to look a record's candidates up by: its blocking keys, except that the
    household key pairs a record only with records of which one has no full date of birth
    (`comparisons.BLOCKING_RULES`' household rule)."""
    keys = [k for k in blocking_keys(f) if not k.startswith("pc_fsx_d:")]
    if f["postcode"] and f["family_sx"]:
        household = f"{f['postcode']}|{f['family_sx']}"
        keys.append(f"pc_fsx:{household}")
        if not f["dob"]:
            keys.append(f"pc_fsx_d:{household}")
    return list(dict.fromkeys(keys))


def search_keys(f: Features) -> list[str]:
    """Return the wider keys person search uses (never used to choose pairs to link):
    family name sound, canonical given name, postcode."""
    keys = []
    if f["family_sx"]:
        keys.append(f"fsx:{f['family_sx']}")
    if f["given_key"]:
        keys.append(f"gk:{f['given_key']}")
    if f["postcode"]:
        keys.append(f"pc:{f['postcode']}")
    return keys


def search_name(f: Features) -> str:
    """The name features person search compares first, as compact JSON text: [given,
    family, given canons, name keys]. Stored beside the features so a search reads these
    alone; namesakes have the same text, so a search parses each distinct name once."""
    return json.dumps([f["given"], f["family"], f["given_canons"], f["name_keys"]], separators=(",", ":"))


def index_keys(f: Features) -> list[str]:
    """Return every key stored in the blocking index for a record."""
    return blocking_keys(f) + search_keys(f)
