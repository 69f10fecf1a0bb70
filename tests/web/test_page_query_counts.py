"""The person page and search cost a fixed number of queries, however much a child has.

A query per linked record, relationship, finding or event would multiply at county size
(a child known to many systems, a name shared by thousands); these bounds make that a test
failure instead of a slow page found in production."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from safetynet.identity.blocking import refresh_features
from safetynet.identity.models import Individual, Membership
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Event, Participation, Person, Relationship
from safetynet.work.services import sync_tasks
from tests.web.findings import make_finding
from tests.world import RECORDED, World

# Session, user, profile, agency; the child; records and their explanations (2); possible
# matches; markers, orders (3), plans; relationships and who of them the viewer may open (4);
# findings with their tasks; chronology (3); restrictions the viewer is not named on (3, one
# per access check); the access-log entry (3); the header's unread notifications; the session;
# the risk summary (3: the viewer's restrictions for its events, the missing reports, the
# other events per month of the last 24 months, counted by the database); the chronology in
# words (7: who else took part, their individuals and who of them the viewer may open; the
# places, people and events the details name; the agencies' systems: reads/chronology.py).
PERSON_PAGE_QUERIES = 45
# Session, user, profile, agency; the name search (2: candidates with their names, then the
# individuals of those that can be results); headlines, last events (2), top
# findings; who may be seen (3, restrictions included); the access-log entry (3); the header's
# unread notifications; the session.
SEARCH_QUERIES = 23


def _more_of_everything(world: World, clock: FixedClock) -> None:
    """Five more linked records, five more relationships, four findings with tasks, 40 more events,
    30 missing episodes."""
    for i in range(5):
        person = Person.objects.create(
            source="school",
            source_id=f"S{i}",
            recorded_at=RECORDED,
            payload={},
            given_names="Kayleigh",
            family_name="Testperson",
            date_of_birth="2011-04-23",
            dob=dt.date(2011, 4, 23),
            sex="female",
        )
        Membership.objects.create(person=person, individual=world.child, method="model", match_probability=0.9)
        friend = Person.objects.create(
            source="rms",
            source_id=f"F{i}",
            recorded_at=RECORDED,
            payload={},
            given_names="Invented",
            family_name="Friend",
        )
        Membership.objects.create(person=friend, individual=Individual.objects.create())
        Relationship.objects.create(
            source="rms", source_id=f"RF{i}", recorded_at=RECORDED, payload={}, person_a=friend, person_b=person
        )
        for j in range(8):
            event = Event.objects.create(
                source="school",
                source_id=f"SE{i}-{j}",
                recorded_at=RECORDED,
                payload={"big": "x" * 2000},
                event_type=Event.EventType.MEETING,
                occurred_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=i * 10 + j),
            )
            Participation.objects.create(event=event, person=person, role=Participation.Role.SUBJECT)
    mispers = Person.objects.get(source="mispers", source_id="M7")
    for k in range(30):  # missing episodes over three years: counted and charted in the summary
        episode = Event.objects.create(
            source="mispers",
            source_id=f"MR{k}",
            recorded_at=RECORDED,
            payload={},
            event_type=Event.EventType.MISSING_REPORT,
            occurred_at=dt.datetime(2023, 3, 1, tzinfo=dt.UTC) + dt.timedelta(days=36 * k),
            details={"found_at": "2023-03-02T10:00:00Z"},
        )
        Participation.objects.create(event=episode, person=mispers, role=Participation.Role.MISSING_PERSON)
    for n, clause in enumerate(("M2", "M4", "X1", "H1")):
        make_finding(world.child, clause, "high", f"Invented finding {n}", owner_role="sergeant", due_in_hours=n - 1)
    sync_tasks(clock=clock)
    refresh_features(None, dt.date(2026, 3, 2))


def test_person_page_queries_do_not_grow_with_records_events_relationships_or_findings(
    officer_client: Client, world: World, clock: FixedClock, django_assert_max_num_queries: Any
) -> None:
    officer_client.get(f"/people/{world.child.pk}/")  # warm: the first request loads the access matrix
    with django_assert_max_num_queries(PERSON_PAGE_QUERIES):
        assert officer_client.get(f"/people/{world.child.pk}/").status_code == 200
    _more_of_everything(world, clock)
    with django_assert_max_num_queries(PERSON_PAGE_QUERIES):
        html = officer_client.get(f"/people/{world.child.pk}/").content.decode()
    assert "Invented finding 3" in html and "school S4" in html


def test_search_queries_do_not_grow_with_namesakes(
    officer_client: Client, world: World, clock: FixedClock, django_assert_max_num_queries: Any
) -> None:
    officer_client.get("/search/?name=Kayley+Testperson")
    with django_assert_max_num_queries(SEARCH_QUERIES):
        assert officer_client.get("/search/?name=Kayley+Testperson").status_code == 200
    _more_of_everything(world, clock)
    for i in range(30):
        namesake = Person.objects.create(
            source="csc",
            source_id=f"N{i}",
            recorded_at=RECORDED,
            payload={},
            given_names="Kayleigh",
            family_name="Testperson",
            date_of_birth=f"20{10 + i % 5}-01-0{1 + i % 9}",
            sex="female",
        )
        Membership.objects.create(person=namesake, individual=Individual.objects.create())
        make_finding(
            namesake.membership.individual, "M4", "medium", f"Namesake {i}", owner_role="sergeant", due_in_hours=4
        )
    refresh_features(None, dt.date(2026, 3, 2))
    with django_assert_max_num_queries(SEARCH_QUERIES):
        html = officer_client.get("/search/?name=Kayley+Testperson").content.decode()
    assert "Namesake 29" in html or "Namesake 0" in html
