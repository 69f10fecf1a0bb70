"""`safetynet apikey create|list|revoke`: source systems' keys for the REST ingest (docs/api.md)."""

from __future__ import annotations

import argparse
import getpass
import os
from typing import Any

from safetynet.cli.errors import UsageError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "apikey",
        help="make, list and revoke source systems' API keys",
        description="API keys let a source system POST records to /api/v1/records. A key is scoped to "
        "its sources (and optionally kinds and restricted marker types), stored hashed, and printed once.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="make a key; it is printed once, alone on the last line")
    create.add_argument("name", help="the system it is for, e.g. csc-nightly")
    create.add_argument("--sources", required=True, help="comma-separated sources it may write, e.g. rms,mispers")
    create.add_argument("--kinds", default="", help="comma-separated kinds it may write (default: every kind)")
    create.add_argument(
        "--markers",
        default="",
        help="comma-separated restricted marker types it may write (registered_sex_offender, mappa)",
    )
    actions.add_parser("list", help="every key: name, scope, made, revoked (never the key)")
    revoke = actions.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("name")
    p.set_defaults(func=run, needs_django=True)


def _codes(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _os_user() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in some containers
        return f"cli:uid {os.getuid()}"


def run(args: argparse.Namespace) -> int:
    from safetynet.access.apikeys import ApiKeyError
    from safetynet.access.models import ApiKey
    from safetynet.accounts.apikeys import create_api_key, revoke_api_key
    from safetynet.cli.django_setup import ensure_database
    from safetynet.interchange.kinds import KINDS
    from safetynet.lib.clock import system_clock

    ensure_database()
    try:
        if args.action == "create":
            kinds = _codes(args.kinds)
            unknown = sorted(set(kinds) - set(KINDS))
            if unknown:
                raise UsageError(f"unknown kinds {', '.join(unknown)}; expected some of: {', '.join(KINDS)}")
            key, raw = create_api_key(
                acting_user=None,
                username=_os_user(),
                name=args.name,
                sources=_codes(args.sources),
                kinds=kinds,
                markers=_codes(args.markers),
                clock=system_clock,
            )
            print(f"created API key {key.name} for sources {', '.join(key.sources)}; it is shown only now:")
            print(raw)
        elif args.action == "revoke":
            key = revoke_api_key(acting_user=None, username=_os_user(), name=args.name, clock=system_clock)
            print(f"revoked API key {key.name}")
        else:
            for key in ApiKey.objects.all():
                print("\t".join(_row(key)))
    except ApiKeyError as exc:
        raise UsageError(str(exc)) from None
    return 0


def _row(key: Any) -> list[str]:
    """One key for `apikey list`: name, scope, when and by whom made, state; never the key."""
    markers = f" markers={','.join(key.markers)}" if key.markers else ""
    return [
        key.name,
        f"sources={','.join(key.sources)}",
        f"kinds={','.join(key.kinds) or 'all'}{markers}",
        f"made {key.created_at:%Y-%m-%d %H:%M} by {key.created_by}",
        f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active",
    ]
