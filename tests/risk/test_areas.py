"""The force's areas are policy data: a name and the postcode districts it covers. A district
is matched whole (EK1 is not EK11), whatever the postcode's spacing, and a policy that puts a
district in two areas, writes one wrongly or names two areas alike is refused with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from safetynet.lib.postcodes import district_of, normalise_postcode
from safetynet.records import models as rm
from safetynet.risk.areas import area_named, area_of, areas
from safetynet.risk.policy import DEFAULT_POLICY_PATH, PolicyError, load_policy
from tests.risk.conftest import World

TEXT = DEFAULT_POLICY_PATH.read_text()


def test_a_postcode_is_in_the_area_of_its_whole_district() -> None:
    assert [a.name for a in areas()] == ["Kingsford and the south", "East coast", "West"]
    assert area_of("ek11 2ab") == "Kingsford and the south"
    assert area_of("EK1 2AB") == "Kingsford and the south"
    assert area_of("EK12AB") == "Kingsford and the south"
    assert area_of("EK4 9ZZ") == "East coast"
    assert area_of("EK99 1AA") is None and area_of("") is None and area_of("not a postcode") is None
    assert district_of(" sw1a 1aa ") == "SW1A" and normalise_postcode("sw1a1aa") == "SW1A 1AA"
    assert area_named("west") == areas()[2] and area_named("Atlantis") is None


def test_the_area_query_reads_the_stored_postcode_without_mixing_districts(world: World) -> None:
    in_ek1, in_ek11, elsewhere = world.child(10), world.child(11), world.child(12)
    rm.Person.objects.filter(pk=in_ek1.pk).update(postcode="EK1 2AB")
    rm.Person.objects.filter(pk=in_ek11.pk).update(postcode="EK11 2AB")
    rm.Person.objects.filter(pk=elsewhere.pk).update(postcode="EK4 2AB")
    south = area_named("Kingsford and the south")
    assert south is not None
    found = set(rm.Person.objects.filter(south.person_q()).values_list("pk", flat=True))
    assert found == {in_ek1.pk, in_ek11.pk}


@pytest.mark.parametrize(
    ("areas_yaml", "expected"),
    [
        ("  - name: A\n    districts: [EK1]\n  - name: B\n    districts: [EK1]\n", "a district in one area only"),
        ("  - name: A\n    districts: [ek1]\n", "a postcode district in capitals such as EK1"),
        ("  - name: A\n    districts: [EK1 2AB]\n", "a postcode district in capitals such as EK1"),
        ("  - name: A\n    districts: [EK1]\n  - name: a\n    districts: [EK2]\n", "a name no other area has"),
        ("  - name: A\n    districts: []\n", "at least 1 item"),
    ],
)
def test_a_bad_area_is_refused_with_its_line(tmp_path: Path, areas_yaml: str, expected: str) -> None:
    head, _, _ = TEXT.partition("\nareas:\n")
    bad = tmp_path / "force.yaml"
    bad.write_text(f"{head}\nareas:\n{areas_yaml}")
    with pytest.raises(PolicyError) as refused:
        load_policy(bad)
    assert expected in str(refused.value) and "force.yaml:" in str(refused.value)
