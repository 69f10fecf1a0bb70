"""A child's repeat missing history: the counts (90 days, 12 months, ever), episodes by month for
the last two years with where the child was found each month, and each episode listed, read
from every missing report about the child from any system the viewer may see. The screen draws
the months as a bar chart (server-rendered SVG) with the same numbers in a table beside it."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from safetynet.identity.memberships import records_of
from safetynet.reads import access
from safetynet.reads.missing import grade_in_force
from safetynet.records.models import Event, Location

MONTHS = 24
CHART_HEIGHT = 120  # the SVG bars' full height, in px


@dataclass
class MonthRow:
    month: dt.date  # the first day of the month
    episodes: int
    found_at: list[tuple[str, int]]  # (place, times found there that month), most often first
    height: int  # the bar's height in the chart
    x: int  # the bar's left edge in the chart
    y: int  # the bar's top in the chart (bars stand on the chart's baseline)
    label: bool  # whether the month is named under the chart (every sixth)


@dataclass
class EpisodeRow:
    episode: Event
    started: dt.datetime | None
    found: dt.datetime | None  # when found (None while missing, or not readable)
    missing_now: bool
    found_place: str
    grade: str


@dataclass
class MissingHistory:
    individual_id: int
    last_90_days: int
    last_12_months: int
    ever: int
    months: list[MonthRow]
    episodes: list[EpisodeRow]
    most_found_at: list[tuple[str, int]]
    peak: int


def _when(value: Any) -> dt.datetime | None:
    """A recorded time, or None when absent or not readable (the page says so, never fails)."""
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _first_of_month(at: dt.datetime) -> dt.date:
    return at.date().replace(day=1)


def _months_back(today: dt.date, count: int) -> list[dt.date]:
    months, year, month = [], today.year, today.month
    for _ in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(months))


def _place_words(keys: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Each place's address as recorded, in one query ("a place not on record" when absent)."""
    if not keys:
        return {}
    wanted = Q()
    for source, sid in keys:
        wanted |= Q(source=source, source_id=sid)
    found = {(p.source, p.source_id): p for p in Location.live.filter(wanted)}
    out = {}
    for key in keys:
        place = found.get(key)
        if place is None:
            out[key] = "a place not on record"
        else:
            parts = [*(place.address_lines or []), place.town, place.postcode]
            out[key] = ", ".join(str(p) for p in parts if p) or "a place with no recorded address"
    return out


def history(user: Any, individual_id: int, now: dt.datetime) -> MissingHistory:
    """The child's missing history as the viewer may see it (the child fetched by the caller)."""
    found = access.visible_events(
        user,
        Event.live.filter(
            event_type="missing_report",
            participations__role="missing_person",
            participations__person_id__in=records_of(individual_id),
        ).distinct(),
    ).order_by("-occurred_at", "-pk")
    # The rows' details say all the history shows; the payload (the record as sent) is not read.
    found = found.only("pk", "source", "source_id", "event_type", "occurred_at", "details")
    episodes: list[EpisodeRow] = []
    reports = list(found)
    places = _place_words(
        {
            (str(ref.get("source")), str(ref.get("id")))
            for r in reports
            if isinstance(ref := (r.details or {}).get("found_location"), dict)
        }
    )
    for report in reports:
        d = report.details or {}
        ref = d.get("found_location")
        key = (str(ref.get("source")), str(ref.get("id"))) if isinstance(ref, dict) else None
        episodes.append(
            EpisodeRow(
                report,
                report.occurred_at,
                _when(d.get("found_at")),
                not d.get("found_at"),
                places.get(key, "") if key else "",
                grade_in_force(d),
            )
        )
    dated = [(e.started, e) for e in episodes if e.started is not None]
    per_month: Counter[dt.date] = Counter(_first_of_month(at) for at, _ in dated)
    found_in: dict[dt.date, Counter[str]] = defaultdict(Counter)
    for at, e in dated:
        if e.found_place:
            found_in[_first_of_month(at)][e.found_place] += 1
    months = _months_back(now.date(), MONTHS)
    peak = max([per_month[m] for m in months] + [1])
    rows = [
        MonthRow(m, per_month[m], found_in[m].most_common(), h, 20 * i, 10 + CHART_HEIGHT - h, i % 6 == 0)
        for i, m in enumerate(months)
        for h in [round(CHART_HEIGHT * per_month[m] / peak)]
    ]
    everywhere: Counter[str] = Counter(e.found_place for e in episodes if e.found_place)
    return MissingHistory(
        individual_id=individual_id,
        last_90_days=sum(1 for at, _ in dated if at > now - dt.timedelta(days=90)),
        last_12_months=sum(1 for at, _ in dated if at > now - dt.timedelta(days=365)),
        ever=len(episodes),
        months=rows,
        episodes=episodes,
        most_found_at=everywhere.most_common(5),
        peak=peak,
    )


def log_history(user: Any, found: MissingHistory) -> None:
    access.log_view(
        user,
        object_type="event",
        object_ids=[e.episode.pk for e in found.episodes],
        individual_ids=[found.individual_id],
        fields=["missing_history"],
    )
