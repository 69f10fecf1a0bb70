"""Finding sentences read as plain English."""

from __future__ import annotations

from safetynet.reads.labels import label
from safetynet.risk.rules.base import a_or_an


def test_coded_words_get_the_right_article() -> None:
    assert f"{a_or_an('amber')} amber" == "An amber"
    assert f"{a_or_an('incident')} incident" == "An incident"
    assert f"{a_or_an('red')} red" == "A red"
    assert f"{a_or_an('MACE')} MACE" == "A MACE"


def test_mash_is_shown_in_capitals() -> None:
    assert label("mash_officer") == "MASH officer"
