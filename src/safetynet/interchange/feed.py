"""The live feed: the synthetic county's new records, sent a tick at a time (`safetynet feed`, the demo).

`cast_from_database()` reads the people and places the live county may reference (by their
interchange references); `run_feed` ticks a `synth.live.LiveCounty` every `interval` seconds and
hands each tick's records to a sender: `HttpSender` posts them to `POST /api/v1/records` with
the feed's own API key, the way a source system sends (the demo's feed); a test can pass any
callable. A server that is not up yet (or restarting) is retried at the next tick with the
records it missed, so nothing is lost: a record sent twice is answered `unchanged`.

Logs carry counts, ids and reasons, never a record's content.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from safetynet.lib.clock import Clock
from safetynet.records import models as rm
from safetynet.synth.live import Cast, LiveCounty

log = logging.getLogger(__name__)

Record = dict[str, Any]
Sender = Callable[[Sequence[Record]], dict[str, Any]]

INGEST_PATH = "/api/v1/records"
MAX_PENDING = 4000  # unsent records: beyond this the county waits for the server (one call takes 5,000)
CHILD_SOURCES = ("mispers", "csc", "rms", "education")


class FeedUnavailable(Exception):
    """The server cannot take records now (not up, restarting, busy): send them again later."""


class FeedRefused(Exception):
    """The server refuses the feed (an unknown or revoked key, a forbidden source): stop."""


def cast_from_database(*, now: dt.datetime, children: int = 600, adults: int = 300, places: int = 200) -> Cast:
    """People and places the live county may reference: children (under 18 at `now`) as the
    police, missing-persons, social care and education systems hold them; adults; locations."""
    year = now.year
    people = rm.Person.live.order_by("pk")
    child_refs = people.filter(source__in=CHILD_SOURCES, birth_year__gte=year - 17, birth_year__lte=year - 10)
    adult_refs = people.filter(source="rms", birth_year__lte=year - 21)
    return Cast(
        children=[_ref(s, i) for s, i in child_refs.values_list("source", "source_id")[:children]],
        adults=[_ref(s, i) for s, i in adult_refs.values_list("source", "source_id")[:adults]],
        places=list(rm.Location.live.order_by("pk").values_list("source_id", flat=True)[:places]),
    )


def _ref(source: str, source_id: str) -> dict[str, str]:
    return {"source": source, "id": source_id}


@dataclass
class HttpSender:
    """Posts records as JSON Lines to the server's REST ingest with a Bearer key."""

    url: str
    key: str
    timeout: float = 30.0

    def __call__(self, records: Sequence[Record]) -> dict[str, Any]:
        body = b"".join(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in records)
        request = urllib.request.Request(
            self.url.rstrip("/") + INGEST_PATH,
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-ndjson", "Authorization": f"Bearer {self.key}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer: dict[str, Any] = json.loads(response.read())
                return answer
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise FeedRefused(f"the server refused the feed's key (HTTP {exc.code})") from None
            raise FeedUnavailable(f"HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise FeedUnavailable(str(getattr(exc, "reason", exc))) from None


def run_feed(
    live: LiveCounty, send: Sender, *, clock: Clock, interval: float, stop: threading.Event, ticks: int | None = None
) -> int:
    """Tick `live` every `interval` seconds and send what it writes, until `stop` is set (or
    after `ticks` ticks); returns how many records were sent and answered."""
    pending: list[Record] = []
    sent = 0
    done = 0
    while not stop.is_set() and (ticks is None or done < ticks):
        if len(pending) < MAX_PENDING:  # else the county waits: nothing is dropped
            pending.extend(live.tick(clock.now()))
        done += 1
        try:
            answer = send(pending)
        except FeedUnavailable as exc:
            log.info("live feed: the server cannot take records yet (%s); %d kept to send again", exc, len(pending))
        else:
            sent += len(pending)
            _log_answer(answer, len(pending))
            pending = []
        if ticks is None or done < ticks:
            stop.wait(interval)
    return sent


def _log_answer(answer: dict[str, Any], count: int) -> None:
    counts = answer.get("counts") or {}
    rejected = [line for line in answer.get("lines") or [] if line.get("outcome") == "rejected"]
    log.info(
        "live feed: %d record(s) sent: %s",
        count,
        ", ".join(f"{n} {outcome}" for outcome, n in counts.items() if n) or "no answer",
    )
    for line in rejected:
        log.warning(
            "live feed: %s %s rejected: %s %s", line.get("kind"), line.get("id"), line.get("field"), line.get("reason")
        )
