"""Encryption at rest: Fernet (AES-128-CBC with HMAC-SHA256) from `cryptography`.

A backup file is a header line and a sequence of Fernet tokens, each sealing up to
CHUNK bytes and prefixed with its length, so a dump of any size is encrypted while it is
streamed and never held in memory whole. Each token is authenticated; the manifest (itself
sealed, see `manifest.py`) holds every file's sha256, so chunks dropped, repeated or reordered
are caught as well.

The key the operator holds: SAFETYNET_BACKUP_KEY, or a file named by --key-file or
SAFETYNET_BACKUP_KEY_FILE. It may hold several keys (separated by spaces, commas or new
lines): the first seals new backups, every one opens old ones, which is how a key is rotated.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from safetynet.backup.errors import BackupError

KEY_ENV = "SAFETYNET_BACKUP_KEY"
KEY_FILE_ENV = "SAFETYNET_BACKUP_KEY_FILE"
MAGIC = b"SAFETYNET-BACKUP-1\n"
CHUNK = 4 * 1024 * 1024
KEY_EXPECTED = "expected 44 characters of URL-safe base64, as 'safetynet backup --new-key' prints"
NO_KEY = (
    f"no backup key: set {KEY_ENV}, or {KEY_FILE_ENV} or --key-file to a file holding it "
    "(make one with 'safetynet backup --new-key')"
)


def new_key() -> str:
    """A fresh random key, to print once for the operator to keep."""
    return Fernet.generate_key().decode("ascii")


def key_id(key: str) -> str:
    """A short fingerprint of a key (safe to print and store: it does not reveal the key)."""
    return hashlib.sha256(b"safetynet backup key\0" + key.encode("ascii")).hexdigest()[:16]


@dataclass(frozen=True)
class BackupKeys:
    """The operator's keys: the first seals, all open."""

    keys: tuple[str, ...]
    origin: str  # where they came from, for messages: the variable or file name

    @property
    def sealing_id(self) -> str:
        return key_id(self.keys[0])

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(key_id(k) for k in self.keys)

    def fernet(self) -> MultiFernet:
        return MultiFernet([Fernet(k.encode("ascii")) for k in self.keys])


def parse_keys(text: str, origin: str) -> BackupKeys:
    """The keys in `text`; BackupError naming `origin` (never the text) when one is malformed."""
    raw = [part for part in text.replace(",", " ").split() if part]
    if not raw:
        raise BackupError(f"{origin} holds no backup key; {KEY_EXPECTED}")
    for number, candidate in enumerate(raw, 1):
        try:
            Fernet(candidate.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            which = f"key {number}" if len(raw) > 1 else "the key"
            raise BackupError(f"{origin}: {which} is not a backup key; {KEY_EXPECTED}") from None
    return BackupKeys(tuple(raw), origin)


def load_keys(key_file: str | None = None) -> BackupKeys:
    """The operator's keys from --key-file, else SAFETYNET_BACKUP_KEY_FILE, else SAFETYNET_BACKUP_KEY."""
    path = key_file or os.environ.get(KEY_FILE_ENV, "")
    if path:
        try:
            text = Path(path).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not a text file"
            raise BackupError(f"cannot read the backup key file {path}: {reason}") from None
        return parse_keys(text, f"the key file {path}")
    text = os.environ.get(KEY_ENV, "")
    if not text.strip():
        raise BackupError(NO_KEY)
    return parse_keys(text, KEY_ENV)


class SealedWriter:
    """A binary file-like object that seals what is written to it, chunk by chunk, into `out`;
    `sha256`/`size` describe the plain bytes, `sealed_sha256` the file as written."""

    def __init__(self, out: IO[bytes], keys: BackupKeys) -> None:
        self._out = out
        self._fernet = keys.fernet()
        self._buffer = bytearray()
        self._plain = hashlib.sha256()
        self._sealed = hashlib.sha256()
        self.size = 0
        self._emit(MAGIC)

    def _emit(self, data: bytes) -> None:
        self._out.write(data)
        self._sealed.update(data)

    def write(self, data: bytes) -> int:
        self._plain.update(data)
        self.size += len(data)
        self._buffer.extend(data)
        while len(self._buffer) >= CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]))
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, chunk: bytes) -> None:
        token = self._fernet.encrypt(chunk)
        self._emit(struct.pack(">I", len(token)) + token)

    def close(self) -> None:
        if self._buffer:
            self._seal(bytes(self._buffer))
            self._buffer.clear()

    @property
    def sha256(self) -> str:
        return self._plain.hexdigest()

    @property
    def sealed_sha256(self) -> str:
        return self._sealed.hexdigest()


def seal_file(source: Path, target: Path, keys: BackupKeys) -> SealedWriter:
    """Seal the file `source` into `target`; the writer reports sizes and checksums."""
    with source.open("rb") as plain, target.open("wb") as out:
        writer = SealedWriter(out, keys)
        while block := plain.read(CHUNK):
            writer.write(block)
        writer.close()
    return writer


def unseal_chunks(path: Path, keys: BackupKeys) -> Iterator[bytes]:
    """The plain bytes of a sealed file, chunk by chunk; BackupError when it does not open."""
    fernet = keys.fernet()
    with path.open("rb") as sealed:
        if sealed.read(len(MAGIC)) != MAGIC:
            raise BackupError(f"{path.name} is not a sealed backup file")
        while header := sealed.read(4):
            if len(header) != 4:
                raise BackupError(f"{path.name} is cut short")
            (length,) = struct.unpack(">I", header)
            token = sealed.read(length)
            if len(token) != length:
                raise BackupError(f"{path.name} is cut short")
            try:
                yield fernet.decrypt(token)
            except InvalidToken:
                raise BackupError(f"{path.name} does not open with the backup key (altered, or another key)") from None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def seal_bytes(data: bytes, keys: BackupKeys) -> bytes:
    return keys.fernet().encrypt(data)


def unseal_bytes(token: bytes, keys: BackupKeys) -> bytes | None:
    """The plain bytes, or None when none of the keys opens the token."""
    try:
        return keys.fernet().decrypt(token)
    except InvalidToken:
        return None
