"""The data directory's own files in a backup: retrained linkage models, the demo county, files
an operator keeps there. Not the database (its own dump), nor collected static files (rebuilt
from the release), nor backups or restores in progress."""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from safetynet.backup.crypto import CHUNK, BackupKeys, unseal_chunks
from safetynet.backup.errors import BackupError
from safetynet.backup.manifest import MANIFEST

DATABASE_SUFFIXES = (".sqlite3", ".sqlite3-wal", ".sqlite3-shm", ".sqlite3-journal")
SKIPPED_DIRECTORIES = {"static"}


def data_files(data_dir: Path, exclude: Path | None = None) -> list[Path]:
    """Regular files under `data_dir` that a backup keeps, sorted (relative paths)."""
    kept: list[Path] = []
    if not data_dir.is_dir():
        return kept
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if any(part.startswith(".") for part in relative.parts) or relative.parts[0] in SKIPPED_DIRECTORIES:
            continue
        if exclude is not None and (path == exclude or exclude in path.parents):
            continue
        if any((parent / MANIFEST).is_file() for parent in path.parents if data_dir in parent.parents):
            continue  # another backup kept inside the data directory
        if path.is_symlink() or not path.is_file() or path.name.endswith(DATABASE_SUFFIXES):
            continue
        kept.append(relative)
    return kept


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def archive(data_dir: Path, files: list[Path], out: Any) -> list[dict[str, Any]]:
    """Write `files` as a tar stream into `out` (a sealing writer); their names, sizes and sha256."""
    listed = []
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        for relative in files:
            path = data_dir / relative
            tar.add(path, arcname=relative.as_posix(), recursive=False)
            listed.append({"path": relative.as_posix(), "bytes": path.stat().st_size, "sha256": sha256_of(path)})
    return listed


def refuse_conflicts(data_dir: Path, listed: list[dict[str, Any]]) -> None:
    """BackupError when the data directory holds a file the backup would replace with other content."""
    for item in listed:
        target = data_dir / item["path"]
        if target.exists() and (not target.is_file() or sha256_of(target) != item["sha256"]):
            raise BackupError(
                f"the data directory already holds {item['path']}, different from the backup's; "
                "restore into an empty data directory (SAFETYNET_DATA_DIR)"
            )


class _ChunkReader(io.RawIOBase):
    """A readable stream over unsealed chunks, for tarfile's stream mode."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def extract(sealed: Path, keys: BackupKeys, data_dir: Path) -> int:
    """Unpack the backup's files into `data_dir` (those already there and identical are kept); how many."""
    data_dir.mkdir(parents=True, exist_ok=True)
    count = 0
    stream = io.BufferedReader(_ChunkReader(unseal_chunks(sealed, keys)), buffer_size=CHUNK)
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        for member in tar:
            if (data_dir / member.name).exists():
                continue
            tar.extract(member, data_dir, filter="data")
            count += 1
    return count
