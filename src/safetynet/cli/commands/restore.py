"""`safetynet restore DIR [--key-file F]`: a backup onto an empty database, then checked."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from safetynet.cli.errors import UsageError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "restore",
        help="restore a backup onto an empty database, then check counts and the audit chain",
        description="Restore the backup in DIR (written by 'safetynet backup') onto the database in use, which "
        "must be empty, and its files into the data directory. Refused, with nothing changed, when DIR is "
        "not a backup, the key does not open it, a checksum does not match, or the database is not empty. "
        "Ends by comparing every table's count with the manifest and verifying the audit chain against the "
        "head saved in the backup (exit 1 if either fails).",
    )
    p.add_argument("directory", type=Path, metavar="DIR", help="a backup's directory")
    p.add_argument(
        "--key-file",
        metavar="PATH",
        help="file holding the key (default $SAFETYNET_BACKUP_KEY_FILE, else $SAFETYNET_BACKUP_KEY)",
    )
    p.set_defaults(func=run, needs_django=True)


def run(args: argparse.Namespace) -> int:
    from safetynet.backup.crypto import load_keys
    from safetynet.backup.errors import BackupError
    from safetynet.backup.services import restore_backup

    try:
        keys = load_keys(args.key_file)
        report = restore_backup(args.directory, keys)
    except BackupError as exc:
        raise UsageError(f"{exc}.") from None
    tables = report.manifest["tables"]
    print(
        f"restored {args.directory} (taken {report.manifest['created_at']}) in {report.seconds:.1f}s: "
        f"{report.manifest['database']['method']} dump, {report.files} data file(s)"
    )
    if report.mismatched:
        shown = "; ".join(f"{t}: manifest {e}, restored {f}" for t, (e, f) in list(report.mismatched.items())[:5])
        print(f"count check FAILED: {len(report.mismatched)} table(s) differ from the manifest: {shown}")
    else:
        print(f"count check: all {len(tables)} tables match the manifest ({sum(tables.values()):,} rows)")
    head = report.manifest["audit_head"]
    if report.audit.ok:
        print(
            f"audit chain intact: {report.audit.checked} entries verified; the saved head (entry {head['seq']}) "
            "is in the chain"
        )
    else:
        print(
            f"audit chain BROKEN at entry {report.audit.first_broken_seq}: {report.audit.problem} "
            f"(checked against the saved head, entry {head['seq']})"
        )
    return 0 if report.ok else 1
