"""`safetynet backup DIR [--keep N] [--key-file F]` and `safetynet backup --new-key`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from safetynet.cli.errors import UsageError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "backup",
        help="write an encrypted, consistent backup: database, data files, audit chain head",
        description="Write a backup into DIR (a new directory): a consistent copy of the database (SQLite's "
        "backup API; pg_dump on a single snapshot, or the rows in one REPEATABLE READ transaction without "
        "pg_dump), the data directory's files and the audit chain head, sealed with the operator's key "
        "(SAFETYNET_BACKUP_KEY, or a key file), with a manifest of counts per table and checksums. Then "
        "only the newest --keep backups beside DIR are kept. docs/operations.md, 'Backup and restore'.",
    )
    p.add_argument("directory", type=Path, nargs="?", metavar="DIR", help="the new backup's directory")
    p.add_argument("--keep", type=int, default=14, metavar="N", help="backups kept in DIR's parent (default 14)")
    p.add_argument(
        "--key-file",
        metavar="PATH",
        help="file holding the key (default $SAFETYNET_BACKUP_KEY_FILE, else $SAFETYNET_BACKUP_KEY)",
    )
    p.add_argument(
        "--new-key", action="store_true", help="print a fresh key once (keep it safe, off this server) and stop"
    )
    # Django starts in run(): --new-key needs no settings or database.
    p.set_defaults(func=run, needs_django=False)


def run(args: argparse.Namespace) -> int:
    from safetynet.backup.crypto import key_id, load_keys, new_key
    from safetynet.backup.errors import BackupError
    from safetynet.cli.django_setup import ensure_database, setup_django

    if args.new_key:
        key = new_key()
        print(key)
        print(
            f"a new backup key (id {key_id(key)}): store it where the operators keep secrets, not beside the "
            "backups; it is printed only this once",
            file=sys.stderr,
        )
        return 0
    if args.directory is None:
        raise UsageError("name the backup's directory (DIR), or pass --new-key.")
    try:
        keys = load_keys(args.key_file)
        setup_django()
        ensure_database()
        from safetynet.backup.services import take_backup

        report = take_backup(args.directory, keys, keep=args.keep)
    except BackupError as exc:
        raise UsageError(f"{exc}.") from None
    manifest = report.manifest
    head = manifest["audit_head"]
    size = sum(item["bytes"] for item in manifest["files"])
    print(
        f"backup written to {report.directory}: {manifest['database']['method']} dump of "
        f"{len(manifest['tables'])} tables ({report.rows:,} rows), {len(manifest['data_files'])} data file(s), "
        f"audit chain head entry {head['seq']}; {size / 1e6:.1f} MB in {report.seconds:.2f}s, "
        f"sealed with key {manifest['key_id']}"
    )
    if report.removed:
        print(f"retention: kept the newest {args.keep}; removed {', '.join(p.name for p in report.removed)}")
    return 0
