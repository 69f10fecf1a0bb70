"""`safetynet evaluate`: assess individuals against the risk policy.

safetynet evaluate                          every individual, now; stores findings (full re-evaluation)
safetynet evaluate --individual 12          one individual
safetynet evaluate --as-of 2026-02-01T02:00Z  what was knowable then (computed from the records; nothing stored)
safetynet evaluate --json                   one finding per line
safetynet evaluate --workers 2              in two processes
safetynet evaluate --as-of T --truth F      recall and precision per clause against a synthetic county's truth
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safetynet.cli.errors import UsageError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "evaluate",
        help="assess individuals against the risk policy (findings with reasons, owners, deadlines)",
        description="Evaluate every individual (or one) against the risk policy. Without --as-of the findings "
        "are stored (new raised, cleared ones closed); with --as-of they are computed from the records "
        "visible then and only printed.",
    )
    p.add_argument("--as-of", dest="as_of", help="RFC 3339 time: evaluate what was knowable then (default: now)")
    p.add_argument("--individual", type=int, help="evaluate one individual (its id)")
    p.add_argument("--policy", type=Path, help="a policy YAML file to use instead of the one in force")
    p.add_argument("--json", action="store_true", help="print one finding per line as JSON")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="evaluate in this many processes (default 1; 2 on a 2-core machine with nothing else running)",
    )
    p.add_argument(
        "--truth",
        type=Path,
        help="a synthetic county's truth file (`safetynet generate --truth`): print recall and precision per "
        "clause against its planted failures (to stderr with --json)",
    )
    p.set_defaults(func=run, needs_django=True)


def parse_time(value: str, option: str) -> dt.datetime:
    """Returns an aware datetime from RFC 3339 (a date means its midnight UTC); UsageError otherwise."""
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"{option} expects an RFC 3339 time such as 2026-03-01T02:00:00Z (got {value!r})") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _read_truth(path: Path) -> dict[str, Any]:
    """Returns a truth file's content; UsageError naming the file when it is not one."""
    try:
        truth = json.loads(path.read_text())
    except OSError as exc:
        raise UsageError(f"--truth {path}: cannot read it ({exc.strerror})") from None
    except ValueError:
        raise UsageError(f"--truth {path}: not JSON; expected the file `safetynet generate --truth` writes") from None
    if (
        not isinstance(truth, dict)
        or not isinstance(truth.get("persons"), dict)
        or not isinstance(truth.get("failures"), list)
    ):
        raise UsageError(
            f"--truth {path}: expected `persons` and `failures` (the file `safetynet generate --truth` writes)"
        )
    return truth


@dataclass
class _Findings:
    """What `evaluate` reports: findings per clause and, with --json (printed) or --truth (kept
    for scoring), each finding as one JSON object; fed a chunk of assessments at a time."""

    stored: bool
    json: bool
    keep: bool
    individuals: int = 0
    by_clause: dict[str, int] = field(default_factory=dict)
    lines: list[dict[str, Any]] = field(default_factory=list)

    def show(self, chunk: list[Any]) -> None:
        from safetynet.risk.models import Finding
        from safetynet.risk.services import finding_as_json, fingerprint

        self.individuals += len(chunk)
        states: dict[str, str] = {}
        if self.stored and self.json:  # the stored state of each finding, one query per chunk
            states = dict(
                Finding.objects.filter(individual_id__in=[a.individual_id for a in chunk]).values_list(
                    "fingerprint", "state"
                )
            )
        for assessment, d in ((a, d) for a in chunk for d in a.drafts):
            self.by_clause[d.clause] = self.by_clause.get(d.clause, 0) + 1
            if not self.json and not self.keep:
                continue
            line = finding_as_json(
                clause=d.clause,
                severity=d.severity,
                reason=d.reason,
                individual_id=assessment.individual_id,
                subject_refs=assessment.subject_refs,
                cites=d.cite_refs,
                owner_role=d.owner_role,
                due_by=d.due_by,
                state=states.get(fingerprint(d.clause, assessment.individual_id, d.key, d.aspect), "open"),
                kind=d.kind,
                detail=d.detail,
            )
            if self.keep:
                self.lines.append(line)
            if self.json:
                print(json.dumps(line, sort_keys=False))


def run(args: argparse.Namespace) -> int:
    from safetynet.identity.models import Individual
    from safetynet.lib.clock import FixedClock, system_clock
    from safetynet.risk.policy import PolicyError, current_policy, load_policy
    from safetynet.risk.recall import score
    from safetynet.risk.services import assessments_by_chunk, current_individual_ids, evaluate_all, refresh_findings

    try:
        policy = load_policy(args.policy) if args.policy else current_policy()
    except PolicyError as exc:
        raise UsageError(f"policy refused, the policy in force is unchanged: {exc}") from None
    truth = _read_truth(args.truth) if args.truth else None
    if args.workers < 1:
        raise UsageError(f"--workers expects 1 or more (got {args.workers})")
    if args.individual is not None and not Individual.objects.filter(pk=args.individual).exists():
        raise UsageError(f"--individual {args.individual}: no such individual")
    started = time.perf_counter()
    stored = args.as_of is None
    as_of = parse_time(args.as_of, "--as-of") if args.as_of else system_clock.now()
    out = _Findings(stored=stored, json=args.json, keep=truth is not None)

    # Stored: the risk service's own evaluation (every individual: `evaluate_all`, which also
    # closes the findings of individuals linkage retired). As of a past time: computed only.
    if stored and args.individual is not None:
        refresh_findings(
            [args.individual], clock=FixedClock(as_of), policy=policy, workers=args.workers, each_chunk=out.show
        )
    elif stored:
        evaluate_all(clock=FixedClock(as_of), policy=policy, workers=args.workers, each_chunk=out.show)
    else:
        ids = [args.individual] if args.individual is not None else current_individual_ids()
        for chunk in assessments_by_chunk(ids, as_of=as_of, policy=policy, workers=args.workers):
            out.show(chunk)
    if truth is not None:
        print(score(out.lines, truth).table(), file=sys.stderr if args.json else sys.stdout)
    if not args.json:
        if truth is None:
            for clause in sorted(out.by_clause):
                print(f"{clause:5} {out.by_clause[clause]:6,}")
        print(
            f"evaluate: {out.individuals:,} individuals as of {as_of.isoformat()}, "
            f"{sum(out.by_clause.values()):,} findings "
            f"(policy {policy.version}) in {time.perf_counter() - started:.1f}s"
            + ("" if stored else "; computed from the records, nothing stored")
        )
    return 0
