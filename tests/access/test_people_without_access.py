"""People the viewer may not open never leak through another person's page.

A restricted child (visible only to a named sergeant) is the sibling of an open child and was
with them at a later missing episode; a pupil is related to, and was at an incident with, a
child outside the school's scope. Viewing the open child, everyone else sees the other person
only as "A person you do not have access to" (no name, date of birth, link or id), and the
event involving the restricted child is hidden from every surface; the named sergeant sees it
all."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.test import Client

from safetynet.identity.models import ReviewPair
from safetynet.records.models import Event, Participation, Person, Relationship
from tests.world import RECORDED, AccessWorld, sign_in

NO_ACCESS = "A person you do not have access to"
RESTRICTED_NAME, RESTRICTED_FAMILY, RESTRICTED_DOB = "Casey", "Restrictedchild", "2011-03-03"
RESTRICTED_DOB_SHOWN = "3 March 2011"  # as the pages write it
OUT_OF_SCOPE_NAME, OUT_OF_SCOPE_FAMILY = "Brody", "Policeonly"
SHARED_SUMMARY = "SHAREDEPISODE both children missing together"


def _person(source: str, source_id: str) -> Person:
    return Person.objects.get(source=source, source_id=source_id)


def _event(source_id: str, event_type: str, when: dt.datetime, summary: str, *people: tuple[Person, str]) -> Event:
    event = Event.objects.create(
        source="rms",
        source_id=source_id,
        recorded_at=RECORDED,
        payload={},
        event_type=event_type,
        occurred_at=when,
        summary=summary,
    )
    for person, role in people:
        Participation.objects.create(event=event, person=person, role=role)
    return event


@pytest.fixture
def linked(access_world: AccessWorld) -> dict[str, Event]:
    """The restricted child and the out-of-scope child linked to open children."""
    open_child, restricted, pupil = _person("rms", "P2"), _person("rms", "P3"), _person("rms", "P1")
    Relationship.objects.create(
        source="rms",
        source_id="R1",
        recorded_at=RECORDED,
        payload={},
        person_a=restricted,
        person_b=open_child,
        rel_type="sibling_of",
    )
    Relationship.objects.create(
        source="rms",
        source_id="R2",
        recorded_at=RECORDED,
        payload={},
        person_a=open_child,
        person_b=pupil,
        rel_type="associate_of",
    )
    later = RECORDED + dt.timedelta(days=3)
    shared = _event(
        "EV7",
        "missing_report",
        later,
        SHARED_SUMMARY,
        (open_child, Participation.Role.SUBJECT),
        (restricted, Participation.Role.SUBJECT),
    )
    # Seen together twice more: co-location edges would name the restricted child if anything did.
    together = [
        _event(
            f"EV8{i}",
            "incident",
            RECORDED - dt.timedelta(days=i),
            "Incident with another child",
            (pupil, Participation.Role.SUBJECT),
            (open_child, Participation.Role.CO_LOCATED),
        )
        for i in (1, 2)
    ]
    ReviewPair.objects.create(
        person_a=open_child,
        person_b=restricted,
        reason=ReviewPair.Reason.values[0],
        match_probability=0.6,
        match_weight=1.0,
        created_at=RECORDED,
    )
    return {"shared": shared, "together": together[0]}


def _named(access_world: AccessWorld) -> Client:
    return sign_in(Client(), access_world.named_sergeant)


def _no_trace_of_restricted_child(text: str, access_world: AccessWorld) -> None:
    for secret in (RESTRICTED_NAME, RESTRICTED_FAMILY, RESTRICTED_DOB, RESTRICTED_DOB_SHOWN, SHARED_SUMMARY):
        assert secret not in text
    assert f"/people/{access_world.restricted.pk}/" not in text
    assert f"ind-{access_world.restricted.pk}" not in text


def test_relationships_show_a_restricted_child_only_as_a_placeholder(
    access_world: AccessWorld, linked: dict[str, Event], client_for: Callable[[str], Client]
) -> None:
    page = client_for("sergeant").get(f"/people/{access_world.police_only.pk}/").content.decode()
    _no_trace_of_restricted_child(page, access_world)
    relationships = page.split('data-testid="relationships"')[1].split("</table>")[0]
    assert NO_ACCESS in relationships and "sibling of" in relationships
    possible = page.split('data-testid="possible-matches"')[1].split("</table>")[0]
    assert NO_ACCESS in possible and "compare" not in possible


def test_the_network_shows_a_restricted_child_only_as_an_unlinked_placeholder(
    access_world: AccessWorld, linked: dict[str, Event], client_for: Callable[[str], Client]
) -> None:
    body = client_for("sergeant").get(f"/people/{access_world.police_only.pk}/network.json").content.decode()
    _no_trace_of_restricted_child(body, access_world)
    data = json.loads(body)
    hidden = [n for n in data["nodes"] if n["label"] == NO_ACCESS]
    assert len(hidden) == 1 and "href" not in hidden[0] and hidden[0]["id"].startswith("hidden-")
    assert any(e["kind"] == "association" and hidden[0]["id"] in (e["source"], e["target"]) for e in data["edges"])
    assert f"ev-{linked['shared'].pk}" not in body


def test_an_event_involving_a_restricted_child_is_hidden_from_the_other_childs_chronology(
    access_world: AccessWorld, linked: dict[str, Event], client_for: Callable[[str], Client]
) -> None:
    sergeant = client_for("sergeant")
    pk = access_world.police_only.pk
    for url in (
        f"/people/{pk}/chronology/",
        f"/people/{pk}/chronology/?type=missing_report",
        f"/api/v1/individuals/{pk}/chronology",
        f"/api/v1/individuals/{pk}/chronology?type=missing_report",
    ):
        text = sergeant.get(url).content.decode()
        _no_trace_of_restricted_child(text, access_world)
        assert "EV7" not in text and f"/events/{linked['shared'].pk}/" not in text, url
    assert sergeant.get(f"/api/v1/individuals/{pk}/chronology?type=missing_report").json()["count"] == 0


def test_an_event_involving_a_restricted_child_answers_404_like_a_missing_one(
    access_world: AccessWorld, linked: dict[str, Event], client_for: Callable[[str], Client]
) -> None:
    sergeant = client_for("sergeant")
    hidden = sergeant.get(f"/events/{linked['shared'].pk}/")
    missing = sergeant.get("/events/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_search_hides_a_latest_event_that_involves_a_restricted_child(
    access_world: AccessWorld, linked: dict[str, Event], client_for: Callable[[str], Client]
) -> None:
    sergeant = client_for("sergeant")
    html = sergeant.get("/search/?name=Brody+Policeonly").content.decode()
    assert f'href="/people/{access_world.police_only.pk}/"' in html
    _no_trace_of_restricted_child(html, access_world)
    assert "Missing report" not in html.split("</form>")[-1]
    results = sergeant.get("/api/v1/search?name=Brody+Policeonly").json()
    assert [r["id"] for r in results] == [access_world.police_only.pk]
    assert results[0]["last_event_type"] != "missing_report"
    assert sergeant.get("/api/v1/search?name=Casey+Restrictedchild").json() == []


def test_the_named_sergeant_sees_the_restricted_child_everywhere(
    access_world: AccessWorld, linked: dict[str, Event]
) -> None:
    named = _named(access_world)
    pk = access_world.police_only.pk
    page = named.get(f"/people/{pk}/").content.decode()
    assert f"{RESTRICTED_NAME} {RESTRICTED_FAMILY}" in page and NO_ACCESS not in page
    assert f'href="/people/{access_world.restricted.pk}/"' in page
    network = named.get(f"/people/{pk}/network.json").json()
    assert any(n["label"] == f"{RESTRICTED_NAME} {RESTRICTED_FAMILY}" for n in network["nodes"])
    assert SHARED_SUMMARY in named.get(f"/people/{pk}/chronology/").content.decode()
    event = named.get(f"/events/{linked['shared'].pk}/").content.decode()
    assert f"{RESTRICTED_NAME} {RESTRICTED_FAMILY}" in event and RESTRICTED_DOB_SHOWN in event
    assert named.get(f"/api/v1/individuals/{pk}/chronology?type=missing_report").json()["count"] == 1
    assert named.get("/api/v1/search?name=Brody+Policeonly").json()[0]["last_event_type"] == "missing_report"


def test_a_teacher_sees_a_child_outside_the_school_only_as_a_placeholder(
    access_world: AccessWorld, linked: dict[str, Event], client_for: Callable[[str], Client]
) -> None:
    teacher = client_for("partner_education")
    pk = access_world.pupil.pk
    page = teacher.get(f"/people/{pk}/").content.decode()
    event = teacher.get(f"/events/{linked['together'].pk}/").content.decode()
    network = teacher.get(f"/people/{pk}/network.json").content.decode()
    for text in (page, event, network):
        assert (
            OUT_OF_SCOPE_NAME not in text
            and OUT_OF_SCOPE_FAMILY not in text
            and "2010-02-02" not in text
            and "2 February 2010" not in text
        )
        assert (
            f"/people/{access_world.police_only.pk}/" not in text and f"ind-{access_world.police_only.pk}" not in text
        )
        assert NO_ACCESS in text
    participants = event.split('data-testid="participants"')[1].split("</table>")[0]
    assert NO_ACCESS in participants and "–" in participants
    nodes = json.loads(network)["nodes"]
    assert [n["id"] for n in nodes if n["label"] == NO_ACCESS] == ["hidden-1"]
    # Two shared incidents: the "together" edge points at the placeholder, not at an id.
    assert any(e["target"] == "hidden-1" and e["kind"] == "co_location" for e in json.loads(network)["edges"])


def test_a_sergeant_sees_the_pupils_associate_by_name(
    access_world: AccessWorld, linked: dict[str, Event], client_for: Callable[[str], Client]
) -> None:
    sergeant = client_for("sergeant")
    event = sergeant.get(f"/events/{linked['together'].pk}/").content.decode()
    assert f"{OUT_OF_SCOPE_NAME} {OUT_OF_SCOPE_FAMILY}" in event and NO_ACCESS not in event
