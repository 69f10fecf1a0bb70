"""The partnership escalation log for managers: the open escalations by owner agency and age,
the outcomes of those answered in a period, and the rows behind both for the report the
safeguarding partnership's meeting reads (CSV through the export helper).

Built on `reads.escalations`: the same escalations the viewer's agency raised or must answer
(`escalations_for`), the same rows (a child named only to a viewer who may open the record).
Ages are whole days since raised; answered "late" means after the response due at its level.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from safetynet.lib.periods import bounds
from safetynet.reads.escalations import EscalationRow, escalation_rows, escalations_for
from safetynet.risk.policy import current_policy
from safetynet.work.models import PartnershipEscalation

# Age bands of an open escalation, in days since raised: (from, to or None, label).
AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 7, "Under 1 week"),
    (7, 14, "1 to 2 weeks"),
    (14, 28, "2 to 4 weeks"),
    (28, None, "Over 4 weeks"),
)
REPORT_LIMIT = 5000


def age_band(days: int) -> int:
    """The index in AGE_BANDS of an escalation `days` old."""
    return next(i for i, (lo, hi, _l) in enumerate(AGE_BANDS) if days >= lo and (hi is None or days < hi))


@dataclass
class AgencyAges:
    agency: str
    bands: list[int]
    overdue: int
    at_partnership: int  # at the top level (the safeguarding partnership)

    @property
    def total(self) -> int:
        return sum(self.bands)


@dataclass
class AgencyOutcomes:
    agency: str
    outcomes: dict[str, int]  # outcome code -> answered in the period
    answered_late: int
    median_days: float | None

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())


@dataclass(frozen=True)
class PartnershipReport:
    period_from: dt.date
    period_to: dt.date
    bands: list[str]
    open_by_agency: list[AgencyAges]
    outcome_labels: list[tuple[str, str]]
    outcomes_by_agency: list[AgencyOutcomes]
    raised_in_period: int
    open_rows: list[EscalationRow]  # oldest first
    answered_rows: list[EscalationRow]  # answered in the period, newest answer first

    @property
    def open_total(self) -> int:
        return sum(a.total for a in self.open_by_agency)

    def band_totals(self) -> list[int]:
        return [sum(a.bands[i] for a in self.open_by_agency) for i in range(len(self.bands))]


def age_days(escalation: PartnershipEscalation, now: dt.datetime) -> int:
    end = escalation.answered_at or now
    return max(0, (end - escalation.raised_at).days)


def partnership_report(user: Any, now: dt.datetime, start: dt.date, end: dt.date) -> PartnershipReport:
    """The report for `user`'s agency's escalations: every one open now, by owner agency and
    age; those answered in [start, end], by owner agency and outcome."""
    lo, hi = bounds(start, end)
    mine = escalations_for(user).select_related("owner_agency", "raised_by_agency", "raised_by", "answered_by")
    open_ = list(mine.filter(status=PartnershipEscalation.Status.OPEN).order_by("raised_at", "pk")[:REPORT_LIMIT])
    answered = list(
        mine.filter(status=PartnershipEscalation.Status.ANSWERED, answered_at__gte=lo, answered_at__lt=hi).order_by(
            "-answered_at", "-pk"
        )[:REPORT_LIMIT]
    )
    levels_top = len(current_policy().document.partnership_escalation.levels)
    ages: dict[str, AgencyAges] = {}
    for e in open_:
        row = ages.setdefault(e.owner_agency.name, AgencyAges(e.owner_agency.name, [0] * len(AGE_BANDS), 0, 0))
        row.bands[age_band(age_days(e, now))] += 1
        row.overdue += e.is_overdue(now)
        row.at_partnership += e.level >= levels_top
    codes = list(PartnershipEscalation.Outcome.values)
    outcomes: dict[str, AgencyOutcomes] = {}
    days: dict[str, list[float]] = defaultdict(list)
    for e in answered:
        row_o = outcomes.setdefault(
            e.owner_agency.name, AgencyOutcomes(e.owner_agency.name, dict.fromkeys(codes, 0), 0, None)
        )
        if e.outcome in row_o.outcomes:
            row_o.outcomes[e.outcome] += 1
        row_o.answered_late += bool(e.answered_at and e.answered_at > e.response_due)
        if e.answered_at:
            days[e.owner_agency.name].append((e.answered_at - e.raised_at).total_seconds() / 86400)
    for name, row_o in outcomes.items():
        row_o.median_days = round(statistics.median(days[name]), 1) if days[name] else None
    return PartnershipReport(
        period_from=start,
        period_to=end,
        bands=[label for _lo, _hi, label in AGE_BANDS],
        open_by_agency=[ages[k] for k in sorted(ages)],
        outcome_labels=list(PartnershipEscalation.Outcome.choices),
        outcomes_by_agency=[outcomes[k] for k in sorted(outcomes)],
        raised_in_period=mine.filter(Q(raised_at__gte=lo) & Q(raised_at__lt=hi)).count(),
        open_rows=escalation_rows(user, open_, now),
        answered_rows=escalation_rows(user, answered, now),
    )
