"""The rejects file: every rejected line, unchanged, with its line number, field and reason.

`PATH.rejects.jsonl` beside each imported file, one JSON object per rejected line; a line too
long to hold is copied through in pieces. The same rejects are stored as `ImportReject` rows
by the importer, in the chunk's transaction.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


def rejects_path_for(path: Path) -> Path:
    """Where the rejects of `path` are written: `PATH.rejects.jsonl` beside it."""
    return path.with_name(path.name + ".rejects.jsonl")


class RejectWriter:
    """Writes rejected lines, unchanged, with line number, field and reason (one JSON per line).

    The file is created on the first reject; a stale one from an earlier run is removed.
    """

    def __init__(self, source: Path) -> None:
        self.source = source
        self.path = rejects_path_for(source)
        self.path.unlink(missing_ok=True)
        self._handle: IO[bytes] | None = None
        self.count = 0

    def _open(self) -> IO[bytes]:
        if self._handle is None:
            self._handle = self.path.open("wb")
        return self._handle

    def _head(self, number: int, kind: str, field: str, reason: str) -> dict[str, Any]:
        return {
            "file": self.source.name,
            "line": number,
            "kind": kind or None,
            "field": field or None,
            "reason": reason,
        }

    def write(self, number: int, data: bytes, kind: str, field: str, reason: str) -> None:
        head = self._head(number, kind, field, reason)
        try:
            head["raw"] = data.decode("utf-8")
        except UnicodeDecodeError:
            head["raw_base64"] = base64.b64encode(data).decode("ascii")
        self._open().write(json.dumps(head, ensure_ascii=False).encode("utf-8") + b"\n")
        self.count += 1

    def write_stream(self, number: int, first: bytes, rest: Iterator[bytes], reason: str) -> None:
        """An over-long line, copied through in pieces (base64) without holding it whole."""
        head = json.dumps(self._head(number, "", "", reason), ensure_ascii=False)
        handle = self._open()
        handle.write(head[:-1].encode("utf-8") + b', "raw_base64": "')
        carry = b""
        for piece in _chain_first(first, rest):
            if piece.endswith(b"\n"):
                piece = piece[:-1]
            data = carry + piece
            cut = len(data) - len(data) % 3
            handle.write(base64.b64encode(data[:cut]))
            carry = data[cut:]
        handle.write(base64.b64encode(carry) + b'"}\n')
        self.count += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _chain_first(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest
