"""`safetynet audit verify|head|report`: check the access log's hash chain (against heads stored
off-box too), print or store its head off-box, and report who has looked at a child."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from safetynet.cli.errors import UsageError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "audit",
        help="verify the access log, or report who has looked at a child's record",
        description="The access log (DPA 2018 s62). 'verify' walks the hash chain and names the first "
        "broken entry (exit 1 when broken); with '--against FILE' it also proves that every head stored in "
        "FILE is still in the chain, so entries cut off the end, or a chain rewritten wholesale, are reported. "
        "'head' prints the current head (entry number, hash and time) to store off-box, and with --write or "
        "--syslog stores it there ('safetynet worker' does so on a schedule when SAFETYNET_AUDIT_HEAD_FILE or "
        "SAFETYNET_AUDIT_HEAD_SYSLOG is set). 'report --person ID' lists every view, search, export and change "
        "concerning a child: ID is an individual's number, or SOURCE:ID for one source record.",
    )
    actions = p.add_subparsers(dest="audit_command", metavar="ACTION")
    actions.required = True
    verify = actions.add_parser("verify", help="check the chain; exit 1 and name the first broken entry")
    verify.add_argument(
        "--against",
        "--head",
        dest="against",
        metavar="FILE",
        help="heads written earlier by 'safetynet audit head' (one a line, as --write appends them); "
        "report entries removed or rewritten since any of them",
    )
    verify.set_defaults(func=run_verify, needs_django=True)
    head = actions.add_parser("head", help="print the chain head ('SEQ HASH TIME') to store off-box")
    head.add_argument("--write", metavar="PATH", help="also append the head as one line to PATH (created if missing)")
    head.add_argument(
        "--syslog",
        nargs="?",
        const="",
        metavar="ADDRESS",
        help="also send it to syslog (facility auth): /dev/log, HOST:PORT, udp://HOST:PORT or tcp://HOST:PORT "
        "(default: $SAFETYNET_AUDIT_HEAD_SYSLOG, else /dev/log)",
    )
    head.set_defaults(func=run_head, needs_django=True)
    report = actions.add_parser("report", help="who has looked at this child's record?")
    report.add_argument("--person", required=True, metavar="ID", help="individual number, or SOURCE:ID of a record")
    report.set_defaults(func=run_report, needs_django=True)


def _stored_heads(path: str) -> Any:
    from pathlib import Path

    from safetynet.audit.services import parse_heads

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read the stored heads {path}: {exc.strerror}.") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not a file of heads (not text).") from None
    try:
        return parse_heads(text)
    except ValueError as exc:
        raise UsageError(f"{path}: {exc}.") from None


def run_verify(args: argparse.Namespace) -> int:
    from safetynet.audit.services import verify_against_heads, verify_chain
    from safetynet.cli.django_setup import ensure_database

    stored = _stored_heads(args.against) if args.against else None
    ensure_database()
    result = verify_chain() if stored is None else verify_against_heads(stored)
    if result.ok:
        anchored = ""
        if stored is not None:
            latest = max(head.seq for _line, head in stored)
            anchored = f"; all {len(stored)} stored head(s) are in the chain (the latest names entry {latest})"
        print(f"audit chain intact: {result.checked} entries verified{anchored}")
        return 0
    print(
        f"audit chain BROKEN at entry {result.first_broken_seq}: {result.problem} ({result.checked} verified before it)"
    )
    return 1


def run_head(args: argparse.Namespace) -> int:
    from django.conf import settings

    from safetynet.audit.anchor import DEFAULT_SYSLOG, send_head, write_head
    from safetynet.audit.services import current_head
    from safetynet.cli.django_setup import ensure_database

    ensure_database()
    head = current_head()
    print(head.line())
    if args.write:
        try:
            write_head(args.write, head)
        except OSError as exc:
            raise UsageError(f"cannot append the head to {args.write}: {exc.strerror}.") from None
        print(f"appended to {args.write}", file=sys.stderr)
    if args.syslog is not None:
        address = args.syslog or settings.SAFETYNET_AUDIT_HEAD_SYSLOG or DEFAULT_SYSLOG
        try:
            send_head(address, head)
        except ValueError as exc:
            raise UsageError(f"--syslog: {exc}.") from None
        except OSError as exc:
            raise UsageError(f"cannot send the head to syslog at {address}: {exc.strerror or exc}.") from None
        print(f"sent to syslog at {address}", file=sys.stderr)
    return 0


def _resolve(raw: str) -> tuple[int | None, int | None]:
    """(individual id, person id) from "123" or "source:id"."""
    from safetynet.reads.audit_log import resolve_person_ref

    try:
        return resolve_person_ref(raw)
    except ValueError as exc:
        raise UsageError(f"--person: {exc}; got {raw.strip()!r}.") from None


def run_report(args: argparse.Namespace) -> int:
    from safetynet.cli.django_setup import ensure_database
    from safetynet.reads.audit_log import entries_about

    ensure_database()
    individual_id, person_id = _resolve(args.person)
    entries = entries_about(individual_id=individual_id, person_id=person_id)
    what = f"individual {individual_id}" if individual_id else f"record {args.person}"
    print(f"access log for {what}: {len(entries)} entries")
    for e in entries:
        who = e.actor_username or "(nobody signed in)"
        role = f" ({e.actor_role})" if e.actor_role else ""
        parts = ",".join(e.fields)
        reason = f" reason={e.reason!r}" if e.reason else ""
        print(
            f"{e.at:%Y-%m-%d %H:%M:%S}Z  #{e.seq}  {who}{role}  {e.action}  {e.object_type} {','.join(e.object_ids)}"
            f"  [{parts}]  from {e.ip or '-'}  {e.outcome}{reason}"
        )
    return 0
