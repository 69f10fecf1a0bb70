"""Person search for the search screen.

A search with a name goes to the identity app's `search_individuals` (typo and nickname
tolerant, served by its blocking index; the other fields count as evidence). A search
without a name is an exact look-up: every record whose date of birth starts with what was
typed, that carries the identifier, or that lives at the postcode. Either way this module
keeps only the people the viewer may see, before the results are cut to RESULT_LIMIT (a
teacher's six pupils called Wilson must not be hidden behind the county's other Wilsons), and
adds what a result row shows: age, last event (when the viewer may see it), top finding."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from safetynet.identity.models import Membership
from safetynet.identity.search import search_individuals
from safetynet.reads import person as people
from safetynet.reads.access import visible_event_ids, visible_individual_ids, visible_individuals
from safetynet.reads.findings import top_findings
from safetynet.records.models import Event

RESULT_LIMIT = 50
# How far down the ranked matches a name search reads to find RESULT_LIMIT the viewer may see.
WIDEST_NAME_SEARCH = 5000

# A date of birth as searched, in the form it is stored: a year, a year and month, or a full date.
DATE_OF_BIRTH_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"

DATE_OF_BIRTH_FORMAT = "Enter the date of birth like 27/03/2011, 03/2011, 27 March 2011 or 2011"
DATE_OF_BIRTH_UNREAL = "Enter a real date of birth, like 27/03/2011"

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_UK_NUMERIC = re.compile(r"^(?:(\d{1,2})[/.\- ])?(\d{1,2})[/.\- ](\d{4})$")  # 27/03/2011, 3/2011
_UK_WORDS = re.compile(r"^(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?([a-z]+)\.?,?\s+(\d{4})$")  # 27 March 2011, Mar 2011


def read_date_of_birth(text: str) -> str:
    """A searched date of birth in any form a UK user types it, as the stored partial date
    ("27/03/2011" and "27 March 2011" -> "2011-03-27", "3/2011" -> "2011-03", "2011");
    "" for nothing typed. Raises ValueError with the screen's words when it cannot be read or
    names no real date. Day first, as in the UK: 03/04/2011 is 3 April."""
    value = " ".join(text.strip().lower().split())
    if not value:
        return ""
    day: str | None
    if re.match(DATE_OF_BIRTH_PATTERN, value):
        iso = value
    elif found := _UK_NUMERIC.match(value):
        day, month, year = found.groups()
        iso = f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
    elif (found := _UK_WORDS.match(value)) and found.group(2) in _MONTHS:
        day, month_name, year = found.groups()
        iso = f"{year}-{_MONTHS[month_name]:02d}" + (f"-{int(day):02d}" if day else "")
    else:
        raise ValueError(DATE_OF_BIRTH_FORMAT)
    if not is_real_partial_date(iso):
        raise ValueError(DATE_OF_BIRTH_UNREAL)
    return iso


def is_real_partial_date(value: str) -> bool:
    """Whether a searched date of birth that matched DATE_OF_BIRTH_PATTERN names a real month
    or day ("2011-02-30" does not); a year alone always does."""
    if len(value) < 7:
        return True
    year, month, *rest = (int(part) for part in value.split("-"))
    try:
        dt.date(year, month, rest[0] if rest else 1)
    except ValueError:
        return False
    return True


def normalise_postcode(value: str) -> str:
    """A searched postcode in the stored form: capitals, one space ("ab12cd" -> "AB1 2CD")."""
    text = " ".join(value.upper().split())
    if text and " " not in text and len(text) > 4:
        text = f"{text[:-3]} {text[-3:]}"
    return text


@dataclass(frozen=True)
class SearchQuery:
    name: str = ""
    date_of_birth: str = ""  # YYYY, YYYY-MM or YYYY-MM-DD
    identifier: str = ""
    postcode: str = ""


@dataclass
class SearchResult:
    headline: people.Headline
    probability: float
    last_event: Event | None
    top_finding: Any = None  # the most severe finding the viewer may read (reads.findings.FindingRow)
    held_elsewhere: list[Any] = field(default_factory=list)  # notices for findings they may not (reads.disclosure)


@dataclass
class SearchPage:
    """One page of a search: its results, how many people were found in all (`total`; a
    lower bound when `total_exact` is False: a name search reads the best WIDEST_NAME_SEARCH
    matches at most), and the page's place."""

    results: list[SearchResult]
    total: int
    total_exact: bool
    page: int
    per_page: int = RESULT_LIMIT

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.results else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.per_page + len(self.results)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.last < self.total

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self) -> Any:
        return iter(self.results)


def _exact(query: SearchQuery, user: Any, page: int) -> tuple[list[tuple[int, float]], int, bool]:
    where = Q(person__recorded_at__isnull=False, person__deleted=False)
    if query.date_of_birth:
        where &= Q(person__date_of_birth__startswith=query.date_of_birth)
    if query.identifier:
        ident = query.identifier.strip().upper().replace(" ", "")
        where &= (
            Q(person__pnc_id__iexact=ident)
            | Q(person__nhs_number=ident)
            | Q(person__upn__iexact=ident)
            | Q(person__csc_id__iexact=ident)
        )
    if query.postcode:
        where &= Q(person__postcode=query.postcode) | Q(person__addresses__location__postcode=query.postcode)
    where &= Q(individual_id__in=visible_individuals(user).values("pk"))
    ids = Membership.objects.filter(where).order_by("individual_id").values_list("individual_id", flat=True).distinct()
    start = (page - 1) * RESULT_LIMIT
    return [(i, 1.0) for i in ids[start : start + RESULT_LIMIT]], ids.count(), True


def _by_name(query: SearchQuery, user: Any, page: int) -> tuple[list[tuple[int, float]], int, bool]:
    """The best name matches `user` may see, for `page`: reads further down the ranking (ten
    times as far each time, up to WIDEST_NAME_SEARCH) while hidden people keep the page short.
    The total is exact when the ranking ran out before the widest read."""
    wanted = page * RESULT_LIMIT + 1  # one more than the page, to know whether another follows
    limit = min(max(RESULT_LIMIT, wanted), WIDEST_NAME_SEARCH)
    while True:
        found = search_individuals(
            query.name.strip(),
            dob=query.date_of_birth or None,
            identifier=query.identifier.strip() or None,
            postcode=query.postcode or None,
            limit=limit,
        )
        allowed = set(visible_individual_ids(user, [r.individual_id for r in found]))
        shown = [(r.individual_id, r.probability) for r in found if r.individual_id in allowed]
        exhausted = len(found) < limit
        if len(shown) >= wanted or exhausted or limit >= WIDEST_NAME_SEARCH:
            start = (page - 1) * RESULT_LIMIT
            return shown[start : start + RESULT_LIMIT], len(shown), exhausted
        limit = min(limit * 10, WIDEST_NAME_SEARCH)


def search_people(query: SearchQuery, today: dt.date, *, user: Any, page: int = 1) -> SearchPage:
    """Individuals matching the query that `user` may see, best first, RESULT_LIMIT a page,
    with how many were found; a row's last event only when `user` may see that event (its
    type alone can tell a partner that intelligence or a health record exists)."""
    page = max(1, page)
    if query.name.strip():
        found, total, exact = _by_name(query, user, page)
    else:
        found, total, exact = _exact(query, user, page)
    ids = [i for i, _p in found]
    heads = people.headlines_for(ids, today)
    last = people.last_events(ids)
    seen = visible_event_ids(user, [e.pk for e in last.values() if e is not None])
    last = {i: e for i, e in last.items() if e is not None and e.pk in seen}
    now = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC)
    top = top_findings(user, ids, now, today, names={i: h.name for i, h in heads.items()})
    results = [
        SearchResult(
            heads[i],
            p,
            last.get(i),
            top[i].row if i in top else None,
            top[i].held_elsewhere if i in top else [],
        )
        for i, p in found
        if i in heads
    ]
    return SearchPage(results=results, total=total, total_exact=exact, page=page, per_page=RESULT_LIMIT)
