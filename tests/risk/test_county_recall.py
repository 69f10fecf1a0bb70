"""On the generated small county, the planted practice failures are found (recall >= 95% per
clause) and the findings are planted ones (precision >= 95% per clause), measured against the
truth file after import and linkage; the table is printed.

Both generator profiles: `default`, and `varied` (the same failures drawn with other shapes,
synth/varied.py), which the rules were not written against. A clause listed in KNOWN_GAPS is
not yet met on that profile; the test fails when it is met, so the list only shrinks.

The precision gaps are findings about a child the generator made twice: the two records of one
child that linkage leaves apart (a misspelt name, a year-only date of birth, a changed surname)
each carry a finding while the truth names one child. They close with linkage (identity), not
by loosening a rule; docs/risk.md lists them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from safetynet.risk.policy import CLAUSES
from safetynet.risk.recall import identity_matches, score
from safetynet.risk.services import evaluate_individuals, finding_as_json

# profile -> clauses whose recall is below 95% on it today (the rules read a generator habit).
KNOWN_GAPS: dict[str, set[str]] = {"default": set(), "varied": set()}
# profile -> clauses whose precision is below 95% on it today.
KNOWN_PRECISION_GAPS: dict[str, set[str]] = {"default": {"D3"}, "varied": {"Q1"}}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("profile", ["default", "varied"])
def test_planted_failures_are_found_in_the_small_county(profile: str, tmp_path: Path, capsys: Any) -> None:
    from safetynet.identity.batch import link_all
    from safetynet.identity.models import Individual
    from safetynet.interchange.importer import import_files
    from safetynet.synth.config import make_config
    from safetynet.synth.generator import generate

    out, truth_path = tmp_path / "county.jsonl", tmp_path / "truth.json"
    generate(make_config(children=2000, years=3, seed=7, profile=profile), out, truth_path)
    truth = json.loads(truth_path.read_text())
    assert import_files([out], notify=False).rejected == 0  # both profiles are valid interchange
    link_all()
    as_of = dt.datetime.fromisoformat(truth["config"]["end"]) + dt.timedelta(hours=9)
    ids = list(Individual.objects.filter(retired_at__isnull=True).values_list("pk", flat=True))
    findings = [
        finding_as_json(
            clause=d.clause,
            severity=d.severity,
            reason=d.reason,
            individual_id=a.individual_id,
            subject_refs=a.subject_refs,
            cites=d.cite_refs,
            owner_role=d.owner_role,
            due_by=d.due_by,
            state="open",
            kind=d.kind,
            detail=d.detail,
        )
        for a in evaluate_individuals(ids, as_of=as_of)
        for d in a.drafts
    ]
    scores = score(findings, truth)
    with capsys.disabled():
        print(f"\nrisk: recall and precision per clause on the small county (seed 7, {profile})\n" + scores.table())
        probable, same = identity_matches(findings, truth)
        print(f"ID1 (a probable match changes the risk): {probable} finding(s), {same} about two records of one child")
    planted = {f["clause"] for f in truth["failures"]}
    assert planted <= set(CLAUSES), f"the truth uses clauses the engine does not know: {planted - set(CLAUSES)}"
    low = {c: f"{s.recall:.0%}" for c, s in scores.by_clause.items() if s.planted and s.recall < 0.95}
    gaps = KNOWN_GAPS[profile]
    assert not set(low) - gaps, f"recall below 95% ({profile}): { {c: r for c, r in low.items() if c not in gaps} }"
    assert not gaps - set(low), f"known gaps now met ({profile}), remove them from KNOWN_GAPS: {gaps - set(low)}"
    imprecise = {c: f"{s.precision:.0%}" for c, s in scores.by_clause.items() if s.findings and s.precision < 0.95}
    loose = KNOWN_PRECISION_GAPS[profile]
    assert not set(imprecise) - loose, (
        f"precision below 95% ({profile}): { {c: p for c, p in imprecise.items() if c not in loose} }"
    )
    assert not loose - set(imprecise), (
        f"known precision gaps now met ({profile}), remove them from KNOWN_PRECISION_GAPS: {loose - set(imprecise)}"
    )
