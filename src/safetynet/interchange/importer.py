"""`import_files`: stream interchange JSONL into `records`, chunk by chunk, never losing a line.

Per chunk (at most `chunk_lines` lines or `chunk_bytes` bytes), in one transaction: parse and
validate every line (`prepare`; rejects go to `PATH.rejects.jsonl` (`rejects`) and
`ImportReject`), upsert the records (`upsert`, which keeps every version (`history`)), count,
save the batch's progress, write the chunk's access-log entries (`access_log`); after commit,
send `records_changed` (kind -> primary keys). The batch's final status and its access-log
summary are one more transaction.

A crash loses at most the chunk in flight, which was never committed; running the same
files again finds the committed lines unchanged and finishes the rest.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import socket
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import transaction

from safetynet.interchange.access_log import log_batch, log_chunk, log_withdrawals
from safetynet.interchange.mapping import Prepared
from safetynet.interchange.models import ImportBatch, ImportReject
from safetynet.interchange.parsing import MAX_LINE_BYTES, LineRejected, RawLine, read_lines
from safetynet.interchange.prepare import ChunkPipeline, Lookahead, Rejection
from safetynet.interchange.rejects import RejectWriter
from safetynet.interchange.upsert import Upserted, upsert
from safetynet.lib.clock import Clock, SystemClock
from safetynet.records.signals import records_changed

CHUNK_LINES = 2000
CHUNK_BYTES = 16 * 1024 * 1024
OUTCOMES = ("accepted", "updated", "unchanged", "rejected")


@dataclass
class FileResult:
    path: str
    sha256: str = ""
    bytes: int = 0
    lines: int = 0
    rejected: int = 0
    rejects_path: str = ""


@dataclass
class ImportResult:
    batch_id: int
    counts: dict[str, dict[str, int]]
    files: list[FileResult]
    seconds: float
    records: int = 0

    @property
    def rejected(self) -> int:
        return sum(c.get("rejected", 0) for c in self.counts.values())

    def total(self, outcome: str) -> int:
        return sum(c.get(outcome, 0) for c in self.counts.values())


@dataclass
class _Chunk:
    lines: list[RawLine] = field(default_factory=list)
    size: int = 0


class Importer:
    """One import batch over one or more files (see the module docstring)."""

    def __init__(
        self,
        *,
        batch: ImportBatch,
        clock: Clock,
        chunk_lines: int = CHUNK_LINES,
        chunk_bytes: int = CHUNK_BYTES,
        max_line_bytes: int = MAX_LINE_BYTES,
        on_progress: Callable[[int], None] | None = None,
        notify: bool = True,
        workers: int | None = None,
    ) -> None:
        self.batch = batch
        self.workers = workers
        self.notify = notify
        self.clock = clock
        self.today = clock.now().date()
        self.chunk_lines = chunk_lines
        self.chunk_bytes = chunk_bytes
        self.max_line_bytes = max_line_bytes
        self.on_progress = on_progress
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.records = 0
        self.chunks = 0  # chunks stored, each in its own transaction
        # Called with a number of rows while PostgreSQL stores rows just sent (see prepare.Lookahead).
        self._idle: Callable[[int], None] | None = None

    # ------------------------------------------------------------------ files

    def import_file(self, path: Path) -> FileResult:
        result = FileResult(path=str(path), rejects_path="")
        digest = hashlib.sha256()
        rejects = RejectWriter(path)
        self._rejects = rejects
        self._file = path
        self._pending_rejects: list[ImportReject] = []

        def seen(data: bytes) -> None:
            digest.update(data)
            result.bytes += len(data)
            if self.on_progress is not None:
                self.on_progress(len(data))

        def oversize(number: int, first: bytes, rest: Iterator[bytes]) -> None:
            reason = f"the line is longer than {self.max_line_bytes:,} bytes, the most one record may take"
            rejects.write_stream(number, first, rest, reason)
            self._note_reject(number, "", "", reason)

        last_line = 0

        def chunks(handle: IO[bytes]) -> Iterator[list[RawLine]]:
            nonlocal last_line
            chunk = _Chunk()
            for raw in read_lines(handle, max_bytes=self.max_line_bytes, on_oversize=oversize, on_bytes=seen):
                last_line = raw.number
                chunk.lines.append(raw)
                chunk.size += len(raw.data)
                if len(chunk.lines) >= self.chunk_lines or chunk.size >= self.chunk_bytes:
                    yield chunk.lines
                    chunk = _Chunk()
            if chunk.lines:
                yield chunk.lines

        workers = self.workers if self.workers is not None else _default_workers(path)
        try:
            with path.open("rb") as handle:
                if workers > 1:
                    pipeline = ChunkPipeline(workers, self.today)
                    try:
                        for lines, prepared in pipeline.run(chunks(handle)):
                            self._store_chunk(len(lines), prepared)
                    finally:
                        pipeline.close()
                else:
                    ahead = Lookahead(chunks(handle), self.today)
                    self._idle = ahead.work
                    try:
                        for lines, prepared in ahead:
                            self._store_chunk(len(lines), prepared)
                    finally:
                        self._idle = None
                if self._pending_rejects:
                    self._store_chunk(0, [])
            if result.bytes == 0:
                reason = "the file is empty: it holds no records"
                rejects.write(0, b"", "", "", reason)
                self._note_reject(0, "", "", reason)
                self._store_chunk(0, [])
        finally:
            rejects.close()
        result.sha256 = digest.hexdigest()
        result.lines = last_line
        result.rejected = rejects.count
        result.rejects_path = str(rejects.path) if rejects.count else ""
        return result

    def _note_reject(self, number: int, kind: str, field: str, reason: str) -> None:
        self.counts[kind or "unknown"]["rejected"] += 1
        self._pending_rejects.append(
            ImportReject(
                batch=self.batch, file=str(self._file)[-500:], line=number, kind=kind, field=field[:200], reason=reason
            )
        )

    def _reject(self, number: int, data: bytes, exc: LineRejected) -> None:
        self._rejects.write(number, data, exc.kind, exc.field, exc.reason)
        self._note_reject(number, exc.kind, exc.field, exc.reason)

    # ------------------------------------------------------------------ a chunk

    def _store_chunk(self, line_count: int, results: list[Prepared | Rejection]) -> None:
        """Write one prepared chunk (and the rejects noted so far) in one transaction, with its
        access-log entries."""
        parsed: list[Prepared] = []
        for item in results:
            if isinstance(item, Rejection):
                self._reject(item.number, item.data, LineRejected(item.reason, field=item.field, kind=item.kind))
            else:
                parsed.append(item)
        records_before, rejected_before = self.records, self.batch.rejected
        with transaction.atomic():
            written = upsert(parsed, now=self.clock.now(), reject=self._reject_prepared, idle=self._idle)
            self._count(written)
            changes = written.changes
            if any(item.deleted for item in parsed):
                log_withdrawals(changes, batch=self.batch, clock=self.clock)
            if self._pending_rejects:
                ImportReject.objects.bulk_create(self._pending_rejects, batch_size=500)
                self._pending_rejects = []
            self.batch.counts = {k: dict(c) for k, c in sorted(self.counts.items())}
            self.batch.lines_read += line_count
            self.batch.rejected = sum(c["rejected"] for c in self.counts.values())
            self.batch.save(update_fields=["counts", "lines_read", "rejected"])
            self.chunks += 1
            log_chunk(
                batch=self.batch,
                chunk=self.chunks,
                lines=line_count,
                records=self.records - records_before,
                rejected=self.batch.rejected - rejected_before,
                clock=self.clock,
            )
            if self.notify and any(changes.values()):
                batch_id = self.batch.pk
                transaction.on_commit(
                    lambda: records_changed.send(sender=ImportBatch, changes=changes, batch_id=batch_id)
                )

    def _reject_prepared(self, item: Prepared, field: str, reason: str) -> None:
        self._reject(item.number, item.text.encode("utf-8"), LineRejected(reason, field=field, kind=item.kind))

    def _count(self, written: Upserted) -> None:
        for target, result in written.outcome.items():
            self.counts[target[0]][result] += 1
            if result != "unchanged":
                self.records += 1
        # A record seen more than once in the chunk: each extra line is an update when it
        # was newer than the version before it, otherwise unchanged.
        for loser, winner in written.superseded:
            extra_won = winner.number > loser.number
            self.counts[loser.kind]["updated" if extra_won else "unchanged"] += 1


def import_files(
    paths: Sequence[Path],
    *,
    acting_user: str | None = None,
    batch_name: str = "",
    clock: Clock | None = None,
    chunk_lines: int = CHUNK_LINES,
    max_line_bytes: int = MAX_LINE_BYTES,
    on_progress: Callable[[int], None] | None = None,
    notify: bool = True,
    workers: int | None = None,
) -> ImportResult:
    """Import the files in order as one batch. Returns counts by kind and the batch id.

    `acting_user` is recorded on the batch (default: the operating-system user). With
    `notify=False` no `records_changed` is sent (for a caller that re-links everything
    straight after, like the demo). `workers` processes parse and validate ahead of the
    writer (default: one per CPU, up to 4, for files over 32 MB; 1 parses in this process).
    """
    clock = clock or SystemClock()
    started = time.perf_counter()
    _mark_interrupted()
    batch = ImportBatch.objects.create(
        name=batch_name[:200],
        started_by=(acting_user or _os_user())[:150],
        started_at=clock.now(),
        host=socket.gethostname()[:200],
        pid=os.getpid(),
    )
    importer = Importer(
        batch=batch,
        clock=clock,
        chunk_lines=chunk_lines,
        max_line_bytes=max_line_bytes,
        on_progress=on_progress,
        notify=notify,
        workers=workers,
    )
    files: list[FileResult] = []
    try:
        for path in paths:
            files.append(importer.import_file(Path(path)))
            batch.files = [f.__dict__ for f in files]
            batch.save(update_fields=["files"])
        # The batch's final transaction: its status and its access-log summary, both or neither.
        # A batch that fails has no summary: each chunk it committed has its own entry.
        with transaction.atomic():
            batch.status = ImportBatch.Status.COMPLETED_WITH_REJECTS if batch.rejected else ImportBatch.Status.COMPLETED
            batch.finished_at = clock.now()
            batch.save(update_fields=["status", "finished_at"])
            log_batch(batch=batch, records=importer.records, clock=clock)
    except BaseException:
        batch.status = ImportBatch.Status.FAILED
        batch.finished_at = clock.now()
        batch.save(update_fields=["status", "finished_at"])
        raise
    counts = {k: {o: c[o] for o in OUTCOMES} for k, c in sorted(importer.counts.items())}
    return ImportResult(batch.pk, counts, files, time.perf_counter() - started, importer.records)


PARALLEL_FROM_BYTES = 32 * 1024 * 1024


def _default_workers(path: Path) -> int:
    """Worker processes for parsing `path`: none for small files, where starting them costs more,
    and one core left to the writer (and the database, when it runs on the same machine): on
    2 cores the pool measured no faster than parsing in the importer (docs/interchange.md)."""
    try:
        size = path.stat().st_size
    except OSError:
        return 1
    spare = (os.cpu_count() or 1) - 1
    return min(spare, 4) if size >= PARALLEL_FROM_BYTES and spare >= 2 else 1


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return f"uid {os.getuid()}"


def _mark_interrupted() -> None:
    """Batches left `running` by a process on this host that no longer exists were killed."""
    host = socket.gethostname()[:200]
    for batch in ImportBatch.objects.filter(status=ImportBatch.Status.RUNNING, host=host):
        if batch.pid is None or not _alive(batch.pid):
            batch.status = ImportBatch.Status.INTERRUPTED
            batch.save(update_fields=["status"])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
