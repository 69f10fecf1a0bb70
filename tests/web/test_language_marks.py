"""Language marks (#24): the phrases the policy's language check flags (the matcher behind the
LANG rule and the rationale check, not a second one) are marked where they were written, in an
event's record page and in the chronology, with the reason and the suggested wording beside
them; the text stays text (escaped), however it is marked."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.html import escape

from safetynet.reads.language_marks import mark_text, marked_texts
from safetynet.risk.policy import current_policy, normalise, normalise_with_offsets
from tests.world import World

SCRIPT = "<script>alert('x')</script>"


def _spec(phrase: str) -> tuple[str, str]:
    spec = next(p for p in current_policy().document.language if p.phrase == phrase)
    return spec.reason, spec.suggestion


@pytest.mark.parametrize(
    "text",
    [
        "He is a REGULAR missing-person;  goes   missing!",
        "  Put herself at risk... (again)  ",
        "Straße, naïve café – “streetwise”",
        "",
        "!!!",
        "İstanbul ﬁle",
    ],
)
def test_the_offsets_normalise_exactly_as_the_language_check_does(text: str) -> None:
    plain, origin = normalise_with_offsets(text)
    assert plain == normalise(text)
    assert len(origin) == len(plain)


def test_every_occurrence_is_found_where_it_was_written() -> None:
    text = "He is a REGULAR missing-person. She regularly goes missing; a regular missing person."
    spans = current_policy().language_spans(text)
    assert [text[start:end] for start, end, _m in spans] == [
        "REGULAR missing-person",
        "regularly goes missing",
        "regular missing person",
    ]
    assert [m.phrase for _s, _e, m in spans] == [
        "regular missing person",
        "regularly goes missing",
        "regular missing person",
    ]
    # The same phrases as the check the rationale and the LANG rule use.
    assert {m.phrase for m in current_policy().check_language(text)} == {m.phrase for _s, _e, m in spans}


def test_a_marked_text_keeps_every_character_and_numbers_its_notes() -> None:
    text = f"Putting herself at risk {SCRIPT} and streetwise."
    marked = mark_text("Summary", text, current_policy(), first_note=3)
    assert marked.text == text
    assert [(p.text, p.note) for p in marked.pieces if p.note] == [("Putting herself at risk", 3), ("streetwise", 4)]
    assert [n.number for n in marked.notes] == [3, 4]
    assert mark_text("Summary", "Found at a friend's address.", current_policy()).notes == []


def test_the_free_texts_of_an_event_are_those_the_language_check_reads() -> None:
    details = {"risk_rationale": "Will always return", "reviews": [{"rationale": "Usual parameters"}], "other": "x"}
    texts = marked_texts("Missing again.", details, current_policy())
    assert [(t.title, t.marked) for t in texts] == [
        ("Summary", False),
        ("Risk rationale", True),
        ("Review rationale", True),
    ]
    assert [n.number for t in texts for n in t.notes] == [1, 2]


def _blaming(world: World) -> None:
    world.missing_event.summary = f"She is a regular missing person. {SCRIPT}"
    world.missing_event.details = {
        **world.missing_event.details,
        "risk_rationale": "Putting herself at risk with older males",
    }
    world.missing_event.save()


def test_the_record_page_marks_each_phrase_with_its_reason_and_suggested_wording(
    officer_client: Client, world: World
) -> None:
    _blaming(world)
    html = officer_client.get(f"/events/{world.missing_event.pk}/").content.decode()
    assert html.count('data-testid="language-mark"') == 2
    assert (
        '<mark class="sn-language-mark" data-testid="language-mark"><span class="govuk-visually-hidden">'
        "Language to avoid: </span>regular missing person</mark>"
    ) in html
    assert "[note 1]" in html and "[note 2]" in html  # visible text, not colour alone
    assert "This record uses language that can blame the child: 2 phrases marked below" in html
    for phrase in ("regular missing person", "putting themselves at risk"):
        reason, suggestion = _spec(phrase)
        assert escape(reason) in html and escape(suggestion) in html
    assert SCRIPT not in html and escape(SCRIPT) in html


def test_a_record_without_blaming_language_has_no_marks(officer_client: Client, world: World) -> None:
    html = officer_client.get(f"/events/{world.incident.pk}/").content.decode()
    assert "language-mark" not in html and "Language to avoid in this record" not in html


def test_the_chronology_entry_marks_the_phrases_and_explains_them(officer_client: Client, world: World) -> None:
    _blaming(world)
    html = officer_client.get(f"/people/{world.child.pk}/").content.decode()
    entry = next(e for e in html.split('data-testid="chronology-entry"')[1:] if ">Missing report</a>" in e)
    assert entry.count('data-testid="language-mark"') == 2
    assert "Risk rationale: " in entry  # a free text besides the summary is shown when it is marked
    assert "Language to avoid in this record (2)" in entry
    assert f'href="#language-note-{world.missing_event.pk}-2"' in entry
    assert f'id="language-note-{world.missing_event.pk}-2"' in entry
    reason, suggestion = _spec("regular missing person")
    assert escape(reason) in entry and escape(suggestion) in entry
    assert SCRIPT not in html and escape(SCRIPT) in entry


def test_withheld_text_is_not_marked_or_shown(client: Client, world: World) -> None:
    from safetynet.accounts.services import create_user_with_role
    from safetynet.records.models import Event
    from tests.world import PASSWORD, sign_in

    Event.objects.filter(source="rms", source_id="E30").update(summary="A streetwise child seen with an adult")
    social_worker = create_user_with_role(
        acting_user=None, username="sw.marks", password=PASSWORD, role="partner_social_worker"
    )
    html = sign_in(client, social_worker).get(f"/people/{world.child.pk}/").content.decode()
    assert "streetwise" not in html
