"""`safetynet audit verify|head|report`: check the access log's hash chain, print its head for
storing off-box, and report who has looked at a child."""

from __future__ import annotations

import argparse
from typing import Any

from safetynet.cli.errors import UsageError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "audit",
        help="verify the access log, or report who has looked at a child's record",
        description="The access log (DPA 2018 s62). 'verify' walks the hash chain and names the first "
        "broken entry (exit 1 when broken); with '--head FILE' it also proves that the head stored in FILE "
        "is still in the chain, so entries cut off the end are reported. 'head' prints the current head "
        "(entry number and hash) to store off-box. 'report --person ID' lists every view, search, export "
        "and change concerning a child: ID is an individual's number, or SOURCE:ID for one source record.",
    )
    actions = p.add_subparsers(dest="audit_command", metavar="ACTION")
    actions.required = True
    verify = actions.add_parser("verify", help="check the chain; exit 1 and name the first broken entry")
    verify.add_argument(
        "--head",
        metavar="FILE",
        help="a head printed earlier by 'safetynet audit head'; report entries removed after it",
    )
    verify.set_defaults(func=run_verify, needs_django=True)
    head = actions.add_parser("head", help="print the chain head ('SEQ HASH') to store off-box")
    head.set_defaults(func=run_head, needs_django=True)
    report = actions.add_parser("report", help="who has looked at this child's record?")
    report.add_argument("--person", required=True, metavar="ID", help="individual number, or SOURCE:ID of a record")
    report.set_defaults(func=run_report, needs_django=True)


def _stored_head(path: str) -> Any:
    from pathlib import Path

    from safetynet.audit.services import parse_head

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read the stored head {path}: {exc.strerror}.") from None
    try:
        return parse_head(text)
    except ValueError as exc:
        raise UsageError(f"{path}: {exc}.") from None


def run_verify(args: argparse.Namespace) -> int:
    from safetynet.audit.services import verify_against_head, verify_chain
    from safetynet.cli.django_setup import ensure_database

    stored = _stored_head(args.head) if args.head else None
    ensure_database()
    result = verify_chain() if stored is None else verify_against_head(stored)
    if result.ok:
        anchored = f"; stored head entry {stored.seq} is in the chain" if stored is not None else ""
        print(f"audit chain intact: {result.checked} entries verified{anchored}")
        return 0
    print(
        f"audit chain BROKEN at entry {result.first_broken_seq}: {result.problem} ({result.checked} verified before it)"
    )
    return 1


def run_head(args: argparse.Namespace) -> int:
    from safetynet.audit.services import current_head
    from safetynet.cli.django_setup import ensure_database

    ensure_database()
    print(current_head().line())
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
