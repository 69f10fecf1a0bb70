"""The worker's heartbeat: one row per worker process, stamped while it runs, gone when it stops."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from safetynet.cli.main import main
from safetynet.lib.clock import FixedClock
from safetynet.work.heartbeat import Heartbeat, WorkerIdentity, beat, newest_beat
from safetynet.work.models import WorkerHeartbeat


@pytest.mark.django_db
def test_a_beat_stamps_one_row_per_worker_and_keeps_when_it_started(clock: FixedClock) -> None:
    worker = WorkerIdentity("host-a", 11)
    beat(worker, clock=clock)
    clock.advance(seconds=10)
    beat(worker, clock=clock)
    beat(WorkerIdentity("host-b", 12), clock=clock)
    row = WorkerHeartbeat.objects.get(name="host-a:11")
    assert (row.host, row.pid) == ("host-a", 11)
    assert row.last_beat_at - row.started_at == dt.timedelta(seconds=10)
    assert newest_beat() == (clock.now(), 2)


@pytest.mark.django_db
def test_a_worker_silent_for_a_day_is_forgotten_at_the_next_beat(clock: FixedClock) -> None:
    beat(WorkerIdentity("gone", 1), clock=clock)
    clock.advance(days=1, seconds=1)
    beat(WorkerIdentity("alive", 2), clock=clock)
    assert list(WorkerHeartbeat.objects.values_list("name", flat=True)) == ["alive:2"]


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_beats_and_its_row_goes_when_it_stops() -> None:
    heartbeat = Heartbeat(WorkerIdentity("thread", 3), every=0.05).start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not WorkerHeartbeat.objects.filter(name="thread:3").exists():
            time.sleep(0.02)
        assert WorkerHeartbeat.objects.filter(name="thread:3").exists()
    finally:
        heartbeat.stop()
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db(transaction=True)  # the heartbeat thread's own connection commits its beats
def test_the_worker_command_beats_while_the_queue_runs_and_forgets_itself_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[int] = []
    monkeypatch.setattr(
        "django.core.management.call_command", lambda name, **options: seen.append(WorkerHeartbeat.objects.count())
    )
    assert main(["worker", "--sweep-every", "0"]) == 0
    assert seen == [1]
    assert not WorkerHeartbeat.objects.exists()


def test_the_worker_refuses_in_one_line_a_database_its_release_has_not_migrated(
    db: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("safetynet.lib.health.pending_migrations", lambda alias="default": ["work.0099_future"])
    monkeypatch.setattr("django.core.management.call_command", lambda name, **options: None)
    assert main(["worker"]) == 2
    assert "pending migrations; run 'safetynet migrate' first" in capsys.readouterr().err
    assert not WorkerHeartbeat.objects.exists()
