"""Features: bad input is tolerated and never becomes linking evidence."""

from __future__ import annotations

import datetime as dt

from safetynet.identity.features import (
    blocking_keys,
    features_from_values,
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
