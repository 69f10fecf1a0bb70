"""Every clause: raised when practice fails, quiet when it complies, and the explanation cites
the records that caused it (without naming anyone)."""

from __future__ import annotations

import pytest

from safetynet.risk.policy import CLAUSES
from safetynet.risk.probable import CLAUSE as IDENTITY_CLAUSE
from safetynet.risk.rules import RULES
from tests.risk.conftest import World, ref
from tests.risk.scenarios import SCENARIOS, x4_cce


def test_every_policy_clause_has_a_rule_and_a_scenario() -> None:
    # ID1 is judged on two individuals' records together, not one picture: tests/risk/test_probable.py
    assert set(RULES) == set(CLAUSES) - {IDENTITY_CLAUSE} == set(SCENARIOS)


@pytest.mark.parametrize("clause", sorted(SCENARIOS))
def test_clause_is_raised_when_practice_fails(world: World, clause: str) -> None:
    child, cause = SCENARIOS[clause](world, True)
    found = world.findings(child, clause)
    assert len(found) == 1, [f.reason for f in world.findings(child)]
    assert found[0].reason.endswith((".", ")")) or "Suggested" in found[0].reason
    assert not found[0].error


@pytest.mark.parametrize("clause", sorted(SCENARIOS))
def test_clause_is_quiet_when_practice_complies(world: World, clause: str) -> None:
    child, _ = SCENARIOS[clause](world, False)
    assert [f.reason for f in world.findings(child, clause)] == []


@pytest.mark.parametrize("clause", sorted(SCENARIOS))
def test_explanation_cites_the_records_that_caused_it(world: World, clause: str) -> None:
    child, cause = SCENARIOS[clause](world, True)
    (finding,) = world.findings(child, clause)
    assert ref(cause) in finding.cites
    assert "Sgt" not in finding.reason and "Insp " not in finding.reason  # roles, never names


@pytest.mark.parametrize("fail", [True, False])
def test_x4_reads_a_cce_marker_against_a_current_cce_plan(world: World, fail: bool) -> None:
    """X4 by meaning for criminal exploitation: a CCE marker with a protection plan needs a
    current CCE plan; a CSE plan does not answer it."""
    child, marker = x4_cce(world, fail)
    found = world.findings(child, "X4")
    if fail:
        (finding,) = found
        assert "a CCE marker" in finding.reason and "no current CCE plan" in finding.reason
        assert ref(marker) in finding.cites
    else:
        assert found == []
