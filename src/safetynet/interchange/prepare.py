"""Parse, validate and map a chunk of lines: the CPU-bound half of an import, Django-free.

`prepare_chunk` runs in the importing process for small files (`Lookahead`, which parses the
next chunk while the database stores this one) and in a pool of worker processes for large
ones (`ChunkPipeline`), so parsing the next chunks overlaps with writing this one. Results
come back in file order; at most `depth` chunks (one, in `Lookahead`) are in flight, so memory
stays flat whatever the file size.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from safetynet.interchange.mapping import Prepared, prepare
from safetynet.interchange.parsing import LineRejected, RawLine, parse_line


@dataclass
class Rejection:
    """A line that failed parsing or validation (picklable, unlike the exception)."""

    number: int
    data: bytes
    reason: str
    field: str
    kind: str


def prepare_chunk(lines: list[RawLine], today: dt.date) -> list[Prepared | Rejection]:
    """Each line prepared for writing, or its rejection, in line order."""
    out: list[Prepared | Rejection] = []
    for raw in lines:
        try:
            out.append(prepare(parse_line(raw.data, raw.number, today=today)))
        except LineRejected as exc:
            out.append(Rejection(raw.number, raw.data, exc.reason, exc.field, exc.kind))
    return out


def _freeze_imports() -> None:
    """In a new worker: keep what its imports allocated out of the garbage collector's walks."""
    gc.freeze()


class ChunkPipeline:
    """Prepare chunks in `workers` processes, yielding (chunk, results) in order.

    Worker processes are started fresh (`spawn`): they import only this module's Django-free
    dependencies and never share the importer's database connection.
    """

    def __init__(self, workers: int, today: dt.date, depth: int | None = None) -> None:
        self.today = today
        self.depth = depth or workers * 2
        self._pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_freeze_imports
        )

    def run(self, chunks: Iterable[list[RawLine]]) -> Iterator[tuple[list[RawLine], list[Prepared | Rejection]]]:
        pending: deque[tuple[list[RawLine], Future[list[Prepared | Rejection]]]] = deque()
        for chunk in chunks:
            pending.append((chunk, self._pool.submit(prepare_chunk, chunk, self.today)))
            if len(pending) >= self.depth:
                lines, future = pending.popleft()
                yield lines, future.result()
        while pending:
            lines, future = pending.popleft()
            yield lines, future.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class Lookahead:
    """Chunks with their prepared lines, the next chunk parsed while the database works.

    Parsing a line costs the importer about as much CPU as storing it costs PostgreSQL, and
    the two ran one after the other. `work(n)` parses up to `n` lines of the next chunk; the
    writer calls it after sending a COPY's rows and before waiting for PostgreSQL to finish
    storing them, so on two cores the database stores one chunk while this process parses
    the next. Iterating yields (lines, prepared) in file order, finishing whatever `work`
    left; at most one chunk is held ahead, so memory stays flat.
    """

    _REST = 1 << 30  # a budget larger than any chunk

    def __init__(self, chunks: Iterator[list[RawLine]], today: dt.date) -> None:
        self._chunks = chunks
        self._today = today
        self._lines: list[RawLine] | None = None
        self._prepared: list[Prepared | Rejection] = []
        self._exhausted = False

    def work(self, budget: int) -> None:
        if self._lines is None:
            if self._exhausted:
                return
            self._lines = next(self._chunks, None)
            if self._lines is None:
                self._exhausted = True
                return
        done = len(self._prepared)
        if done < len(self._lines):
            self._prepared.extend(prepare_chunk(self._lines[done : done + max(budget, 0)], self._today))

    def __iter__(self) -> Iterator[tuple[list[RawLine], list[Prepared | Rejection]]]:
        while True:
            self.work(self._REST)
            if self._lines is None:
                return
            lines, prepared = self._lines, self._prepared
            self._lines, self._prepared = None, []
            yield lines, prepared
