"""`safetynet notify`: send notification emails (docs/work.md "Notifications").

safetynet notify --digest       one email to each person who chose the daily digest (run daily, e.g. from cron)
safetynet notify --immediate    any immediate email still waiting (the worker's sweep does this every minute)
"""

from __future__ import annotations

import argparse
from typing import Any

from safetynet.cli.errors import UsageError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "notify",
        help="send notification emails (the daily digest, or immediate ones still waiting)",
        description="Send notification emails through Django's email backend. --digest sends one email to each "
        "person who chose the daily digest, counting their new notifications with a link; run it once a day. "
        "--immediate sends immediate emails still waiting. Emails never carry personal data.",
    )
    p.add_argument("--digest", action="store_true", help="send the daily digests")
    p.add_argument("--immediate", action="store_true", help="send immediate emails still waiting")
    p.set_defaults(func=run, needs_django=True)


def run(args: argparse.Namespace) -> int:
    from safetynet.work import notifications

    if not (args.digest or args.immediate):
        raise UsageError("say which emails to send: --digest (the daily digest) or --immediate.")
    if args.immediate:
        print(f"notify: {notifications.send_immediate():,} immediate email(s) sent")
    if args.digest:
        print(f"notify: {notifications.send_digests():,} digest email(s) sent")
    return 0
