"""`safetynet ingest --watch DIR [--once] [--interval S]`: the drop folder (docs/interchange.md).

Imports every complete `*.jsonl` file dropped into DIR through the import's own path (door
`drop`), then moves it and its rejects file into DIR/done/. Exit code 3 after `--once` when
some lines were rejected, as `safetynet import`.
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path
from typing import Any

from safetynet.cli.errors import UsageError

EXIT_REJECTS = 3


def register(sub: Any) -> None:
    p = sub.add_parser(
        "ingest",
        help="watch a drop folder: import complete *.jsonl files, then move them to DIR/done/",
        description="Watch DIR for complete interchange files (*.jsonl renamed into place; dotfiles, *.tmp, "
        "*.part and rejects files are left alone), import each as one batch by the import's path (door "
        "'drop'), and move it, with its rejects file, into DIR/done/. A file already imported (same SHA-256) "
        "is moved without being read again, so restarts never import a file twice. See docs/interchange.md.",
    )
    p.add_argument("--watch", type=Path, required=True, metavar="DIR", help="the drop folder")
    p.add_argument("--once", action="store_true", help="one pass over DIR, then exit (3 if lines were rejected)")
    p.add_argument("--interval", type=float, default=5.0, help="seconds between passes (default 5)")
    p.add_argument(
        "--no-link",
        action="store_true",
        help="do not tell identity to link the new person records now (run 'safetynet link' afterwards)",
    )
    p.set_defaults(func=run, needs_django=True)


def run(args: argparse.Namespace) -> int:
    from safetynet.interchange.drop import ingest_once, watch
    from safetynet.lib.clock import system_clock

    directory: Path = args.watch
    if not directory.is_dir():
        raise UsageError(f"{directory}: no such directory.")
    if args.interval <= 0:
        raise UsageError(f"--interval must be a positive number of seconds (got {args.interval:g}).")
    if args.once:
        dropped = ingest_once(directory, clock=system_clock, notify=not args.no_link)
        for item in dropped:
            if item.already_imported:
                print(f"{item.name}: imported before; moved to {item.moved_to}")
            else:
                counts = ", ".join(f"{n:,} {o}" for o, n in item.counts.items())
                print(f"{item.name}: batch {item.batch_id}: {counts}; moved to {item.moved_to}")
        print(f"{len(dropped)} file(s) in {directory}")
        return EXIT_REJECTS if any(item.counts.get("rejected") for item in dropped) else 0
    print(f"ingest: watching {directory} every {args.interval:g}s (Ctrl+C to stop)", flush=True)
    stop = threading.Event()
    try:
        watch(directory, clock=system_clock, interval=args.interval, stop=stop, notify=not args.no_link)
    except KeyboardInterrupt:
        stop.set()
    return 0
