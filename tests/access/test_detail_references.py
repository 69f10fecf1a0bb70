"""References inside an event's details read as what they are, for each viewer: a place by its
address, a person by name only for a viewer who may open them, never as "rms:P2"."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from safetynet.records.models import Event, Location, Participation
from tests.world import RECORDED, AccessWorld


def test_an_events_references_read_as_names_and_addresses_under_the_access_rules(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    Location.objects.create(
        source="gazetteer",
        source_id="LOC9",
        recorded_at=RECORDED,
        payload={},
        address_lines=["9 Referenced Street"],
        town="Testtown",
        postcode="ZZ9 9ZZ",
    )
    event = Event.objects.create(
        source="rms",
        source_id="EVREF",
        recorded_at=RECORDED,
        payload={},
        event_type="incident",
        occurred_at=RECORDED,
        summary="Seen with an adult.",
        details={
            "found_location": {"source": "gazetteer", "id": "LOC9"},
            "lines_of_enquiry": [{"text": "Speak to him", "person": {"source": "rms", "id": "P2"}}],
            "linked": {"source": "rms", "id": "NOTHING-STORED"},
        },
    )
    Participation.objects.create(event=event, person=access_world.incident.participations.get().person, role="subject")

    sergeant = client_for("sergeant").get(f"/events/{event.pk}/").content.decode()
    assert "9 Referenced Street, Testtown, ZZ9 9ZZ" in sergeant
    assert "Person: Brody Policeonly" in sergeant and "rms:P2" not in sergeant
    assert "record rms:NOTHING-STORED" in sergeant  # a reference to nothing stored keeps its code

    partner = client_for("partner_social_worker").get(f"/events/{event.pk}/")
    assert partner.status_code == 200
    page = partner.content.decode()
    assert "9 Referenced Street" in page
    assert "Policeonly" not in page and "rms:P2" not in page and "a person you do not have access to" in page.lower()


def test_an_intelligence_summary_withheld_from_a_role_is_marked_withheld_not_missing(
    access_world: AccessWorld, monkeypatch: object
) -> None:
    from types import SimpleNamespace

    from safetynet.reads import access

    no_text = SimpleNamespace(permissions=frozenset({"view_person", "view_health_details"}))
    monkeypatch.setattr(access, "policy_of", lambda user: no_text)  # type: ignore[attr-defined]
    event = access.redact_event(access_world.users["sergeant"], Event.objects.get(pk=access_world.intelligence.pk))
    assert event.summary == "" and event.summary_withheld  # type: ignore[attr-defined]  # the pages say "Withheld"
