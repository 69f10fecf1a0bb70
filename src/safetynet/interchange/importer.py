"""`import_files`: stream interchange JSONL into `records`, chunk by chunk, never losing a line.

Per chunk (at most `chunk_lines` lines or `chunk_bytes` bytes), in one transaction: parse and
validate every line (`prepare`; rejects go to `PATH.rejects.jsonl` (`rejects`) and
`ImportReject`), upsert the records (`upsert`, which keeps every version (`history`)), count,
save the batch's progress, write the chunk's access-log entries (`access_log`); after commit,
send `records_changed` (kind -> primary keys). The batch's final status and its access-log
summary are one more transaction.

A crash loses at most the chunk in flight, which was never committed; running the same
files again finds the committed lines unchanged and finishes the rest.

`Importer.import_file` reads a file (the CLI import); `Importer.store_lines` takes lines already
in memory (the capture service's doors: API, drop folder, web); both store chunks by the same
`_store_chunk`. With `answers`, every line's outcome is also kept as a `LineAnswer`.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import socket
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import Error as DatabaseLibraryError
from django.db import transaction

from safetynet.interchange.access_log import log_batch, log_chunk, log_withdrawals
from safetynet.interchange.conflicts import CONFLICT_IN_CALL_REASON, CONFLICT_REASON
from safetynet.interchange.mapping import Prepared
from safetynet.interchange.models import ImportBatch, ImportReject
from safetynet.interchange.parsing import MAX_LINE_BYTES, LineRejected, RawLine, read_lines
from safetynet.interchange.prepare import ChunkPipeline, Lookahead, Rejection
from safetynet.interchange.rejects import RejectWriter
from safetynet.interchange.sql import one_writer_at_a_time
from safetynet.interchange.upsert import Upserted, upsert
from safetynet.lib.clock import Clock, SystemClock
from safetynet.lib.dberrors import DatabaseWriteFailed, describe_database_error
from safetynet.records.keys import Target
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
class LineAnswer:
    """What became of one line: `outcome` is accepted, updated, unchanged or rejected; a rejected
    line names the `field` and `reason`, and so does a stored line with a warning (a date of
    birth kept as sent). `status` is the line's HTTP-like status: 200 stored (or
    already stored), 422 invalid, 409 a conflicting version, 403 outside the sender's scope."""

    line: int
    outcome: str
    status: int = 200
    kind: str = ""
    source: str = ""
    id: str = ""
    field: str = ""
    reason: str = ""

    @property
    def warned(self) -> bool:
        """Stored, with a warning (a value kept as sent, not read)."""
        return self.outcome != "rejected" and bool(self.field)

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"line": self.line, "outcome": self.outcome, "status": self.status}
        for name in ("kind", "source", "id", "field", "reason"):
            if value := getattr(self, name):
                out[name] = value
        return out


# Refuses a prepared line before it is stored: None to admit it, else (status, field, reason).
Admit = Callable[[Prepared], tuple[int, str, str] | None]


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
        answers: list[LineAnswer] | None = None,
        admit: Admit | None = None,
        live: bool = False,
    ) -> None:
        self.batch = batch
        self.live = live
        self.answers = answers
        self.admit = admit
        self._rejects: RejectWriter | None = None
        self._file: str = ""
        self._pending_rejects: list[ImportReject] = []
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
        # (file, line): every line up to this one is stored or rejected (the last chunk committed)
        self.stored_through: tuple[str, int] | None = None
        # Called with a number of rows while PostgreSQL stores rows just sent (see prepare.Lookahead).
        self._idle: Callable[[int], None] | None = None

    # ------------------------------------------------------------------ files

    def import_file(self, path: Path) -> FileResult:
        result = FileResult(path=str(path), rejects_path="")
        digest = hashlib.sha256()
        rejects = RejectWriter(path)
        self._rejects = rejects
        self._file = str(path)
        self._pending_rejects = []

        def seen(data: bytes) -> None:
            digest.update(data)
            result.bytes += len(data)
            if self.on_progress is not None:
                self.on_progress(len(data))

        def oversize(number: int, first: bytes, rest: Iterator[bytes]) -> None:
            reason = f"the line is longer than {self.max_line_bytes:,} bytes, the most one record may take"
            rejects.write_stream(number, first, rest, reason)
            self.note_reject(number, "", "", reason)

        last_line = 0

        def chunks(handle: IO[bytes]) -> Iterator[RawLine]:
            nonlocal last_line
            for raw in read_lines(handle, max_bytes=self.max_line_bytes, on_oversize=oversize, on_bytes=seen):
                last_line = raw.number
                yield raw

        workers = self.workers if self.workers is not None else _default_workers(path)
        try:
            with path.open("rb") as handle:
                if workers > 1:
                    pipeline = ChunkPipeline(workers, self.today)
                    try:
                        for lines, prepared in pipeline.run(self._chunked(chunks(handle))):
                            self._store_chunk(len(lines), prepared)
                    finally:
                        pipeline.close()
                else:
                    self._store_ahead(chunks(handle))
            if result.bytes == 0:
                reason = "the file is empty: it holds no records"
                rejects.write(0, b"", "", "", reason)
                self.note_reject(0, "", "", reason)
                self._store_chunk(0, [])
        finally:
            rejects.close()
        result.sha256 = digest.hexdigest()
        result.lines = last_line
        result.rejected = rejects.count
        result.rejects_path = str(rejects.path) if rejects.count else ""
        return result

    def outcome_counts(self) -> dict[str, dict[str, int]]:
        """kind -> {accepted, updated, unchanged, rejected}, and `warned` (lines stored with a
        warning, counted among the others) where there were any."""
        return {
            k: {o: c[o] for o in OUTCOMES} | ({"warned": c["warned"]} if c["warned"] else {})
            for k, c in sorted(self.counts.items())
        }

    def store_lines(self, lines: Iterable[RawLine], *, label: str) -> None:
        """Store lines already in memory (the capture service), chunk by chunk; rejects are
        answered (`answers`) and kept as `ImportReject` rows under `label`, with no file."""
        self._rejects = None
        self._file = label
        self._pending_rejects = []
        self._store_ahead(iter(lines))

    def _store_ahead(self, lines: Iterator[RawLine]) -> None:
        """Chunks parsed one ahead in this process (`Lookahead`), each stored in its transaction."""
        ahead = Lookahead(self._chunked(lines), self.today)
        self._idle = ahead.work
        try:
            for chunk, prepared in ahead:
                self._store_chunk(len(chunk), prepared)
        finally:
            self._idle = None
        if self._pending_rejects:
            self._store_chunk(0, [])

    def _chunked(self, lines: Iterator[RawLine]) -> Iterator[list[RawLine]]:
        chunk = _Chunk()
        for raw in lines:
            chunk.lines.append(raw)
            chunk.size += len(raw.data)
            if len(chunk.lines) >= self.chunk_lines or chunk.size >= self.chunk_bytes:
                yield chunk.lines
                chunk = _Chunk()
        if chunk.lines:
            yield chunk.lines

    def note_reject(
        self, number: int, kind: str, field: str, reason: str, *, status: int = 422, key: tuple[str, str] = ("", "")
    ) -> None:
        """Counts a rejected line, keeps its `ImportReject` row (stored with the next chunk) and answers it."""
        self.counts[kind or "unknown"]["rejected"] += 1
        self._pending_rejects.append(
            ImportReject(
                batch=self.batch, file=self._file[-500:], line=number, kind=kind, field=field[:200], reason=reason
            )
        )
        if self.answers is not None:
            self.answers.append(LineAnswer(number, "rejected", status, kind, *key, field=field, reason=reason))

    def _reject(
        self, number: int, data: bytes, exc: LineRejected, *, status: int = 422, key: tuple[str, str] = ("", "")
    ) -> None:
        if self._rejects is not None:
            self._rejects.write(number, data, exc.kind, exc.field, exc.reason)
        self.note_reject(number, exc.kind, exc.field, exc.reason, status=status, key=key)

    # ------------------------------------------------------------------ a chunk

    def _store_chunk(self, line_count: int, results: list[Prepared | Rejection]) -> None:
        """Write one prepared chunk (and the rejects noted so far) in one transaction, with its
        access-log entries."""
        parsed: list[Prepared] = []
        for item in results:
            if isinstance(item, Rejection):
                self._reject(item.number, item.data, LineRejected(item.reason, field=item.field, kind=item.kind))
            elif self.admit is not None and (refusal := self.admit(item)) is not None:
                status, field, reason = refusal
                self._reject_prepared(item, field, reason, status=status)
            else:
                parsed.append(item)
        for item in parsed:
            if item.warning is not None:
                self.counts[item.kind]["warned"] += 1
        records_before, rejected_before = self.records, self.batch.rejected
        last_line = max((item.number for item in results), default=0)
        with transaction.atomic():
            one_writer_at_a_time()
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
                batch_id, live = self.batch.pk, self.live
                transaction.on_commit(
                    lambda: records_changed.send(sender=ImportBatch, changes=changes, batch_id=batch_id, live=live)
                )
        if last_line:
            self.stored_through = (self._file, last_line)

    def _reject_prepared(self, item: Prepared, field: str, reason: str, *, status: int | None = None) -> None:
        if status is None:
            status = 409 if reason in (CONFLICT_REASON, CONFLICT_IN_CALL_REASON) else 422
        data = item.text.encode("utf-8")
        self._reject(item.number, data, LineRejected(reason, field=field, kind=item.kind), status=status, key=item.key)

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
        if self.answers is not None:
            self._answer(written)

    def _answer(self, written: Upserted) -> None:
        """Each stored line's answer, in line order per record: the first line of a new record is
        accepted; a line newer than every version before it (stored or sent) is an update; any
        other is unchanged (an older version joins the history, the record stays)."""
        assert self.answers is not None
        lines: dict[Target, list[Prepared]] = defaultdict(list)
        for loser, winner in written.superseded:
            lines[(winner.kind, winner.key)].append(loser)
        for target in written.outcome:
            winner = written.winners[target]
            newest = written.stored_at.get(target)
            for item in sorted([winner, *lines.get(target, [])], key=lambda i: i.number):
                if newest is None:
                    outcome = "accepted"  # a new record, or the stub of a forward reference filled
                else:
                    outcome = "updated" if item.recorded_at > newest else "unchanged"
                newest = item.recorded_at if newest is None else max(newest, item.recorded_at)
                field, reason = item.warning or ("", "")
                self.answers.append(LineAnswer(item.number, outcome, 200, item.kind, *item.key, field, reason))


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
    door: str = ImportBatch.Door.CLI,
    admit: Admit | None = None,
) -> ImportResult:
    """Import the files in order as one batch. Returns counts by kind and the batch id.

    `acting_user` is recorded on the batch (default: the operating-system user). With
    `notify=False` no `records_changed` is sent (for a caller that re-links everything
    straight after, like the demo). `workers` processes parse and validate ahead of the
    writer (default: one per CPU, up to 4, for files over 32 MB; 1 parses in this process).
    `door` names the way in on the batch (the drop folder imports its files by this path too);
    `admit` is the capture service's scope check for its file door (`capture.capture_file`).
    """
    clock = clock or SystemClock()
    started = time.perf_counter()
    _mark_interrupted()
    batch = start_batch(name=batch_name, started_by=acting_user or _os_user(), door=door, clock=clock)
    importer = Importer(
        batch=batch,
        clock=clock,
        chunk_lines=chunk_lines,
        max_line_bytes=max_line_bytes,
        on_progress=on_progress,
        notify=notify,
        workers=workers,
        admit=admit,
    )
    files: list[FileResult] = []
    with finishing(importer):
        for path in paths:
            files.append(importer.import_file(Path(path)))
            batch.files = [f.__dict__ for f in files]
            batch.save(update_fields=["files"])
    return ImportResult(batch.pk, importer.outcome_counts(), files, time.perf_counter() - started, importer.records)


def start_batch(*, name: str, started_by: str, door: str, clock: Clock, **provenance: object) -> ImportBatch:
    """A new running batch: who (`started_by`, and `provenance`: the user or API key) through which door."""
    return ImportBatch.objects.create(
        name=name[:200],
        started_by=started_by[:150],
        door=door,
        started_at=clock.now(),
        host=socket.gethostname()[:200],
        pid=os.getpid(),
        **provenance,
    )


class BatchFailed(DatabaseWriteFailed):
    """The database refused part of a batch (disk full, connection lost, ...). The message names
    the failure (never data), the last line stored, the batch's state and what to do."""

    def __init__(
        self, *, batch_id: int, cause: str, stored_through: tuple[str, int] | None, marked_failed: bool
    ) -> None:
        self.batch_id = batch_id
        self.cause = cause
        self.stored_through = stored_through
        self.marked_failed = marked_failed
        if stored_through is None:
            stored = "nothing from this batch was stored"
        else:
            stored = f"lines up to {stored_through[1]:,} of {stored_through[0]} were stored; nothing after that"
        state = (
            f"batch {batch_id} is marked failed"
            if marked_failed
            else f"batch {batch_id} could not be marked failed either (the next import marks it interrupted)"
        )
        super().__init__(
            f"the database could not write: {cause}; {stored}; {state}. "
            "Fix the cause (free disk space, restart the database) and run the same import again: "
            "lines already stored are found unchanged and the rest are stored."
        )


@contextmanager
def finishing(importer: Importer) -> Iterator[None]:
    """Run the body's work on `importer`'s batch, then mark the batch completed (or failed).

    The batch's final transaction holds its status and its access-log summary, both or neither.
    A batch that fails has no summary: each chunk it committed has its own entry. A failure of
    the database itself is raised as `BatchFailed`, whose message an operator can act on."""
    batch, clock = importer.batch, importer.clock
    try:
        yield
        with transaction.atomic():
            batch.status = ImportBatch.Status.COMPLETED_WITH_REJECTS if batch.rejected else ImportBatch.Status.COMPLETED
            batch.finished_at = clock.now()
            batch.save(update_fields=["status", "finished_at"])
            log_batch(batch=batch, records=importer.records, clock=clock)
    except DatabaseLibraryError as exc:
        marked = _mark_failed(batch, clock)
        raise BatchFailed(
            batch_id=batch.pk,
            cause=describe_database_error(exc),
            stored_through=importer.stored_through,
            marked_failed=marked,
        ) from exc
    except BaseException:
        _mark_failed(batch, clock)
        raise


def _mark_failed(batch: ImportBatch, clock: Clock) -> bool:
    """Mark the batch failed; False when the database refuses that too (it stays `running`
    until the next import on this host finds its process gone and marks it interrupted)."""
    batch.status = ImportBatch.Status.FAILED
    batch.finished_at = clock.now()
    try:
        with transaction.atomic():
            batch.save(update_fields=["status", "finished_at"])
    except DatabaseLibraryError:
        return False
    return True


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
