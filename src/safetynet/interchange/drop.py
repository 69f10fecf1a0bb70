"""The drop folder: `safetynet ingest --watch DIR`, for source systems that can only export files.

A system writes its export under a temporary name and renames it into place when it is
complete; the watcher picks up complete files only (`*.jsonl`, never a dotfile, `*.tmp`,
`*.part` or a rejects file), oldest name first, and imports each as its own batch through the
capture service's file door (`capture.capture_file`, door `drop`: the CLI import's streamed
path with the capture scope checks, so no file may write the reserved source `safetynet`): the
same validation, versions, access log, linkage, risk and task sync, and the rejects file beside it. It then moves the
rejects file and the file into `DIR/done/`.

Each file is remembered by its SHA-256 in its batch's provenance (`ImportBatch.files`). A file
whose digest a completed drop batch already holds is moved to `done/` without being read
again, so a crash between the import's last commit and the move loses nothing and doubles
nothing; a crash during the import leaves its batch unfinished, and the next pass imports the
file again, which finds the committed lines unchanged and stores the rest.

Logs carry file names, batch ids and counts, never a line's content.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from safetynet.interchange.capture import capture_file
from safetynet.interchange.models import ImportBatch
from safetynet.interchange.rejects import rejects_path_for
from safetynet.lib.clock import Clock

log = logging.getLogger(__name__)

DONE = "done"
REJECTS_SUFFIX = ".rejects.jsonl"
DROP_USER = "drop folder"


@dataclass
class DroppedFile:
    """What became of one file: its batch (None when an earlier batch had imported it already),
    where it now lies, and its counts (accepted, updated, unchanged, rejected)."""

    name: str
    sha256: str
    batch_id: int | None
    moved_to: Path
    counts: dict[str, int]

    @property
    def already_imported(self) -> bool:
        return self.batch_id is None


def complete_files(directory: Path) -> list[Path]:
    """The files of `directory` ready to import, by name: `*.jsonl`, not hidden, not a rejects file.
    (`x.jsonl.tmp` and `x.jsonl.part` do not end in `.jsonl`, so a file still being written is left alone.)"""
    found = []
    for path in directory.iterdir():
        name = path.name
        if name.startswith(".") or not name.endswith(".jsonl") or name.endswith(REJECTS_SUFFIX):
            continue
        if path.is_file():
            found.append(path)
    return sorted(found, key=lambda p: p.name)


def ingest_once(directory: Path, *, clock: Clock, notify: bool = True) -> list[DroppedFile]:
    """One pass over `directory`: import every complete file and move it to `done/`."""
    done = directory / DONE
    done.mkdir(exist_ok=True)
    return [ingest_file(path, done, clock=clock, notify=notify) for path in complete_files(directory)]


def ingest_file(path: Path, done: Path, *, clock: Clock, notify: bool = True) -> DroppedFile:
    """Import one complete file (unless a completed drop batch holds its digest), then move it
    and its rejects into `done`."""
    digest = file_sha256(path)
    batch_id: int | None = None
    counts: dict[str, int]
    earlier = imported_batch(digest)
    if earlier is None:
        result = capture_file(
            path,
            door=ImportBatch.Door.DROP,
            clock=clock,
            started_by=DROP_USER,
            label=f"drop {path.name}",
            notify=notify,
        )
        batch_id = result.batch_id
        counts = {o: result.total(o) for o in ("accepted", "updated", "unchanged", "rejected")}
    else:
        counts = {"rejected": earlier.rejected}
    target = _done_name(path, done, digest)
    rejects = rejects_path_for(path)
    if rejects.exists():
        os.replace(rejects, target.with_name(target.name + REJECTS_SUFFIX))
    os.replace(path, target)
    if batch_id is None:
        log.info(
            "drop folder: %s was imported already (batch %s); moved to %s",
            path.name,
            earlier.pk if earlier else "?",
            target.relative_to(done.parent),
        )
    else:
        log.info(
            "drop folder: %s imported as batch %s: %s; moved to %s",
            path.name,
            batch_id,
            ", ".join(f"{n:,} {o}" for o, n in counts.items()),
            target.relative_to(done.parent),
        )
    return DroppedFile(path.name, digest, batch_id, target, counts)


def imported_batch(digest: str) -> ImportBatch | None:
    """The completed drop batch that imported a file with this SHA-256, if any."""
    candidates = ImportBatch.objects.filter(
        door=ImportBatch.Door.DROP, status__startswith="completed", files__icontains=digest
    ).order_by("pk")
    for batch in candidates:
        # The text match narrows; the digest must be a file's own (JSON containment is not on every SQLite).
        if any(isinstance(f, dict) and f.get("sha256") == digest for f in batch.files or []):
            return batch
    return None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _done_name(path: Path, done: Path, digest: str) -> Path:
    """`done/NAME`, or `done/STEM.DIGEST12.jsonl` when an earlier file of that name is there
    (the same name every time for the same content, so a restart moves where the first pass did)."""
    target = done / path.name
    if target.exists():
        target = done / f"{path.name.removesuffix('.jsonl')}.{digest[:12]}.jsonl"
    return target


def watch(directory: Path, *, clock: Clock, interval: float, stop: threading.Event, notify: bool = True) -> None:
    """Pass over `directory` every `interval` seconds until `stop` is set."""
    log.info("drop folder: watching %s every %gs", directory, interval)
    while not stop.is_set():
        ingest_once(directory, clock=clock, notify=notify)
        stop.wait(interval)
