"""The MASH inbox and triage screen cost the same number of queries however many open referrals
or records there are (bench/bench_mash.py measures the time on the 150k-child county; these keep
the shape that makes it fast: the state read in the database, a page loaded, no query per row)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safetynet.lib.clock import FixedClock
from safetynet.records.models import Event, Participation
from tests.mash.test_mash import _raise
from tests.world import AccessWorld, sign_in

pytestmark = pytest.mark.django_db

INBOX_QUERIES_AT_MOST = 25
TRIAGE_QUERIES_AT_MOST = 60


def _add(person_id: int, now: dt.datetime, n: int, *, source: str = "safetynet", triaged: bool = False) -> None:
    events = []
    for i in range(n):
        at = now - dt.timedelta(minutes=10 + i)
        details: dict[str, Any] = {"concern": ["neglect"], "received_at": at.isoformat(), "referrer": {"name": "PC"}}
        if triaged and i % 2:
            details["triage"] = {"grade": "amber", "at": at.isoformat()}
        events.append(
            Event(
                source=source,
                source_id=f"q-{uuid.uuid4().hex}",
                recorded_at=at,
                payload={},
                event_type="referral" if source == "safetynet" else "incident",
                occurred_at=at,
                summary="Query count record.",
                details=details if source == "safetynet" else {},
            )
        )
    stored = Event.objects.bulk_create(events)
    Participation.objects.bulk_create([Participation(event=e, person_id=person_id, role="subject") for e in stored])


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_inbox_reads_a_page_whatever_the_number_of_open_referrals(
    access_world: AccessWorld, mash: dict[str, int], clock: FixedClock, settings: Any
) -> None:
    settings.SAFETYNET_CLOCK = clock
    referral = _raise(access_world, mash, clock)
    person = referral.participations.get(role="subject").person_id
    client = sign_in(Client(), access_world.users["mash_officer"])
    urls = [reverse("web:mash_inbox") + q for q in ("", "?show=triaged", "?show=overdue")]
    _add(person, clock.now(), 3, triaged=True)
    few = [_queries(client, url) for url in urls]
    _add(person, clock.now(), 40, triaged=True)
    many = [_queries(client, url) for url in urls]
    assert many == few and max(many) <= INBOX_QUERIES_AT_MOST


def test_the_triage_screen_costs_the_same_with_more_history(
    access_world: AccessWorld, mash: dict[str, int], clock: FixedClock, settings: Any
) -> None:
    settings.SAFETYNET_CLOCK = clock
    referral = _raise(access_world, mash, clock)
    person = referral.participations.get(role="subject").person_id
    client = sign_in(Client(), access_world.users["mash_officer"])
    url = reverse("web:mash_triage", args=[referral.pk])
    for source in ("rms", "csc", "health", "education"):
        _add(person, clock.now() - dt.timedelta(days=400), 5, source=source)
    few = _queries(client, url)
    for source in ("rms", "csc", "health", "education"):
        _add(person, clock.now() - dt.timedelta(days=400), 15, source=source)
    many = _queries(client, url)
    assert many == few and many <= TRIAGE_QUERIES_AT_MOST
