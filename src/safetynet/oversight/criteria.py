"""The case file audit's criteria: a versioned YAML file beside the risk policy (policy data a
force can read and change without code).

`load_criteria(path)` validates the file (pydantic) and returns `AuditCriteria`, or raises
`CriteriaError` naming the file, the line and what was expected, exactly as the risk policy
does (`risk.policy`). `current_criteria()` is the set in force; `install_criteria(path)`
replaces it only when the new file is valid. Every sample and grade records the version it was
drawn or given against.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from safetynet.lib.yaml_documents import parse_document, read_text
from safetynet.records.models import Event, Marker, Participation
from safetynet.risk.policy import CLAUSES

DEFAULT_CRITERIA_PATH = Path(__file__).parent / "criteria" / "default.yaml"

# What a criterion's answer may be.
ANSWERS: dict[str, str] = {"met": "Met", "not_met": "Not met", "not_applicable": "Not applicable"}


class CriteriaError(Exception):
    """A criteria file that cannot be used; the message names file, line and what was expected."""


class DetailCondition(BaseModel):
    """One condition on an event's `details` (`path` dotted): exactly one of `equals`,
    `contains` (a list holding the value), `in` (the value one of these) or `absent`."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    path: str = Field(min_length=1)
    equals: str | bool | int | None = None
    contains: str | None = None
    one_of: list[str] | None = Field(default=None, alias="in")
    absent: bool = False

    @model_validator(mode="after")
    def _one_test(self) -> DetailCondition:
        tests = [self.equals is not None, self.contains is not None, self.one_of is not None, self.absent]
        if sum(tests) != 1:
            raise ValueError("expected exactly one of equals, contains, in or absent: true")
        return self

    def holds(self, details: dict[str, Any]) -> bool:
        value: Any = details
        for part in self.path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if self.absent:
            return value is None or value == {} or value == ""
        if self.contains is not None:
            return isinstance(value, list) and self.contains in value
        if self.one_of is not None:
            return value in self.one_of
        return bool(value == self.equals)


class RecordSelector(BaseModel):
    """Which records are cases of an area: events of a type (with the participant roles whose
    person is the case's subject and conditions on the details), markers, or findings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: str | None = None
    roles: list[str] = Field(default_factory=list)
    subjects_in_details: str | None = None
    details: list[DetailCondition] = Field(default_factory=list)
    marker_types: list[str] = Field(default_factory=list)
    finding_clauses: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_kind(self) -> RecordSelector:
        kinds = [self.event_type is not None, bool(self.marker_types), bool(self.finding_clauses)]
        if sum(kinds) != 1:
            raise ValueError("expected exactly one of event_type, marker_types or finding_clauses")
        if self.event_type is not None and self.event_type not in Event.EventType.values:
            raise ValueError(f"expected an event type ({', '.join(Event.EventType.values)})")
        if self.event_type is not None and not self.roles:
            raise ValueError("expected `roles`: the participant roles whose person the case is about")
        unknown = [r for r in self.roles if r not in Participation.Role.values]
        unknown += [m for m in self.marker_types if m not in Marker.MarkerType.values]
        unknown += [c for c in self.finding_clauses if c not in CLAUSES]
        if unknown:
            raise ValueError(f"expected known roles, marker types and clause ids, not {', '.join(unknown)}")
        return self

    @property
    def kind(self) -> str:
        return "event" if self.event_type else "marker" if self.marker_types else "finding"


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: str = Field(min_length=5)
    key: bool = False


class Area(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=3)
    records: list[RecordSelector] = Field(min_length=1)
    criteria: list[Criterion] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_criteria(self) -> Area:
        ids = [c.id for c in self.criteria]
        if len(set(ids)) != len(ids):
            raise ValueError("expected each criterion id once in an area")
        return self


class GradeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z_]*$")
    label: str


class CriteriaDocument(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    name: str = ""
    scale: list[GradeSpec] = Field(min_length=3, max_length=3)
    areas: dict[str, Area] = Field(min_length=1)

    @model_validator(mode="after")
    def _scale(self) -> CriteriaDocument:
        if [g.code for g in self.scale] != ["good", "requires_improvement", "inadequate"]:
            raise ValueError("expected the scale good, requires_improvement, inadequate (best first)")
        return self


@dataclass(frozen=True)
class AuditCriteria:
    document: CriteriaDocument
    path: str

    @property
    def version(self) -> str:
        return self.document.version

    @property
    def grades(self) -> dict[str, str]:
        """grade code -> label, best first."""
        return {g.code: g.label for g in self.document.scale}

    @property
    def areas(self) -> dict[str, Area]:
        return self.document.areas

    def area(self, code: str) -> Area:
        return self.document.areas[code]

    def suggested_grade(self, area: str, answers: dict[str, str]) -> str:
        """The grade the answers suggest: a key criterion not met -> inadequate; any other not
        met -> requires improvement; otherwise good."""
        criteria = self.area(area).criteria
        if any(answers.get(c.id) == "not_met" for c in criteria if c.key):
            return "inadequate"
        if any(answers.get(c.id) == "not_met" for c in criteria):
            return "requires_improvement"
        return "good"


def parse_criteria(text: str, path: str = "<criteria>") -> AuditCriteria:
    """The validated criteria in `text`; CriteriaError naming `path`, line and expectation."""
    doc, _root = parse_document(
        text, path, CriteriaDocument, shape="a mapping with version, scale and areas", error=CriteriaError
    )
    return AuditCriteria(document=doc, path=path)


def load_criteria(path: str | Path) -> AuditCriteria:
    return parse_criteria(read_text(path, "criteria file", CriteriaError), str(path))


_current: AuditCriteria | None = None


def current_criteria() -> AuditCriteria:
    """The criteria in force (the shipped default until another is installed)."""
    global _current
    if _current is None:
        _current = load_criteria(DEFAULT_CRITERIA_PATH)
    return _current


def install_criteria(path: str | Path) -> AuditCriteria:
    """Puts the criteria at `path` in force; a bad file raises CriteriaError and the running
    criteria stay in force."""
    global _current
    found = load_criteria(path)
    _current = found
    return found
