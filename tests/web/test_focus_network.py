"""The readable network (reads/focus_network.py, /people/<id>/network/, its JSON and the API):
an adult with 40 children and 300 events drawn as at most 60 nodes with the rest grouped, the
table listing everyone, the flags, the filters and their refusals, access, and a query count
that does not grow with the network."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from safetynet.accounts.services import create_user_with_role, restrict_individual
from safetynet.audit.models import AuditEntry
from safetynet.identity.models import Individual, Membership
from safetynet.reads.focus_network import focus_network
from safetynet.reads.focus_network_model import DEFAULT_LIMIT, NetworkFilter, parse_filter
from safetynet.reads.person import NO_ACCESS_NAME, person_ids_of
from safetynet.records.models import Event, Participation, Person
from tests.world import PASSWORD, RECORDED, BusyAdult, World, busy_adult

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


@pytest.fixture
def busy(world: World) -> BusyAdult:
    return busy_adult(now=NOW)


def _read(busy: BusyAdult, filters: NetworkFilter | None = None, **kwargs: Any) -> Any:
    asked = filters or parse_filter({}, TODAY)[0]
    options = {"may_open": lambda ids: set(ids), **kwargs}
    return focus_network(busy.adult.pk, person_ids_of(busy.adult.pk), asked, TODAY, **options)


def test_a_busy_adult_is_drawn_as_at_most_60_nodes_and_the_rest_grouped(busy: BusyAdult) -> None:
    net = _read(busy)
    assert len(net.people) == 40 + 12  # every child and adult around him is in the table
    assert len(net.places) == 25
    assert len(net.nodes) <= DEFAULT_LIMIT
    assert net.groups, "the least linked are grouped"
    children = next(g for g in net.groups if g["kind"] == "children")
    assert children["label"].endswith("more children seen once")
    grouped = [p for p in net.people if p.drawn_as != "shown"]
    assert len(grouped) == children["count"]
    # The grouped ones are the least linked: everyone drawn is linked at least as strongly.
    assert min(p.score for p in net.people if p.drawn_as == "shown") >= max(p.score for p in grouped)
    node_ids = {n["id"] for n in net.nodes}
    assert all(e["source"] in node_ids and e["target"] in node_ids for e in net.edges)
    assert net.events_read == 300


def test_expanding_a_group_or_a_higher_limit_draws_them(busy: BusyAdult) -> None:
    expanded = _read(busy, parse_filter({"expand": ["children"]}, TODAY)[0])
    assert not any(g["kind"] == "children" for g in expanded.groups)
    assert {p.drawn_as for p in expanded.people if p.age_group == "child"} == {"shown"}
    everything = _read(busy, parse_filter({"limit": ["400"]}, TODAY)[0])
    assert everything.groups == [] and len(everything.nodes) == 1 + 52 + 25


def test_flags_an_adults_boyfriend_girlfriend_relationship_with_a_child_and_co_location(busy: BusyAdult) -> None:
    net = _read(busy)
    rows = {p.individual_id: p for p in net.people}
    girlfriend = rows[busy.girlfriend.pk]
    assert girlfriend.age_group == "child" and girlfriend.age == 15
    assert "Adult in a boyfriend, girlfriend or partner relationship with a child" in girlfriend.flags
    assert "Seen together 2 or more times" in girlfriend.flags
    assert girlfriend.how[0].startswith("boyfriend or girlfriend of; together 30 times")
    edge = next(
        e for e in net.edges if e["target"] == f"ind-{busy.girlfriend.pk}" or e["source"] == f"ind-{busy.girlfriend.pk}"
    )
    assert edge["intimate_adult_child"] and edge["adult_child"] and edge["co_location"]
    partner = rows[busy.adults[0].pk]  # an adult partner: no adult-child flag
    assert partner.age_group == "adult"
    assert not any("child" in f for f in partner.flags)
    once = [p for p in net.people if p.age_group == "child" and p.score == 1]
    assert once and all(f == ["Adult and child"] for f in (p.flags for p in once))


def test_filters_by_relationship_type_event_type_and_window(busy: BusyAdult) -> None:
    only_gf = _read(
        busy, parse_filter({"relationship_types": ["boyfriend_girlfriend"], "event_types": ["crime"]}, TODAY)[0]
    )
    assert only_gf.events_read == 75  # every fourth event is a crime
    assert not any("associate of" in h for p in only_gf.people for h in p.how)
    none_in_window = _read(busy, parse_filter({"from": ["2020-01-01"], "to": ["2020-12-31"]}, TODAY)[0])
    assert none_in_window.events_read == 0
    # Relationships without dates hold in any window: the associates and the partner remain.
    assert len(none_in_window.people) == 10 + 1 + 1
    last_month = _read(busy, parse_filter({"from": ["2026-02-01"]}, TODAY)[0])
    assert 0 < last_month.events_read < 300


def test_bad_filters_are_named(busy: BusyAdult) -> None:
    _f, errors = parse_filter(
        {
            "hops": ["3"],
            "relationship_types": ["cousin_of"],
            "event_types": ["party"],
            "from": ["31/02/2026"],
            "limit": ["5"],
            "expand": ["cats"],
        },
        TODAY,
    )
    assert set(errors) == {"hops", "relationship_types", "event_types", "from", "limit", "expand"}
    _f, errors = parse_filter({"from": ["2026-03-01"], "to": ["2026-02-01"]}, TODAY)
    assert set(errors) == {"to"}


def test_two_hops_reach_through_people_the_viewer_may_open_only(busy: BusyAdult) -> None:
    stranger = Person.objects.create(
        source="rms",
        source_id="BUSY-X",
        recorded_at=RECORDED,
        payload={},
        given_names="Zed",
        family_name="Faraway",
        dob=dt.date(1980, 1, 1),
    )
    individual = Individual.objects.create()
    Membership.objects.create(person=stranger, individual=individual, method=Membership.Method.SINGLETON)
    child_record = Person.objects.get(source="rms", source_id="BUSY-C0")
    event = Event.objects.create(
        source="rms",
        source_id="BUSY-X1",
        recorded_at=RECORDED,
        payload={},
        event_type="incident",
        occurred_at=NOW - dt.timedelta(days=3),
    )
    Participation.objects.create(event=event, person=stranger, role="suspect")
    Participation.objects.create(event=event, person=child_record, role="victim")
    one = _read(busy)
    assert individual.pk not in {p.individual_id for p in one.people}
    two = _read(busy, parse_filter({"hops": ["2"]}, TODAY)[0])
    row = next(p for p in two.people if p.individual_id == individual.pk)
    assert row.hop == 2 and row.how[0].startswith("through Ava Busychild0")
    assert "Adult and child" in row.flags
    # Through a child the viewer may not open, nobody is reached.
    child0 = busy.children[0].pk
    hidden = _read(busy, parse_filter({"hops": ["2"]}, TODAY)[0], may_open=lambda ids: set(ids) - {child0})
    assert individual.pk not in {p.individual_id for p in hidden.people}
    masked = next(p for p in hidden.people if p.individual_id is None)
    assert (
        masked.name == NO_ACCESS_NAME and masked.age_group == "" and masked.flags == ["Seen together 2 or more times"]
    )
    assert masked.key.startswith("hidden-")


def test_restricted_children_are_left_out_with_their_events(busy: BusyAdult) -> None:
    net = _read(busy, excluded=[busy.girlfriend.pk])
    assert busy.girlfriend.pk not in {p.individual_id for p in net.people}
    assert f"ind-{busy.girlfriend.pk}" not in {n["id"] for n in net.nodes}


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("hops", ["1", "2"])
def test_the_query_count_does_not_grow_with_the_network(officer_client: Client, world: World, hops: str) -> None:
    small = busy_adult(now=NOW, children=6, events=20, adults=2, places=3, source="small")
    big = busy_adult(now=NOW, source="big")
    for url in ("/people/{}/network/graph.json?hops=" + hops, "/api/v1/individuals/{}/network?hops=" + hops):
        assert _queries(officer_client, url.format(small.adult.pk)) == _queries(
            officer_client, url.format(big.adult.pk)
        )


def test_the_page_shows_the_graph_the_filters_and_the_table_and_logs_access(
    officer_client: Client, busy: BusyAdult
) -> None:
    response = officer_client.get(f"/people/{busy.adult.pk}/network/?event_types=missing_report&event_types=crime")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="network-graph"' in html
    assert f"/people/{busy.adult.pk}/network/graph.json?event_types=missing_report&amp;event_types=crime" in html
    assert 'value="crime" checked' in html
    assert "Adult in a boyfriend, girlfriend or partner relationship with a child" in html
    assert 'data-testid="network-people"' in html and "Ben Busychild1" in html
    entry = AuditEntry.objects.latest("pk")
    assert sorted(entry.fields) == ["named_in_network", "network"]
    assert busy.adult.pk in entry.individual_ids and busy.girlfriend.pk in entry.individual_ids
    data = officer_client.get(
        f"/people/{busy.adult.pk}/network/graph.json?event_types=missing_report&event_types=crime"
    ).json()
    assert len(data["nodes"]) <= DEFAULT_LIMIT and data["counts"]["events"] == 150
    # The person page links to it.
    assert f"/people/{busy.adult.pk}/network/" in officer_client.get(f"/people/{busy.adult.pk}/").content.decode()


def test_bad_filters_on_the_page_the_json_and_the_api(officer_client: Client, busy: BusyAdult) -> None:
    html = officer_client.get(f"/people/{busy.adult.pk}/network/?hops=9&from=yesterday").content.decode()
    assert (
        "There is a problem" in html and "Choose 1 or 2 hops" in html and "Enter the from date as a real date" in html
    )
    assert 'value="yesterday"' in html
    graph = officer_client.get(f"/people/{busy.adult.pk}/network/graph.json?hops=9")
    assert graph.status_code == 400 and graph.json()["detail"].startswith("hops:")
    api = officer_client.get(f"/api/v1/individuals/{busy.adult.pk}/network?relationship_types=cousin_of")
    assert api.status_code == 422 and api.json()["detail"].startswith("relationship_types:")
    ok = officer_client.get(
        f"/api/v1/individuals/{busy.adult.pk}/network?relationship_types=boyfriend_girlfriend,associate_of&from=2025-06-01"
    )
    assert ok.status_code == 200
    body = ok.json()
    assert body["relationship_types"] == ["boyfriend_girlfriend", "associate_of"] and body["date_from"] == "2025-06-01"
    assert len(body["nodes"]) <= DEFAULT_LIMIT and len(body["people"]) > 10


def test_people_the_viewer_may_not_see_get_404(officer_client: Client, world: World, busy: BusyAdult) -> None:
    for path in ("/people/999999/network/", "/people/999999/network/graph.json", "/api/v1/individuals/999999/network"):
        assert officer_client.get(path).status_code == 404
    other = create_user_with_role(acting_user=None, username="other.sgt", password=PASSWORD, role="sergeant")
    restrict_individual(
        acting_user=other, individual=busy.girlfriend, reason_code="sensitive_investigation", named_users=[]
    )
    data = officer_client.get(f"/api/v1/individuals/{busy.adult.pk}/network").json()
    assert busy.girlfriend.pk not in {p["individual"] for p in data["people"]}
    assert data["events_read"] == 300 - 30  # her events are left out with her
    restrict_individual(acting_user=other, individual=busy.adult, reason_code="sensitive_investigation", named_users=[])
    assert officer_client.get(f"/people/{busy.adult.pk}/network/").status_code == 404
