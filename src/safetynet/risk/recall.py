"""Recall and precision of findings per clause against a synthetic county's planted failures.

The truth file is `safetynet generate --truth`'s (synthetic counties only: a real force has
no truth file). `safetynet evaluate --as-of T --truth F` prints the table; the recall test
(tests/risk/test_county_recall.py) fails below 95% recall for any clause.

A planted failure (clause, true person, record) is found when a finding of that clause is
about an individual holding that true person's records and cites the record (or, for a
failure about an absence, any finding of that clause about them). A finding that matches
no planted failure counts against precision; a practice finding counts once per breach.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ClauseScore:
    planted: int = 0
    found: int = 0
    findings: int = 0
    true_findings: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.planted if self.planted else 1.0

    @property
    def precision(self) -> float:
        return self.true_findings / self.findings if self.findings else 1.0


@dataclass
class Scores:
    by_clause: dict[str, ClauseScore] = field(default_factory=lambda: defaultdict(ClauseScore))

    def table(self) -> str:
        """Returns the per-clause table: planted, found, recall, findings, precision."""
        lines = [f"{'clause':6} {'planted':>7} {'found':>6} {'recall':>7} {'findings':>8} {'precision':>9}"]
        for clause in sorted(self.by_clause):
            s = self.by_clause[clause]
            lines.append(f"{clause:6} {s.planted:7} {s.found:6} {s.recall:7.1%} {s.findings:8} {s.precision:9.1%}")
        return "\n".join(lines)


def _one_per_breach(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Practice findings roll breaches up (risk/practice.py); each breach is scored on its own,
    so precision counts breaches as the per-record findings did."""
    out = []
    for finding in findings:
        breaches = (finding.get("detail") or {}).get("breaches")
        if not breaches:
            out.append(finding)
            continue
        out.extend({**finding, "cites": b["cites"]} for b in breaches)
    return out


def score(findings: list[dict[str, Any]], truth: dict[str, Any]) -> Scores:
    """Returns per-clause scores of `findings` (the `evaluate --json` shape) against `truth`."""
    key_of: dict[tuple[str, str], str] = {}
    for k, v in truth["persons"].items():
        source, _, source_id = k.partition(":")
        key_of[(source, source_id)] = v
    planted: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for f in truth["failures"]:
        planted[(f["clause"], f["person"])].append(f)
    scores = Scores()
    for f in truth["failures"]:
        scores.by_clause[f["clause"]].planted += 1
    found: set[int] = set()
    for finding in _one_per_breach(findings):
        clause = finding["clause"]
        if clause == IDENTITY_CLAUSE:
            continue  # not a practice failure the generator plants: see `identity_matches`
        people = Counter(
            p for r in finding["subject"]["records"] if (p := key_of.get((r["source"], r["id"]))) is not None
        )
        cites = {(r["source"], r["id"]) for r in finding["cites"]}
        s = scores.by_clause[clause]
        s.findings += 1
        hit = False
        for person in people:
            for f in planted.get((clause, person), []):
                record = f.get("record")
                if record is None or (record["source"], record["id"]) in cites:
                    hit = True
                    found.add(id(f))
        if hit:
            s.true_findings += 1
    for f in truth["failures"]:
        if id(f) in found:
            scores.by_clause[f["clause"]].found += 1
    return scores


IDENTITY_CLAUSE = "ID1"


def identity_matches(findings: list[dict[str, Any]], truth: dict[str, Any]) -> tuple[int, int]:
    """Returns (ID1 findings, those whose two cited person records are truly one person): how
    often "a probable match changes the risk" was about one child, by the truth's person keys."""
    key_of = {tuple(k.partition(":")[::2]): v for k, v in truth["persons"].items()}
    total = same = 0
    for finding in findings:
        if finding["clause"] != IDENTITY_CLAUSE:
            continue
        total += 1
        people = {key_of.get((r["source"], r["id"])) for r in finding["cites"]}
        if len(people) == 1 and None not in people:
            same += 1
    return total, same
