"""What the API accepts: ninja Schemas that check and normalise a request's input the way the
screens' forms do (the same rules and the same words), so a caller reads the same reason a
person would see on the page.

Endpoints validate after fetching the record through the access door, so a record the caller
may not see answers 404 whatever the input; `validated` turns every problem into one 422 whose
detail names each field: "date_from: Enter the from date as a real date, like 2025-03-27".
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.utils.formats import get_format
from ninja import Schema
from ninja.errors import HttpError
from pydantic import ValidationError, ValidationInfo, field_validator, model_validator

from safetynet.reads.person import AGENCY_CODES, PERIODS
from safetynet.reads.search import normalise_postcode, read_date_of_birth
from safetynet.reads.work_queue import (
    DUE_CHOICES,
    ORDER_CHOICES,
    SEVERITY_CHOICES,
    SHOW_CHOICES,
    SORT_CHOICES,
    clause_choices,
)
from safetynet.records.models import Event
from safetynet.risk.areas import area_named
from safetynet.risk.policy import current_policy
from safetynet.work.services import RATIONALE_REQUIRED, rationale_problems

_S = TypeVar("_S", bound=Schema)


class FieldError(ValueError):
    """A problem found across fields, reported against the field the screens name."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


NULL_CHARACTERS = "Null characters are not allowed."


def validated(schema: type[_S], data: dict[str, Any]) -> _S:
    """`data` checked by `schema`; HttpError 422 naming each field and what is wrong otherwise."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise HttpError(422, _describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        reason = error.get("ctx", {}).get("error") if error["type"] == "value_error" else None
        name = reason.field if isinstance(reason, FieldError) else ".".join(str(p) for p in error["loc"]) or "input"
        parts.append(f"{name}: {reason if reason is not None else error['msg']}")
    return "; ".join(parts)


def _text(value: Any, *, max_length: int | None = None, too_long: str = "", strip: bool = True) -> str:
    """A text field as a form reads it: stripped (unless `strip` is false), at most
    `max_length` characters, no null characters (every problem in one message)."""
    text = "" if value is None else str(value)
    if strip:
        text = text.strip()
    problems = []
    if max_length is not None and len(text) > max_length:
        problems.append(too_long or f"Ensure this value has at most {max_length} characters (it has {len(text)}).")
    if "\x00" in text:
        problems.append(NULL_CHARACTERS)
    if problems:
        raise ValueError(" ".join(problems))
    return text


def _date(value: Any, label: str, example: str) -> dt.date | None:
    """An optional date in any of the formats the screens accept; None when empty."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    for date_format in get_format("DATE_INPUT_FORMATS"):
        try:
            return dt.datetime.strptime(text, date_format).date()
        except (ValueError, TypeError):
            continue
    raise ValueError(f"Enter the {label} date as a real date, like {example}")


class ChronologyQuery(Schema):
    """A chronology filter: event types and a date range, all optional."""

    type: list[str] = []
    agency: list[str] = []
    period: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @field_validator("type", mode="before")
    @classmethod
    def _known_types(cls, value: Any) -> list[str]:
        chosen = [str(v) for v in (value or [])]
        if any(v not in Event.EventType.values for v in chosen):
            raise ValueError("Choose event types from the list")
        return chosen

    @field_validator("agency", mode="before")
    @classmethod
    def _known_agencies(cls, value: Any) -> list[str]:
        chosen = [str(v) for v in (value or [])]
        if any(v not in AGENCY_CODES for v in chosen):
            raise ValueError("Choose agencies from the list")
        return chosen

    @field_validator("period", mode="before")
    @classmethod
    def _known_period(cls, value: Any) -> str:
        text = "" if value is None else str(value)
        if text and text not in PERIODS:
            raise ValueError("Choose a period from the list")
        return text

    @model_validator(mode="after")
    def _period_or_dates(self) -> ChronologyQuery:
        if self.period and (self.date_from or self.date_to):
            raise FieldError("period", "Choose a period or enter dates, not both")
        return self

    @field_validator("date_from", mode="before")
    @classmethod
    def _from(cls, value: Any) -> dt.date | None:
        return _date(value, "from", "2025-03-27")

    @field_validator("date_to", mode="before")
    @classmethod
    def _to(cls, value: Any, info: ValidationInfo) -> dt.date | None:
        end = _date(value, "to", "2026-01-31")
        start = info.data.get("date_from")
        if start and end and start > end:
            raise ValueError("The to date must be the same as or after the from date")
        return end


class PersonSearch(Schema):
    """Find a person by name, date of birth, identifier or postcode (at least one)."""

    name: str = ""
    date_of_birth: str = ""  # 27/03/2011, 03/2011, 27 March 2011, 2011 or ISO (2011-03-27)
    identifier: str = ""
    postcode: str = ""

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str:
        return _text(value, max_length=200)

    @field_validator("date_of_birth", mode="before")
    @classmethod
    def _date_of_birth(cls, value: Any) -> str:
        text = "" if value is None else str(value).strip()
        if "\x00" in text:
            raise ValueError(NULL_CHARACTERS)
        return read_date_of_birth(text)

    @field_validator("identifier", mode="before")
    @classmethod
    def _identifier(cls, value: Any) -> str:
        return _text(value, max_length=40)

    @field_validator("postcode", mode="before")
    @classmethod
    def _postcode(cls, value: Any) -> str:
        return normalise_postcode(_text(value, max_length=10))

    @model_validator(mode="after")
    def _something_to_find(self) -> PersonSearch:
        # Runs only when every field is fine, as on the search screen, which names the first.
        if not self.searched():
            raise FieldError("name", "Enter a name, date of birth, identifier or postcode")
        return self

    def searched(self) -> list[str]:
        """The fields the caller searched on (for the access log)."""
        return [k for k in ("name", "date_of_birth", "identifier", "postcode") if getattr(self, k)]


class WorkShow(Schema):
    """Which part of My work to show: all (the default), mine, team, role or overdue."""

    show: str = "all"

    @field_validator("show", mode="before")
    @classmethod
    def _choice(cls, value: Any) -> str:
        text = "" if value is None else str(value)
        if text and text not in {code for code, _label in SHOW_CHOICES}:
            raise ValueError("Choose all, mine, team, role or overdue")
        return text or "all"


class WorkQuery(WorkShow):
    """My work's filters, sort and page, checked with the screen's words (web.forms.WorkFilterForm)."""

    clause: list[str] = []
    severity: list[str] = []
    due: str = ""
    area: str = ""
    sort: str = "due"
    order: str = "asc"

    @field_validator("clause")
    @classmethod
    def _clauses(cls, value: list[str]) -> list[str]:
        known = {code for code, _label in clause_choices()}
        if any(c not in known for c in value):
            raise ValueError("Choose clauses from the list")
        return value

    @field_validator("severity")
    @classmethod
    def _severities(cls, value: list[str]) -> list[str]:
        if any(s not in {code for code, _label in SEVERITY_CHOICES} for s in value):
            raise ValueError("Choose critical, high, medium or low")
        return value

    @field_validator("area", mode="before")
    @classmethod
    def _area(cls, value: Any) -> str:
        text = "" if value is None else str(value)
        if not text:
            return ""
        area = area_named(text)
        if area is None:
            raise ValueError("Choose an area from the list")
        return area.name

    @field_validator("due", mode="before")
    @classmethod
    def _due(cls, value: Any) -> str:
        text = "" if value is None else str(value)
        if text and text not in {code for code, _label in DUE_CHOICES}:
            raise ValueError("Choose overdue, soon or later")
        return text

    @field_validator("sort", mode="before")
    @classmethod
    def _sort(cls, value: Any) -> str:
        text = "" if value is None else str(value)
        if text and text not in {code for code, _label in SORT_CHOICES}:
            raise ValueError("Sort by due, severity or clause")
        return text or "due"

    @field_validator("order", mode="before")
    @classmethod
    def _order(cls, value: Any) -> str:
        text = "" if value is None else str(value)
        if text and text not in {code for code, _label in ORDER_CHOICES}:
            raise ValueError("Choose the order asc or desc")
        return text or "asc"


class Rationale(Schema):
    """A resolution's rationale, checked for language that blames the child."""

    rationale: str

    @field_validator("rationale", mode="before")
    @classmethod
    def _checked(cls, value: Any) -> str:
        text = "" if value is None else str(value)
        if not text:
            raise ValueError(RATIONALE_REQUIRED)
        text = _text(text, max_length=4000, too_long="The rationale must be 4,000 characters or fewer", strip=False)
        problems, _ = rationale_problems(text, current_policy())
        if problems:
            raise ValueError(" ".join(problems))
        return text.strip()
