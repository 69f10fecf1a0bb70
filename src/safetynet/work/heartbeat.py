"""The worker's heartbeat: each `safetynet worker` process stamps its row every few seconds.

Readiness (`/readyz`), `safetynet doctor` and the metrics read the newest stamp: a worker that
died (killed, out of memory, its machine gone) stops beating, so its absence is seen within a
minute instead of when a deadline is missed. One row per process (host and pid), deleted when the
worker stops cleanly; rows of workers that died are pruned a day after their last beat.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from dataclasses import dataclass

from django.db import close_old_connections, connection
from django.db.models import Max

from safetynet.lib.clock import Clock, system_clock
from safetynet.work.models import WorkerHeartbeat

log = logging.getLogger(__name__)

BEAT_SECONDS = 10.0
# A worker whose last beat is older than this is gone: its row is deleted at the next beat of any
# worker, so the table holds the live workers and those that died today.
FORGET_AFTER = dt.timedelta(days=1)


@dataclass(frozen=True)
class WorkerIdentity:
    host: str
    pid: int

    @property
    def name(self) -> str:
        return f"{self.host}:{self.pid}"


def this_process() -> WorkerIdentity:
    return WorkerIdentity(host=socket.gethostname()[:200], pid=os.getpid())


def beat(worker: WorkerIdentity, *, clock: Clock = system_clock) -> None:
    """Stamp `worker`'s row with the time now (creating it on the first beat) and prune the rows
    of workers silent for longer than FORGET_AFTER."""
    now = clock.now()
    WorkerHeartbeat.objects.update_or_create(
        name=worker.name,
        defaults={"last_beat_at": now},
        create_defaults={"host": worker.host, "pid": worker.pid, "started_at": now, "last_beat_at": now},
    )
    WorkerHeartbeat.objects.filter(last_beat_at__lt=now - FORGET_AFTER).delete()


def forget(worker: WorkerIdentity) -> None:
    """Delete `worker`'s row: it stopped cleanly and is no longer a worker."""
    WorkerHeartbeat.objects.filter(name=worker.name).delete()


def newest_beat() -> tuple[dt.datetime | None, int]:
    """The newest beat of any worker (None when no worker has beaten) and how many rows there are."""
    summary = WorkerHeartbeat.objects.aggregate(newest=Max("last_beat_at"))
    return summary["newest"], WorkerHeartbeat.objects.count()


def beat_periodically(
    worker: WorkerIdentity, every: float, stop: threading.Event, *, clock: Clock = system_clock
) -> int:
    """Beat now and then every `every` seconds until `stop` is set; return how many beats were
    stored. A failed beat (the database restarting) is logged and the next one runs on time."""
    stored = 0
    while not stop.is_set():
        close_old_connections()
        try:
            beat(worker, clock=clock)
        except Exception as error:  # noqa: BLE001 - the heartbeat must outlive any one failure
            log.error("work: heartbeat failed (%s); retrying in %.0f s", type(error).__name__, every)
            connection.close()
        else:
            stored += 1
        stop.wait(every)
    connection.close()
    return stored


class Heartbeat:
    """`beat_periodically` in a daemon thread for this process; `stop()` ends it and deletes the
    row (after the thread's last beat, so a beat in flight cannot bring the row back)."""

    def __init__(self, worker: WorkerIdentity, every: float = BEAT_SECONDS, *, clock: Clock = system_clock) -> None:
        self.worker = worker
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=beat_periodically, args=(worker, every, self._stop), kwargs={"clock": clock}, name="heartbeat"
        )
        self._thread.daemon = True

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        forget(self.worker)
