"""The manifest: what a backup holds, sealed so that it cannot be altered unnoticed.

`manifest.json` is readable without the key (counts per table, checksums, the chain head,
which key sealed it: nothing about a person), so an operator can see what a backup is;
`manifest.sealed` is the same bytes sealed with the key. A restore opens the sealed copy
and refuses when the two differ, so every checksum it then trusts is the one the backup wrote.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from safetynet.audit.services import ChainHead
from safetynet.backup.crypto import BackupKeys, file_sha256, key_id, seal_bytes, unseal_bytes
from safetynet.backup.errors import BackupError

FORMAT = "safetynet-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SEALED_MANIFEST = "manifest.sealed"


def head_to_json(head: ChainHead) -> dict[str, Any]:
    return {"seq": head.seq, "hash": head.hash, "at": head.at.isoformat() if head.at else None}


def head_from_json(data: dict[str, Any]) -> ChainHead:
    return ChainHead(int(data["seq"]), str(data["hash"]))


def write_manifest(directory: Path, manifest: dict[str, Any], keys: BackupKeys) -> None:
    data = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")
    (directory / MANIFEST).write_bytes(data)
    (directory / SEALED_MANIFEST).write_bytes(seal_bytes(data, keys))


def read_plain_manifest(directory: Path) -> dict[str, Any] | None:
    """The manifest of a backup directory, or None when `directory` is not a backup."""
    try:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    return data


@dataclass(frozen=True)
class OpenedBackup:
    directory: Path
    manifest: dict[str, Any]


def open_backup(directory: Path, keys: BackupKeys) -> OpenedBackup:
    """The backup's manifest, proven by the key; its files' checksums checked. BackupError otherwise."""
    if not directory.is_dir():
        raise BackupError(f"{directory} is not a directory")
    manifest = read_plain_manifest(directory)
    if manifest is None:
        raise BackupError(f"{directory} is not a safetynet backup (no {MANIFEST} written by 'safetynet backup')")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{directory} is a backup of format {manifest.get('format_version')}; this safetynet reads 1")
    try:
        sealed = (directory / SEALED_MANIFEST).read_bytes()
    except OSError:
        raise BackupError(f"{directory} is not a complete backup ({SEALED_MANIFEST} is missing)") from None
    opened = unseal_bytes(sealed, keys)
    if opened is None:
        yours = ", ".join(keys.ids)
        raise BackupError(
            f"the backup key does not open this backup: it was sealed with key {manifest.get('key_id')}; "
            f"{keys.origin} holds key {yours}"
        )
    if opened != (directory / MANIFEST).read_bytes():
        raise BackupError(f"{MANIFEST} was altered after the backup was taken (it differs from its sealed copy)")
    for item in manifest["files"]:
        path = directory / item["name"]
        if not path.is_file():
            raise BackupError(f"the backup is missing {item['name']}")
        found = file_sha256(path)
        if found != item["sealed_sha256"]:
            raise BackupError(
                f"checksum mismatch: {item['name']} has sha256 {found[:12]}..., the manifest says "
                f"{item['sealed_sha256'][:12]}... (damaged or altered)"
            )
    return OpenedBackup(directory, manifest)


def sealing_key_id(keys: BackupKeys) -> str:
    return key_id(keys.keys[0])
