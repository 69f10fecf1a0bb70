"""`safetynet feed --url URL [--key KEY] [--interval S] [--seed N]`: keep a synthetic county moving.

Sends the live county's new records (`synth.live`) to a running server's `POST /api/v1/records`
with an API key, a tick every `--interval` seconds, until Ctrl+C. The key comes from `--key` or,
so it stays out of the process list, the environment variable `SAFETYNET_FEED_KEY` (the demo
starts the feed so). The people it writes about are read from the server's database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import threading
from typing import Any

from safetynet.cli.errors import UsageError

KEY_VARIABLE = "SAFETYNET_FEED_KEY"


def register(sub: Any) -> None:
    p = sub.add_parser(
        "feed",
        help="send a synthetic county's new records to a server's REST ingest, every few seconds",
        description="Keep a synthetic county moving (the demo's live feed): every --interval seconds, new "
        "records (missing reports and returns, MASH referrals and triage, domestic abuse, custody, strategy "
        "discussions) about the database's children and adults are POSTed to URL/api/v1/records with an "
        "API key (--key, or the environment variable SAFETYNET_FEED_KEY). A server that is not up yet is "
        "retried. Ctrl+C stops it. See docs/synth.md.",
    )
    p.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8000")
    p.add_argument("--key", default="", help=f"the API key (default: ${KEY_VARIABLE})")
    p.add_argument("--interval", type=float, default=5.0, help="seconds between ticks (default 5; at least 1)")
    p.add_argument("--seed", type=int, default=7, help="random seed of the live county (default 7)")
    p.add_argument("--ticks", type=int, default=None, help="stop after this many ticks (default: run until stopped)")
    p.set_defaults(func=run, needs_django=True)


def run(args: argparse.Namespace) -> int:
    from safetynet.interchange.feed import FeedRefused, HttpSender, cast_from_database, run_feed
    from safetynet.lib.clock import system_clock
    from safetynet.synth.live import LiveCounty

    key = args.key or os.environ.get(KEY_VARIABLE, "")
    if not key:
        raise UsageError(f"give the feed an API key: --key KEY or ${KEY_VARIABLE} (safetynet apikey create).")
    if args.interval < 1:
        raise UsageError(f"--interval must be at least 1 second (got {args.interval:g}).")
    if not args.url.startswith(("http://", "https://")):
        raise UsageError(f"--url must start with http:// or https:// (got {args.url!r}).")
    now = system_clock.now()
    cast = cast_from_database(now=now)
    if not (cast.children and cast.adults and cast.places):
        raise UsageError("the database holds no county to move: load one first (safetynet demo, safetynet import).")
    live = LiveCounty(cast, seed=args.seed, run=now.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S"))
    stop = threading.Event()
    try:
        sent = run_feed(
            live, HttpSender(args.url, key), clock=system_clock, interval=args.interval, stop=stop, ticks=args.ticks
        )
    except KeyboardInterrupt:
        stop.set()
        return 0
    except FeedRefused as exc:
        raise UsageError(f"{exc}; check the key (safetynet apikey list).") from None
    print(f"feed: {sent} record(s) sent")
    return 0
