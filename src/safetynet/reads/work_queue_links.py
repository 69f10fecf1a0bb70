"""The links of My work's queue (GOV.UK pagination, MoJ sortable headers and selected-filter
tags), each a query string from `QueueQuery.querystring`, so every one keeps the tab, filters,
sort and page it does not change."""

from __future__ import annotations

from dataclasses import dataclass

from safetynet.reads.labels import label
from safetynet.reads.work_queue import DUE_CHOICES, SORT_CHOICES, MyWork, QueueQuery


def page_items(found: MyWork) -> list[tuple[int | None, str]]:
    """The numbered links of the pagination: (page, query string), None for an ellipsis;
    the first, the last and two either side of the current page (GOV.UK pagination)."""
    wanted = {1, found.pages} | set(range(found.page - 2, found.page + 3))
    items: list[tuple[int | None, str]] = []
    previous = 0
    for number in sorted(n for n in wanted if 1 <= n <= found.pages):
        if number > previous + 1:
            items.append((None, ""))
        items.append((number, found.query.querystring(page=number) or "?"))
        previous = number
    return items


def selected_filters(query: QueueQuery) -> list[tuple[str, list[tuple[str, str]]]]:
    """The filters applied, for the MoJ filter's "Selected filters": (heading, [(text, the
    query string without that one)]), so each tag removes itself."""
    dues = dict(DUE_CHOICES)
    groups = [
        (
            "Clause",
            [(c, query.querystring(clauses=tuple(x for x in query.clauses if x != c), page=1)) for c in query.clauses],
        ),
        (
            "Severity",
            [
                (label(s), query.querystring(severities=tuple(x for x in query.severities if x != s), page=1))
                for s in query.severities
            ],
        ),
        ("Due", [(dues.get(query.due, query.due), query.querystring(due="", page=1))] if query.due else []),
        ("Area", [(query.area, query.querystring(area="", page=1))] if query.area else []),
    ]
    return [(heading, [(text, link or "?") for text, link in tags]) for heading, tags in groups if tags]


@dataclass(frozen=True)
class SortHeader:
    """A sortable column's header: a link that sorts by it (MoJ sortable table, without JS)."""

    key: str
    text: str
    aria_sort: str  # ascending, descending or none
    link: str


def sort_headers(query: QueueQuery) -> dict[str, SortHeader]:
    """The sortable headers (due, severity, clause): the current one links to the other order."""
    headers = {}
    for key, text in SORT_CHOICES:
        current = query.sort == key
        order = "desc" if current and query.order == "asc" else "asc"
        aria = ("ascending" if query.order == "asc" else "descending") if current else "none"
        headers[key] = SortHeader(key, text, aria, query.querystring(sort=key, order=order, page=1) or "?")
    return headers
