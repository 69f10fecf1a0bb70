"""`safetynet generate`: write a synthetic county (interchange JSONL) and its truth file."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from safetynet.cli.errors import UsageError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "generate",
        help="write a synthetic county (no real data) as interchange JSON Lines, with ground truth",
        description="Write a synthetic county's records (households, schools, children's homes, incidents, "
        "missing episodes, referrals, exploitation networks, ...) in the interchange format, the same "
        "people held by several systems with realistic disagreement, and practice failures planted at "
        "the given rates. Deterministic for a seed. See docs/synth.md.",
    )
    p.add_argument("--children", type=int, default=None, help="children in the county (default 150000; --small: 2000)")
    p.add_argument("--small", action="store_true", help="a small county of about 2,000 children (tests, demo)")
    p.add_argument("--years", type=int, default=3, help="years of events (default 3)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--end", default=None, help="date the records end, YYYY-MM-DD (default 2026-03-01)")
    p.add_argument("--out", required=True, type=Path, help="the JSONL file to write")
    p.add_argument("--truth", type=Path, default=None, help="also write the ground truth (JSON) here")
    p.add_argument(
        "--rate",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a practice-failure rate between 0 and 1, e.g. missing_below_policy=0.4 (repeatable)",
    )
    p.add_argument(
        "--profile",
        choices=("default", "varied"),
        default="default",
        help="record shapes: default, or varied (the same failures with other field combinations and wording)",
    )
    p.add_argument("--describe", action="store_true", help="print the county's distributions")
    p.set_defaults(func=run, needs_django=False)


def run(args: argparse.Namespace) -> int:
    from safetynet.synth.config import DEFAULT_CHILDREN, DEFAULT_END, SMALL_CHILDREN, make_config, parse_rate
    from safetynet.synth.describe import describe
    from safetynet.synth.generator import check_output_path, generate

    children = args.children if args.children is not None else (SMALL_CHILDREN if args.small else DEFAULT_CHILDREN)
    end = DEFAULT_END
    if args.end is not None:
        try:
            end = dt.datetime.combine(dt.date.fromisoformat(args.end), dt.time(0, 0), tzinfo=dt.UTC)
        except ValueError:
            raise UsageError(f"--end expects a date YYYY-MM-DD (got {args.end!r}).") from None
    overrides = dict(parse_rate(text) for text in args.rate)
    config = make_config(
        children=children, years=args.years, seed=args.seed, end=end, rate_overrides=overrides, profile=args.profile
    )
    check_output_path(args.out, "output")
    if args.truth is not None:
        check_output_path(args.truth, "truth file")
    summary = generate(config, args.out, args.truth)
    if args.describe:
        print(describe(summary))
    else:
        print(
            f"wrote {summary.records:,} records ({summary.persons:,} person records, {summary.children:,} children) "
            f"to {args.out} in {summary.seconds:.1f}s"
        )
    return 0
