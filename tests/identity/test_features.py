"""Features: bad input is tolerated and never becomes linking evidence."""

from __future__ import annotations

import datetime as dt

from safetynet.identity.features import (
    blocking_keys,
    features_from_values,
    lookup_keys,
    normalise_postcode,
    parse_dob,
    soundex,
    valid_nhs_number,
    valid_pnc_id,
    valid_upn,
)
from tests.identity.population import nhs_number, pnc_id, upn

TODAY = dt.date(2026, 3, 2)


def features(**values: object) -> dict[str, object]:
    base: dict[str, object] = {
        "unique_id": 1,
        "given_names": "Kayleigh",
        "family_name": "Ashcombe",
        "other_names": [],
        "date_of_birth": "2011-05-04",
        "sex": "female",
        "postcode": "ls6 2qt",
        "identifiers": {},
        "today": TODAY,
    }
    base.update(values)
    return dict(features_from_values(**base))  # type: ignore[arg-type]


def test_nhs_number_with_a_wrong_check_digit_is_ignored() -> None:
    import random

    good = nhs_number(random.Random(1))
    bad = good[:9] + str((int(good[9]) + 1) % 10)
    assert valid_nhs_number(good) == good
    assert valid_nhs_number(bad) is None
    assert valid_nhs_number("12345") is None
    assert features(identifiers={"nhs_number": bad})["nhs"] is None


def test_pnc_and_upn_need_their_formats() -> None:
    import random

    rng = random.Random(2)
    good_pnc, good_upn = pnc_id(rng), upn(rng)
    assert valid_pnc_id(good_pnc) is not None
    assert valid_pnc_id("12/0001234A") == valid_pnc_id("12/1234a") == "12/1234A"
    assert valid_pnc_id("1234567A") is None
    assert valid_upn(good_upn) == good_upn
    assert valid_upn("12345") is None and valid_upn("A12345678901") is None


def test_a_date_of_birth_in_the_future_is_unknown() -> None:
    assert parse_dob("2031-01-01", TODAY) == (None, None, None)
    assert parse_dob("2026-03-03", TODAY) == (None, None, None)
    assert parse_dob("2011-02-30", TODAY) == (None, None, None)
    assert parse_dob("2011-07", TODAY) == (2011, 7, None)
    assert features(date_of_birth="2040-01-01")["dob_y"] is None


def test_initials_only_and_missing_names_give_no_name() -> None:
    initials = features(given_names="K", family_name="A")
    assert initials["given"] is None and initials["family"] is None and initials["given_initial"] == "k"
    nameless = features(given_names="", family_name="")
    assert nameless["given"] is None and nameless["name_keys"] == []


def test_nicknames_and_aliases_share_name_keys() -> None:
    kayley = features(given_names="Kayley")
    kayleigh = features()
    assert set(kayley["name_keys"]) & set(kayleigh["name_keys"])  # type: ignore[arg-type]
    alias = features(given_names="Tia", family_name="Brackley", other_names=["Kayleigh Ashcombe"])
    assert "kayleigh|ashcombe" in alias["name_keys"]  # type: ignore[operator]


def test_postcodes_and_soundex_are_normalised() -> None:
    assert normalise_postcode("ls62qt") == "LS6 2QT"
    assert normalise_postcode("not a postcode") is None
    assert soundex("smith") == soundex("smyth") == "s530"


def test_blocking_keys_never_include_a_malformed_identifier() -> None:
    keys = blocking_keys(features(identifiers={"nhs_number": "1234567890"}))  # type: ignore[arg-type]
    assert not any(k.startswith("nhs:") for k in keys)


def _shared(a: dict[str, object], b: dict[str, object]) -> set[str]:
    """The keys by which the index pairs `a` and `b` (one's lookup keys among the other's stored keys)."""
    return (set(lookup_keys(a)) & set(blocking_keys(b))) | (set(lookup_keys(b)) & set(blocking_keys(a)))  # type: ignore[arg-type]


def test_two_misspelt_names_with_one_date_of_birth_at_one_postcode_are_compared() -> None:
    # "Jcak Wakler" shares no name key with "Jack Walker": the date of birth at the postcode does.
    a = features(given_names="Jack", family_name="Walker", date_of_birth="2008-05-08")
    b = features(given_names="Jcak", family_name="Wakler", date_of_birth="2008-05-08")
    assert {k.split(":")[0] for k in _shared(a, b)} == {"dob_pc"}


def test_a_record_with_no_date_of_birth_is_compared_with_its_family_at_its_postcode() -> None:
    a = features(given_names="Charlie", family_name="Ling", date_of_birth="2020-10-13")
    b = features(given_names="Charles Callum", family_name="Ling", date_of_birth=None)
    assert {k.split(":")[0] for k in _shared(a, b)} & {"pc_fsx", "pc_fsx_d"}
    sibling = features(given_names="Chloe", family_name="Ling", date_of_birth="2016-02-01")
    assert not _shared(a, sibling)  # both dated: the household alone does not pair them
    moved = features(given_names="Charles Callum", family_name="Ling", date_of_birth=None, postcode="EK2 9GJ")
    assert not _shared(a, moved)  # no date, another address, another given name: nothing left to block on


def test_a_one_letter_slip_inside_a_longer_name_is_a_typo_but_rhyming_twins_are_not() -> None:
    from safetynet.identity.comparisons import NAME

    def level(g1: str, f1: str, g2: str, f2: str) -> str:
        left, right = features(given_names=g1, family_name=f1), features(given_names=g2, family_name=f2)
        return NAME.levels[NAME.level_of(left, right)].label  # type: ignore[arg-type]

    assert level("Chantelle", "Clarke", "Chentelle", "Clarke") == "similar name (typo)"
    assert level("Mason", "Clarke", "Jason", "Clarke") == "same family name, different given name"
    assert level("Bella", "Clarke", "Belle", "Clarke") == "similar name (typo)"  # Jaro-Winkler already
    assert level("Amy", "Clarke", "Ama", "Clarke") == "same family name, different given name"  # too short
