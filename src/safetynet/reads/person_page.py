"""Everything the person page shows a viewer, built once for the screen, its PDF export and the
API's PDF: the same access rules (scope, field-level redaction, findings disclosure, people the
viewer may not open), so an export can never show more than the page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.http import HttpRequest, HttpResponse

from safetynet.exports.services import export_pdf
from safetynet.identity.models import Individual
from safetynet.reads import access
from safetynet.reads import person as people
from safetynet.reads.chronology import in_words, shown_people
from safetynet.reads.disclosure import disclose, readable_refs
from safetynet.reads.findings import current_findings, rows_for
from safetynet.reads.identity_panel import explain_rows, possible_matches
from safetynet.reads.naming import NamedLine, named_for, shown_individuals
from safetynet.reads.summary import group_by_clause, split_practice, summarise
from safetynet.risk.policy import current_policy

# The access-log fields of a person page (what it consulted).
PERSON_PAGE_FIELDS = ["identity", "markers", "orders", "plans", "relationships", "chronology", "summary"]
# A PDF of the person page carries the chronology as filtered on screen, every page of it up to
# this many events, newest first (about 15 printed pages; a longer history is exported a date
# range at a time, which the copy says).
PDF_CHRONOLOGY_EVENTS = 200


@dataclass
class PersonPage:
    context: dict[str, Any]
    person_ids: list[int]
    named: list[NamedLine]
    # Children whose records a probable match's provisional findings shown here are about too.
    probable: list[int] = field(default_factory=list)
    # Other people the chronology names by name (reads.chronology.shown_people).
    in_chronology: list[int] = field(default_factory=list)

    @property
    def log_fields(self) -> list[str]:
        return PERSON_PAGE_FIELDS + (["probable_match_findings"] if self.probable else [])

    def pdf(self, request: HttpRequest, individual: Individual) -> HttpResponse:
        """This page as a PDF (the screen's template), written to the access log as an export
        of the child, of anyone its findings name to the viewer, and of a probable match's
        other child whose provisional findings it shows. Raises ExportRefused."""
        in_findings = shown_individuals(self.named)
        named = sorted({*in_findings, *self.in_chronology} - {individual.pk})
        return export_pdf(
            request,
            "web/person.html",
            self.context,
            title=f"Person record {individual.pk}",
            individual_ids=[individual.pk, *named, *self.probable],
            object_type="individual",
            object_ids=[individual.pk],
            fields=[
                *self.log_fields,
                *(["named_in_finding"] if in_findings else []),
                *(["named_in_chronology"] if self.in_chronology else []),
            ],
            filename=f"person-{individual.pk}",
        )


def person_page(
    user: Any,
    individual: Individual,
    now: dt.datetime,
    *,
    chronology: people.ChronologyFilter,
    page_number: int,
    page_size: int = people.CHRONOLOGY_PAGE_SIZE,
    show_tasks: bool,
    may_decide: bool,
) -> PersonPage:
    """The person page's template context for `user`, who may open `individual` (fetched with
    `access.individual_for_user`). Logs nothing: the caller writes a view or an export entry."""
    today = now.date()
    rows = people.source_records(individual.pk)
    person_ids = [row.person.pk for row in rows]
    explain_rows(rows, today)
    headline = people.headline(individual.pk, [r.person for r in rows], today)
    disclosed = disclose(user, current_findings([individual.pk], with_tasks=True))
    findings = rows_for(disclosed.shown, now, today, names={individual.pk: headline.name}, show_tasks=show_tasks)
    named = named_for(user, disclosed.shown)
    for row in findings:
        row.named = named.get(row.finding.pk, [])
    page, entries = people.chronology_page(
        person_ids, chronology, page_number, restrict=access.event_filter(user), page_size=page_size
    )
    access.redact_events(user, [entry.event for entry in entries])
    lines = in_words(user, entries, person_ids, current_policy())
    matches = possible_matches(person_ids, may_open=access.may_open(user), readable=partial(readable_refs, user))
    markers = list(access.visible_markers(user, people.markers(person_ids)))
    orders = access.orders_for(user, people.orders(person_ids))
    plans = list(access.visible_plans(user, people.plans(person_ids)))
    policy = current_policy()
    summary = summarise(
        user,
        rows=findings,
        held_elsewhere=len(disclosed.held_elsewhere),
        markers=markers,
        orders=orders,
        plans=plans,
        people=[r.person for r in rows],
        now=now,
        policy=policy,
        restrict=access.event_filter(user),
        show_tasks=show_tasks,
    )
    context: dict[str, Any] = {
        "individual": individual,
        "headline": headline,
        "source_rows": rows,
        "anchor_id": min(person_ids) if person_ids else None,
        "possible_matches": matches,
        "may_decide": may_decide,
        "markers": markers,
        "orders": orders,
        "plans": plans,
        "summary": summary,
        "relationships": people.relationships(person_ids, today, may_open=access.may_open(user)),
        # Practice findings have their own section (summary.practice), not the act-now list;
        # the full list is grouped by clause like the summary (the most severe group first).
        "finding_groups": group_by_clause(split_practice(findings)[0], policy),
        "held_elsewhere": disclosed.held_elsewhere,
        "page": page,
        "entries": lines,
        "chronology_filter": chronology,
    }
    # A probable match's provisional findings are about the other child's records too.
    probable = sorted({m.other_individual_id for m in matches if m.provisional and m.other_individual_id})
    named_lines = [line for found in named.values() for line in found]
    return PersonPage(context, person_ids, named_lines, probable, shown_people(lines))
