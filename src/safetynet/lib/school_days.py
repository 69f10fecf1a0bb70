"""School days: when the next school day begins after a moment, where the force is.

Operation Encompass (D1) asks the police to tell a school before the next school day begins.
A school day is a weekday that is not a bank holiday nor a listed closure, and, when the
force lists its schools' terms, inside one of them. Outside the span the listed terms cover
(a calendar not yet filled in for next year) every weekday that is not closed counts, so an
out-of-date calendar never pushes a deadline out by months. The school day begins at `hour`
o'clock local time (`zone`: the force's time zone, so 09:00 is 09:00 in summer too).

Pure Python (the synthetic county generator uses it too, so its planted failures are judged
by the same calendar as the rules)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

# England and Wales bank holidays (gov.uk/bank-holidays), by the name a policy gives them.
BANK_HOLIDAYS: dict[str, frozenset[dt.date]] = {
    "none": frozenset(),
    "england_and_wales": frozenset(
        dt.date.fromisoformat(d)
        for d in (
            "2023-01-02 2023-04-07 2023-04-10 2023-05-01 2023-05-08 2023-05-29 2023-08-28 2023-12-25 2023-12-26 "
            "2024-01-01 2024-03-29 2024-04-01 2024-05-06 2024-05-27 2024-08-26 2024-12-25 2024-12-26 "
            "2025-01-01 2025-04-18 2025-04-21 2025-05-05 2025-05-26 2025-08-25 2025-12-25 2025-12-26 "
            "2026-01-01 2026-04-03 2026-04-06 2026-05-04 2026-05-25 2026-08-31 2026-12-25 2026-12-28 "
            "2027-01-01 2027-03-26 2027-03-29 2027-05-03 2027-05-31 2027-08-30 2027-12-27 2027-12-28"
        ).split()
    ),
}
SEARCH_DAYS = 400  # a calendar closed longer than this is refused on load, never searched forever


@dataclass(frozen=True)
class SchoolCalendar:
    zone: str = "Europe/London"
    closed: frozenset[dt.date] = frozenset()
    terms: tuple[tuple[dt.date, dt.date], ...] = ()
    _span: tuple[dt.date, dt.date] | None = field(default=None, compare=False)

    @classmethod
    def of(
        cls,
        zone: str,
        *,
        bank_holidays: str = "none",
        closed: Iterable[dt.date] = (),
        terms: Iterable[tuple[dt.date, dt.date]] = (),
    ) -> SchoolCalendar:
        listed = tuple(sorted(terms))
        span = (listed[0][0], max(last for _, last in listed)) if listed else None
        return cls(zone, BANK_HOLIDAYS[bank_holidays] | frozenset(closed), listed, span)

    def is_school_day(self, day: dt.date) -> bool:
        if day.weekday() >= 5 or day in self.closed:
            return False
        if self._span is None or not self._span[0] <= day <= self._span[1]:
            return True
        return any(first <= day <= last for first, last in self.terms)

    def next_start(self, at: dt.datetime, hour: int) -> dt.datetime:
        """The first school day's start (`hour`:00 local) after `at` (an aware datetime)."""
        zone = ZoneInfo(self.zone)
        day = at.astimezone(zone).date()
        for _ in range(SEARCH_DAYS):
            start = dt.datetime.combine(day, dt.time(hour), tzinfo=zone)
            if start > at and self.is_school_day(day):
                return start.astimezone(at.tzinfo)
            day += dt.timedelta(days=1)
        raise ValueError(f"no school day within {SEARCH_DAYS} days of {at.isoformat()}")


ENGLAND_AND_WALES = SchoolCalendar.of("Europe/London", bank_holidays="england_and_wales")
