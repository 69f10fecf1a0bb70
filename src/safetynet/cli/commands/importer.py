"""`safetynet import PATH... [--batch-name NAME]`: load interchange JSONL files as one batch.

Exit codes: 0 every line stored, 3 some lines rejected (see PATH.rejects.jsonl), 2 usage error.
(The module is `importer` because `import` is a Python keyword; the command is `import`.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from safetynet.cli.errors import UsageError

EXIT_REJECTS = 3


def register(sub: Any) -> None:
    p = sub.add_parser(
        "import",
        help="load interchange JSON Lines files (rejected lines go to PATH.rejects.jsonl)",
        description="Load one or more interchange JSONL files as one batch: validate every line, upsert by "
        "(source, id, recorded_at) so re-running changes nothing, resolve references across lines and files, "
        "and write every rejected line unchanged, with its line number, field and reason, to "
        "PATH.rejects.jsonl. Exit code 0 when every line was stored, 3 when some were rejected, 4 when the "
        "database refused a write (disk full; run the same import again once fixed). "
        "See docs/interchange.md.",
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="JSONL files, imported in the order given")
    p.add_argument("--batch-name", default="", help="a name for this batch (shown in the admin)")
    p.add_argument("--chunk", type=int, default=2000, help="lines per transaction (default 2000)")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes parsing ahead of the writer (default: one per CPU but one, up to 4, for files over "
        "32 MB on machines with 3 or more CPUs; 1 parses in the importing process)",
    )
    p.add_argument(
        "--no-link",
        action="store_true",
        help="do not tell identity to link the new person records now (run 'safetynet link' afterwards)",
    )
    p.add_argument("--quiet", action="store_true", help="print only the summary line")
    p.set_defaults(func=run, needs_django=True)


def check_paths(paths: list[Path]) -> None:
    """Usage errors before anything is written: every path is a readable file."""
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file.")
        if not path.is_file():
            raise UsageError(f"{path}: not a file.")
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            raise UsageError(f"{path}: cannot be read ({exc.strerror}).") from None


def run(args: argparse.Namespace) -> int:
    from safetynet.interchange.importer import import_files

    if args.chunk < 1:
        raise UsageError(f"--chunk must be at least 1 (got {args.chunk}).")
    if args.workers is not None and not 1 <= args.workers <= 64:
        raise UsageError(f"--workers must be between 1 and 64 (got {args.workers}).")
    check_paths(args.paths)
    progress: Any = None
    if sys.stderr.isatty() and not args.quiet:
        from tqdm import tqdm

        progress = tqdm(total=sum(p.stat().st_size for p in args.paths), unit="B", unit_scale=True, desc="import")
    try:
        result = import_files(
            args.paths,
            batch_name=args.batch_name,
            chunk_lines=args.chunk,
            workers=args.workers,
            notify=not args.no_link,
            on_progress=progress.update if progress is not None else None,
        )
    finally:
        if progress is not None:
            progress.close()
    print(format_summary(result.counts, quiet=args.quiet))
    for f in result.files:
        if f.rejected:
            print(f"{f.path}: {f.rejected:,} line(s) rejected; see {f.rejects_path}")
    print(f"batch {result.batch_id}: {result.records:,} records written in {result.seconds:.1f}s")
    if not args.no_link:
        _catch_up_linkage()
    return EXIT_REJECTS if result.rejected else 0


def _catch_up_linkage() -> None:
    """Link person records an earlier, interrupted run stored but never linked (its chunk
    committed, the process died before linkage ran): a re-run leaves nobody unlinked."""
    from safetynet.identity.linking import link_unlinked
    from safetynet.identity.linkmodel import ModelError

    try:
        caught_up = link_unlinked()
    except ModelError:
        return  # no model yet: the import's own records are unlinked too, and say so in the log
    if caught_up:
        print(f"linked {caught_up:,} person record(s) an earlier run left unlinked")


def format_summary(counts: dict[str, dict[str, int]], *, quiet: bool = False) -> str:
    """A table of accepted / updated / unchanged / rejected by kind, then the totals."""
    outcomes = ("accepted", "updated", "unchanged", "rejected")
    totals = {o: sum(c.get(o, 0) for c in counts.values()) for o in outcomes}
    total_line = "total: " + ", ".join(f"{totals[o]:,} {o}" for o in outcomes)
    if quiet:
        return total_line
    rows = [f"{'kind':<14}" + "".join(f"{o:>11}" for o in outcomes)]
    for kind, c in counts.items():
        rows.append(f"{kind:<14}" + "".join(f"{c.get(o, 0):>11,}" for o in outcomes))
    rows.append(total_line)
    warned = sum(c.get("warned", 0) for c in counts.values())
    if warned:
        rows.append(
            f"{warned:,} line(s) stored with a warning (a date of birth kept as sent, not read as a date; "
            "the person is flagged for data quality)"
        )
    return "\n".join(rows)
