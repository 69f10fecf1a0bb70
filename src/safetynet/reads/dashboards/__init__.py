"""The oversight dashboards (docs/oversight.md "Dashboards"): each a table or two of counts
aggregated in the database, a bar chart of one column, filters (period, agency, area), the
list behind every number and a CSV of every table. `DASHBOARDS` names them by code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from safetynet.reads import person as people
from safetynet.reads.access import visible_individual_ids
from safetynet.reads.dashboards.base import BEHIND_LIMIT, Behind, Dashboard, Filters, Table
from safetynet.reads.dashboards.missing import DASHBOARD as MISSING
from safetynet.reads.dashboards.quality import BACKLOG, QUALITY
from safetynet.reads.dashboards.referrals import DASHBOARD as REFERRALS
from safetynet.reads.dashboards.work import MEETING_ACTIONS, OPEN_WORK

DASHBOARDS: dict[str, Dashboard] = {
    d.code: d for d in (MISSING, REFERRALS, OPEN_WORK, MEETING_ACTIONS, BACKLOG, QUALITY)
}

__all__ = ["BEHIND_LIMIT", "DASHBOARDS", "BehindRow", "Dashboard", "Filters", "Table", "behind_named"]


@dataclass(frozen=True)
class BehindRow:
    row: Behind
    name: str  # "" when the record is about no child the viewer may open

    @property
    def individual_id(self) -> int | None:
        return self.row.individual_id

    @property
    def named(self) -> bool:
        return bool(self.name)


def behind_named(
    user: Any, dashboard: Dashboard, filters: Filters, key: str, now: dt.datetime
) -> tuple[list[BehindRow], bool]:
    """The rows behind the number `key`, each with the child's name when the viewer may open
    their record; and whether the list was cut at BEHIND_LIMIT."""
    rows = list(dashboard.behind(filters, now, key))
    ids = sorted({r.individual_id for r in rows if r.individual_id is not None})
    visible = set(visible_individual_ids(user, ids))
    heads = people.headlines_for(visible, now.date())
    named = [
        BehindRow(
            r,
            (heads[r.individual_id].name if r.individual_id in heads else "Name not recorded")
            if r.individual_id in visible
            else "",
        )
        for r in rows
    ]
    return named, len(rows) >= BEHIND_LIMIT
