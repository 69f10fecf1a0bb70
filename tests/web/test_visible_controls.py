"""A name stored with a right-to-left override (or a control character) is shown with the
character as its code point, never obeyed: the page reads the name in the order it was stored."""

from __future__ import annotations

from django.test import Client

from safetynet.records.models import Person
from safetynet.web.visible import make_visible
from tests.world import World

RLO = "\u202e"


def _store_a_name_from_before_the_rule(world: World) -> None:
    """Import refuses such names now; a record stored earlier (or another way) may still hold one."""
    person = Person.objects.get(source="rms", source_id="P1")
    person.family_name = f"Testperson{RLO}nosaJ\x07"
    person.save(update_fields=["family_name"])
    world.incident.summary = f"Attended. He said {RLO}enif ma I"
    world.incident.save(update_fields=["summary"])


def test_the_person_page_shows_a_bidi_override_in_a_name_as_its_code_point(
    officer_client: Client, world: World
) -> None:
    _store_a_name_from_before_the_rule(world)
    response = officer_client.get(f"/people/{world.child.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Testperson[U+202E]nosaJ[U+0007]" in html
    assert RLO not in html and "\x07" not in html


def test_the_event_page_and_search_neutralise_them_too(officer_client: Client, world: World) -> None:
    _store_a_name_from_before_the_rule(world)
    event = officer_client.get(f"/events/{world.incident.pk}/").content.decode()
    assert "He said [U+202E]enif ma I" in event and RLO not in event
    found = officer_client.get("/search/", {"name": "Kayleigh Testperson"}).content.decode()
    assert "Testperson[U+202E]nosaJ[U+0007]" in found and RLO not in found


def test_tabs_and_line_breaks_are_left_alone_and_each_hidden_character_is_named() -> None:
    text = "a\tb\r\nc\u200ed\u2067e\x7ff\u0085g\u061ch"
    assert make_visible(text.encode()) == b"a\tb\r\nc[U+200E]d[U+2067]e[U+007F]f[U+0085]g[U+061C]h"
    assert make_visible("Zoë Ørsted ﺎﺑ".encode()) == "Zoë Ørsted ﺎﺑ".encode()  # other scripts untouched
