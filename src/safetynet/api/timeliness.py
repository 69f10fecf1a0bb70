"""Timeliness over REST (`/api/v1/timeliness`): breaches of the policy's clocks per clause and
team in a period, with the clocks each clause ran and the breaches per 100 clocks beside them
(docs/oversight.md "Timeliness as a rate"); the screen's filters and refusals (422 naming the
field)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from safetynet.api.schemas import answers
from safetynet.lib.clock import system_clock
from safetynet.lib.periods import PeriodRefused
from safetynet.reads.dashboards import filters_asked
from safetynet.reads.timeliness import CLOCKS, timeliness
from safetynet.reads.timeliness import teams as timeliness_teams

router = Router(tags=["dashboards"])


class TimelinessFilters(Schema):
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    team: str = ""
    area: str = ""


class TimelinessRowOut(Schema):
    clause: str
    clause_title: str
    team: str
    team_label: str
    breaches: int
    children: int
    clocks: int | None  # records that started the clause's clocks in the period (null: not a clock)
    rate: float | None  # breaches per 100 clocks run (null: not a clock, or none ran)
    clocks_started_by: str  # what starts the clause's clocks, in words ("" when it is not a clock)


class TimelinessOut(Schema):
    period_from: dt.date
    period_to: dt.date
    team: str
    area: str
    breaches: int
    rows: list[TimelinessRowOut]


@router.get("", response=answers(TimelinessOut, 401, 403, 422), url_name="timeliness")
def timeliness_view(request: HttpRequest, filters: Query[TimelinessFilters]) -> TimelinessOut:
    """Breaches per clause and team in the period (default: the last 90 days), with the clocks run
    and the rate; one team and one area when asked."""
    today = system_clock.now().date()
    try:
        chosen = filters_asked(filters.period_from, filters.period_to, "", filters.area, today)
    except PeriodRefused as refused:
        raise HttpError(422, str(refused)) from None
    teams = [code for code, _label in timeliness_teams()]
    if filters.team and filters.team not in teams:
        raise HttpError(422, f"team: expected one of {', '.join(teams) or 'no teams (no breaches yet)'}")
    found = timeliness(chosen.start, chosen.end, filters.team, chosen.area_q)
    return TimelinessOut(
        period_from=found.period_from,
        period_to=found.period_to,
        team=found.team,
        area=chosen.area,
        breaches=found.breaches,
        rows=[
            TimelinessRowOut(
                clause=r.clause,
                clause_title=r.clause_title,
                team=r.team,
                team_label=r.team_label,
                breaches=r.breaches,
                children=r.children,
                clocks=r.clocks,
                rate=r.rate,
                clocks_started_by=CLOCKS[r.clause].started_by if r.clause in CLOCKS else "",
            )
            for r in found.rows
        ],
    )
