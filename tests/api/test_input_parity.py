"""The API's input schemas accept, normalise and refuse exactly what the screens' forms do, in
the same words (the API reports "field: reason; field: reason")."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from ninja import Schema
from ninja.errors import HttpError

from safetynet.api.inputs import ChronologyQuery, PersonSearch, Rationale, WorkQuery, WorkShow, validated
from safetynet.web.forms import ChronologyFilterForm, ResolveTaskForm, SearchForm, WorkFilterForm


def _form_answer(form: forms.Form) -> tuple[str, Any]:
    if form.is_valid():
        return "ok", dict(form.cleaned_data)
    return "422", "; ".join(f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items())


def _schema_answer(schema: type[Schema], data: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "ok", validated(schema, data).model_dump()
    except HttpError as exc:
        assert exc.status_code == 422
        return "422", str(exc)


CHRONOLOGY = [
    {},
    {"type": ["missing_report", "incident"], "date_from": "2025-01-01", "date_to": "2025-12-31"},
    {"type": ["nonsense"]},
    {"date_from": "2025-13-45"},
    {"date_from": "  "},
    {"date_from": "31/12/2025"},
    {"date_from": "2025-06-01", "date_to": "2025-05-01"},
    {"type": ["nonsense"], "date_from": "2025-06-01", "date_to": "2025-05-01"},
    {"date_from": "bad", "date_to": "also bad"},
    {"agency": ["csc", "police"], "period": "12m"},
    {"agency": ["nowhere"]},
    {"period": "forever"},
    {"period": "90d", "date_from": "2025-01-01"},
]


@pytest.mark.parametrize("data", CHRONOLOGY)
def test_chronology_filters_match_the_screen(data: dict[str, Any]) -> None:
    assert _schema_answer(ChronologyQuery, data) == _form_answer(ChronologyFilterForm(data))


SEARCH = [
    {},
    {"name": "   "},
    {"name": " Kaylee "},
    {"name": "x" * 201},
    {"date_of_birth": "2011"},
    {"date_of_birth": "2011-02-30"},
    {"date_of_birth": "23/04/2011"},
    {"date_of_birth": "23 April 2011"},
    {"date_of_birth": "4/2011"},
    {"date_of_birth": "31/02/2011"},
    {"date_of_birth": "2011/04/23"},
    {"date_of_birth": "x" * 41},
    {"identifier": " ab 12 ", "postcode": "ab12cd"},
    {"postcode": "AB1  2CD"},
    {"postcode": "x" * 11},
    {"name": "a\x00b", "date_of_birth": "20\x0011"},
]


@pytest.mark.parametrize("data", SEARCH)
def test_search_input_matches_the_screen(data: dict[str, Any]) -> None:
    full = {"name": "", "date_of_birth": "", "identifier": "", "postcode": "", **data}
    assert _schema_answer(PersonSearch, full) == _form_answer(SearchForm(full))


@pytest.mark.parametrize("show", ["", "all", "mine", "overdue", "everything"])
def test_work_filter_matches_the_screen(show: str) -> None:
    assert _schema_answer(WorkShow, {"show": show}) == _only(_form_answer(WorkFilterForm({"show": show})), {"show"})


def _only(answer: tuple[str, Any], fields: set[str]) -> tuple[str, Any]:
    """The form's answer on the fields the API schema has (the page is the API's own parameter)."""
    status, value = answer
    return (status, {k: v for k, v in value.items() if k in fields}) if status == "ok" else answer


WORK_QUERIES = [
    {},
    {"show": "team", "clause": ["M2", "X1"], "severity": ["high"], "due": "overdue", "sort": "clause", "order": "desc"},
    {"clause": ["Z9"]},
    {"severity": ["grave"]},
    {"due": "tomorrow"},
    {"sort": "name", "order": "up"},
    {"area": "West", "due": "soon"},
    {"area": "Atlantis"},
]


@pytest.mark.parametrize("data", WORK_QUERIES)
def test_work_queue_filters_match_the_screen(data: dict[str, Any]) -> None:
    full = {"show": "", "clause": [], "severity": [], "due": "", "area": "", "sort": "", "order": "", **data}
    fields = {"show", "clause", "severity", "due", "area", "sort", "order"}
    assert _schema_answer(WorkQuery, full) == _only(_form_answer(WorkFilterForm(full)), fields)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "rationale",
    [
        "",
        "   ",
        "Seen at home; safety plan agreed with the family.",
        "She went missing of her own volition",
        "x" * 4001,
    ],
)
def test_rationale_check_matches_the_screen(rationale: str) -> None:
    assert _schema_answer(Rationale, {"rationale": rationale}) == _form_answer(
        ResolveTaskForm({"rationale": rationale})
    )
