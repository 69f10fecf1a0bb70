"""A full evaluation in two processes stores exactly what one process stores."""

from __future__ import annotations

from typing import Any

import pytest

from safetynet.lib.clock import FixedClock
from safetynet.risk import services
from safetynet.risk.models import Finding
from safetynet.risk.services import evaluate_all, evaluate_individuals, fingerprint
from tests.risk.conftest import NOW, World
from tests.risk.scenarios import SCENARIOS


@pytest.mark.django_db(transaction=True)
def test_two_processes_store_the_findings_one_process_computes(monkeypatch: Any) -> None:
    world = World()
    for clause in ("M1", "M4", "M6", "X2", "D3", "H1"):
        for fail in (True, False):
            SCENARIOS[clause](world, fail)
    monkeypatch.setattr(services, "CHUNK", 3)  # several chunks, so the work is shared out
    from safetynet.identity.models import Individual

    ids = list(Individual.objects.values_list("pk", flat=True))
    expected = {
        fingerprint(d.clause, a.individual_id, d.key, d.aspect): (d.reason, d.cite_refs)
        for a in evaluate_individuals(ids, as_of=NOW)
        for d in a.drafts
    }
    assert len(expected) > 6
    assert services._can_fork()  # a file database outside a transaction: the forked path runs
    report = evaluate_all(clock=FixedClock(NOW), workers=2)
    stored = {f.fingerprint: (f.reason, f.cites) for f in Finding.objects.all()}
    assert stored == expected
    assert sorted(report.opened) == sorted(Finding.objects.values_list("pk", flat=True))
    # A second run in two processes changes nothing.
    again = evaluate_all(clock=FixedClock(NOW), workers=2)
    assert (again.opened, again.updated, again.closed) == ([], [], [])
