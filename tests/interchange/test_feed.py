"""The live feed (`interchange/feed.py`, `safetynet feed`): ticks of the live county sent through the
REST ingest with the feed's key, retried while the server is away, and live work on the screens."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from safetynet.accounts.apikeys import create_api_key
from safetynet.cli.main import main
from safetynet.identity.batch import link_all
from safetynet.interchange.feed import FeedUnavailable, HttpSender, cast_from_database, run_feed
from safetynet.interchange.importer import import_files
from safetynet.interchange.models import ImportBatch
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Event
from safetynet.risk.services import evaluate_all
from safetynet.synth.config import make_config
from safetynet.synth.generator import generate
from safetynet.synth.live import LiveCounty
from safetynet.work.models import Task
from safetynet.work.services import sync_tasks

pytestmark = pytest.mark.django_db

Record = dict[str, Any]


class SteppingClock(FixedClock):
    """A frozen clock that moves on by `step` every time it is read (one read a tick)."""

    def __init__(self, at: dt.datetime, step: dt.timedelta) -> None:
        super().__init__(at)
        self.step = step

    def now(self) -> dt.datetime:
        at = super().now()
        self.advance(seconds=self.step.total_seconds())
        return at


class ClientSender:
    """Posts as `HttpSender` does, through Django's test client; `away` calls fail first."""

    def __init__(self, raw_key: str, away: int = 0) -> None:
        self.client, self.raw_key, self.away, self.calls = Client(), raw_key, away, 0

    def __call__(self, records: Sequence[Record]) -> dict[str, Any]:
        self.calls += 1
        if self.calls <= self.away:
            raise FeedUnavailable("connection refused")
        body = b"".join(json.dumps(r).encode() + b"\n" for r in records)
        response = self.client.post(
            "/api/v1/records",
            data=body,
            content_type="application/x-ndjson",
            headers={"Authorization": f"Bearer {self.raw_key}"},
        )
        assert response.status_code == 200, response.content
        answer: dict[str, Any] = response.json()
        return answer


@pytest.fixture
def county(tmp_path: Path, clock: FixedClock) -> None:
    path = tmp_path / "county.jsonl"
    generate(make_config(children=80, years=1, seed=5), path)
    import_files([path], clock=clock, notify=False)
    cache.clear()


@pytest.fixture
def feed_key(clock: FixedClock) -> str:
    _key, raw = create_api_key(
        acting_user=None, username="demo", name="demo-feed", sources=["mispers", "csc", "rms"], clock=clock
    )
    return raw


def live_county(clock: FixedClock) -> LiveCounty:
    return LiveCounty(cast_from_database(now=clock.now()), seed=1, run="T")


def test_the_cast_is_the_countys_children_adults_and_places(county: None, clock: FixedClock) -> None:
    cast = cast_from_database(now=clock.now())
    assert len(cast.children) > 20 and len(cast.adults) > 20 and len(cast.places) > 20
    assert {c["source"] for c in cast.children} <= {"mispers", "csc", "rms", "education"}


def test_the_feed_sends_every_tick_through_the_rest_ingest_with_its_key(
    county: None, feed_key: str, clock: FixedClock
) -> None:
    sender = ClientSender(feed_key)
    ticking = SteppingClock(clock.now(), dt.timedelta(seconds=5))

    sent = run_feed(live_county(clock), sender, clock=ticking, interval=0, stop=threading.Event(), ticks=12)

    assert sender.calls == 12 and sent >= 12
    batches = ImportBatch.objects.filter(door="api", api_key__name="demo-feed")
    assert batches.count() == 12
    assert sum(b.rejected for b in batches) == 0
    assert Event.live.filter(source_id__contains="LIVE-T-").count() >= 6


def test_records_missed_while_the_server_is_away_are_sent_when_it_is_up(
    county: None, feed_key: str, clock: FixedClock
) -> None:
    sender = ClientSender(feed_key, away=3)
    ticking = SteppingClock(clock.now(), dt.timedelta(seconds=5))

    sent = run_feed(live_county(clock), sender, clock=ticking, interval=0, stop=threading.Event(), ticks=6)

    reference = LiveCounty(cast_from_database(now=clock.now()), seed=1, run="T")
    expected = [r for i in range(6) for r in reference.tick(clock.now() + dt.timedelta(seconds=5 * i))]
    assert sent == len(expected)
    assert {(e.source, e.source_id) for e in Event.live.filter(source_id__contains="LIVE-T-")} == {
        (r["source"], r["id"]) for r in expected if r["kind"] == "event"
    }


def test_a_server_that_is_not_up_is_unavailable_not_an_error() -> None:
    with pytest.raises(FeedUnavailable):
        HttpSender("http://127.0.0.1:9", "sn_000000000000_x", timeout=2)([{"kind": "person"}])


def test_after_a_minute_a_child_is_missing_and_a_referral_awaits_triage_with_open_tasks(
    county: None, feed_key: str, clock: FixedClock
) -> None:
    ticking = SteppingClock(clock.now(), dt.timedelta(seconds=5))
    run_feed(live_county(clock), ClientSender(feed_key), clock=ticking, interval=0, stop=threading.Event(), ticks=12)
    now = FixedClock(ticking.now())

    link_all(clock=now)
    evaluate_all(clock=now)
    sync_tasks(clock=now)

    live = Event.live.filter(source_id__contains="LIVE-T-")
    missing = [e for e in live.filter(event_type="missing_report") if "found_at" not in e.details]
    untriaged = [e for e in live.filter(event_type="referral") if "triage" not in e.details]
    assert missing and untriaged
    open_tasks = Task.objects.filter(state__in=Task.CURRENT)
    m2 = open_tasks.filter(finding__clause="M2", due_at__gt=now.now())
    h1 = open_tasks.filter(finding__clause="H1", due_at__gt=now.now())
    assert m2.filter(finding__individual__memberships__person__events__in=missing).exists()
    assert h1.filter(finding__individual__memberships__person__events__in=untriaged).exists()
    fresh = open_tasks.filter(due_at__gt=now.now(), finding__cites__icontains="LIVE-T-")
    owners = set(fresh.values_list("owner_role", flat=True))
    assert {"sergeant", "mash_officer", "missing_persons_coordinator", "custody_officer"} <= owners


def test_feed_refuses_to_start_without_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SAFETYNET_FEED_KEY", raising=False)
    assert main(["feed", "--url", "http://127.0.0.1:8000"]) == 2
