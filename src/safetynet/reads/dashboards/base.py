"""What every oversight dashboard shares: the filters (period, agency, area), a table of counts
with a drill-down key behind each number, the horizontal bar chart drawn from one of its
columns (server-rendered SVG: the same geometry as the timeliness chart), and the rows behind a
number.

Counting happens in the database (`values` / `annotate` / `Count`), one query per table: a
dashboard over a county of 150,000 children reads counts, never rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Case, CharField, Model, Q, QuerySet, Value, When

from safetynet.access.matrix import load
from safetynet.identity.models import Membership
from safetynet.lib.periods import bounds
from safetynet.reads.person import agency_sources

# The chart's geometry (SVG user units): a label column, then bars up to BAR_MAX wide.
LABEL_WIDTH, BAR_MAX, BAR_HEIGHT, BAR_GAP = 200, 240, 22, 8
BEHIND_LIMIT = 500
_M = TypeVar("_M", bound=Model)


@dataclass(frozen=True)
class Filters:
    """What a dashboard is narrowed to: the period (dates, both ends included), one agency's
    systems or roles (code, "" for all) and one area (`area_q(prefix)` gives the Q on a
    Person reached through `prefix`; None for the whole county)."""

    start: dt.date
    end: dt.date
    agency: str = ""
    area: str = ""
    area_q: Callable[[str], Q] | None = None

    @property
    def since(self) -> dt.datetime:
        return bounds(self.start, self.end)[0]

    @property
    def until(self) -> dt.datetime:
        return bounds(self.start, self.end)[1]

    def sources(self) -> list[str] | None:
        """The source systems of the chosen agency (None: every source)."""
        return agency_sources([self.agency]) if self.agency else None

    def roles(self) -> list[str] | None:
        """The roles of the chosen agency (None: every role)."""
        if not self.agency:
            return None
        return sorted(code for code, role in load().roles.items() if role.agency == self.agency)

    def person(self, prefix: str) -> Q:
        """The area's Q on the Person reached through `prefix` ("participations__person__"), or
        an empty Q for the whole county."""
        return self.area_q(prefix) if self.area_q is not None else Q()

    def narrow_to_area(self, rows: QuerySet[_M], field_name: str = "individual_id") -> QuerySet[_M]:
        """`rows` whose individual (`field_name`) has a person record in the area; all of them
        for the whole county."""
        if self.area_q is None:
            return rows
        inside = Membership.objects.filter(self.area_q("person__")).values("individual_id")
        return rows.filter(**{f"{field_name}__in": inside})


def role_agency_case(field_name: str = "owner_role") -> Case:
    """A database expression: the agency code of the role in `field_name` (the matrix's roles)."""
    by_agency: dict[str, list[str]] = {}
    for code, role in load().roles.items():
        by_agency.setdefault(role.agency, []).append(code)
    return Case(
        *[
            When(**{f"{field_name}__in": sorted(roles)}, then=Value(agency))
            for agency, roles in sorted(by_agency.items())
        ],
        default=Value(""),
        output_field=CharField(),
    )


@dataclass(frozen=True)
class Cell:
    value: int
    key: str = ""  # what the drill-down lists behind this number ("" when nothing can be listed)


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]
    code: str = ""  # the row's code, for the API and the CSV (a month, a grade, a role)


@dataclass(frozen=True)
class Bar:
    y: int
    width: int
    label: str
    value: int
    text_x: int
    text_y: int


@dataclass(frozen=True)
class Table:
    """One table of counts and its chart (bars of column `chart_column`)."""

    code: str
    title: str
    columns: list[str]
    rows: list[Row]
    chart_column: int = 0
    note: str = ""
    row_header: str = ""

    @property
    def chart_height(self) -> int:
        return max(1, len(self.rows)) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP

    @property
    def chart_width(self) -> int:
        return LABEL_WIDTH + BAR_MAX + 60

    @property
    def chart_label(self) -> str:
        return self.columns[self.chart_column] if self.columns else ""

    def bars(self) -> list[Bar]:
        """One horizontal bar per row, its length proportional to the charted column, the number
        written beside it (never colour alone)."""
        values = [r.cells[self.chart_column].value for r in self.rows]
        top = max(values, default=0) or 1
        out = []
        for i, (r, v) in enumerate(zip(self.rows, values, strict=True)):
            y = BAR_GAP + i * (BAR_HEIGHT + BAR_GAP)
            width = max(1, round(BAR_MAX * v / top)) if v else 0
            out.append(Bar(y, width, r.label, v, LABEL_WIDTH + width + 6, y + BAR_HEIGHT - 6))
        return out


@dataclass(frozen=True)
class Behind:
    """One row of the list behind a number: a record, the child it is about (None when it is
    about no child, or none is linked yet) and what it is, in words without names."""

    at: dt.datetime | dt.date | None
    individual_id: int | None
    what: str
    reference: str


@dataclass(frozen=True)
class Dashboard:
    code: str
    title: str
    description: str
    build: Callable[[Filters, dt.datetime], list[Table]]
    behind: Callable[[Filters, dt.datetime, str], Iterable[Behind]]
    uses_period: bool = True
    area_note: str = ""
    tables: list[str] = field(default_factory=list)


def count(rows: Iterable[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    """Rows of a `values(...).annotate(...)` query by the value of `key`."""
    return {row[key]: row for row in rows}
