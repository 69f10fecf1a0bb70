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


def run(args: argparse.Namespace) -> int:
    from safetynet.identity.models import Individual
    from safetynet.lib.clock import FixedClock, system_clock
    from safetynet.risk.models import Finding
    from safetynet.risk.policy import PolicyError, current_policy, load_policy
    from safetynet.risk.services import assessments_by_chunk, finding_as_json, fingerprint, refresh_findings

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
    if args.individual is not None:
        ids = [args.individual]
    else:
        ids = list(Individual.objects.filter(retired_at__isnull=True).order_by("pk").values_list("pk", flat=True))
    stored = args.as_of is None
    as_of = parse_time(args.as_of, "--as-of") if args.as_of else system_clock.now()
    if stored:
        refresh_findings(ids, clock=FixedClock(as_of), policy=policy, workers=args.workers)
    count = 0
    by_clause: dict[str, int] = {}
    lines: list[dict[str, Any]] = []
    for chunk in assessments_by_chunk(ids, as_of=as_of, policy=policy, workers=args.workers):
        states: dict[str, str] = {}
        if stored and args.json:  # the stored state of each finding, one query per chunk
            states = dict(
                Finding.objects.filter(individual_id__in=[a.individual_id for a in chunk]).values_list(
                    "fingerprint", "state"
                )
            )
        for assessment, d in ((a, d) for a in chunk for d in a.drafts):
            count += 1
            by_clause[d.clause] = by_clause.get(d.clause, 0) + 1
            if args.json or truth is not None:
                state = states.get(fingerprint(d.clause, assessment.individual_id, d.key, d.aspect), "open")
                line = finding_as_json(
                    clause=d.clause,
                    severity=d.severity,
                    reason=d.reason,
                    individual_id=assessment.individual_id,
                    subject_refs=assessment.subject_refs,
                    cites=d.cite_refs,
                    owner_role=d.owner_role,
                    due_by=d.due_by,
                    state=state,
                )
                if truth is not None:
                    lines.append(line)
                if args.json:
                    print(json.dumps(line, sort_keys=False))
    if truth is not None:
        from safetynet.risk.recall import score

        table = score(lines, truth).table()
        print(table, file=sys.stderr if args.json else sys.stdout)
    if not args.json:
        if truth is None:
            for clause in sorted(by_clause):
                print(f"{clause:5} {by_clause[clause]:6,}")
        print(
            f"evaluate: {len(ids):,} individuals as of {as_of.isoformat()}, {count:,} findings "
            f"(policy {policy.version}) in {time.perf_counter() - started:.1f}s"
            + ("" if stored else "; computed from the records, nothing stored")
        )
    return 0
