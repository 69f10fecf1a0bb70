"""A chronology that reads: each event of a child's history in words, for one viewer.

An entry names who took part by name (a person the viewer may not open reads "a person you
do not have access to", as everywhere: docs/access.md), where it happened by address, which
agency's system recorded it, when in the GOV.UK style ("5 December 2026 at 14:20"), what the
record says in a few plain sentences (a missing report: where from, last seen, found, the
return home interview), and its free text with blaming phrases marked (reads.language_marks).

Built from events the caller has fetched and redacted for the viewer (reads.person's
chronology queries, then access.redact_events), for a page of them or all of them, in a fixed
number of queries whatever their number: the people, the places and records their details
name, and the agencies' systems are each read once for the whole list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from safetynet.identity.memberships import individual_of_people
from safetynet.reads.access import may_open
from safetynet.reads.details import FIELDS, Ref, lines_of, reference_labels, refs_in
from safetynet.reads.labels import label, uk_date, uk_datetime
from safetynet.reads.language_marks import LanguageNote, MarkedText, marked_texts, notes_of
from safetynet.reads.network import location_label
from safetynet.reads.person import (
    NO_ACCESS_NAME,
    SAFETYNET_AGENCY,
    SAFETYNET_AGENCY_NAME,
    ChronologyEntry,
    display_name,
    source_agencies,
)
from safetynet.records.models import Event, Participation
from safetynet.risk.policy import Policy

# How many of a type's detail fields an entry of a type without its own sentences shows.
GENERIC_FACTS = 3


@dataclass(frozen=True)
class Mention:
    """A person an entry names, as the viewer may read them."""

    role: str  # their part in the event, in words ("Missing person")
    name: str
    individual_id: int | None  # to link to their page; None for this child and the withheld
    this_child: bool = False
    shown: bool = True  # False: the viewer may not open them (NO_ACCESS_NAME)


@dataclass
class ChronologyLine:
    """One chronology entry in words."""

    event: Event
    roles: list[str]  # this child's roles in it
    when: str
    until: str
    agency: str
    place: str
    people: list[Mention]
    facts: list[str]
    texts: list[MarkedText]
    notes: list[LanguageNote] = field(default_factory=list)

    @property
    def note_prefix(self) -> str:
        """The ids of this entry's language notes start with this (unique on a page)."""
        return f"language-note-{self.event.pk}"

    @property
    def summary(self) -> MarkedText | None:
        return next((t for t in self.texts if t.title == "Summary"), None)

    @property
    def other_texts(self) -> list[MarkedText]:
        """Free texts besides the summary that carry a marked phrase (a risk rationale ...)."""
        return [t for t in self.texts if t.title != "Summary" and t.marked]


def _moment(value: Any) -> str:
    """A timestamp from an event's details ("2025-12-21T02:00:00Z") in the GOV.UK style; text
    that is not one is returned as it is."""
    text = str(value or "")
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if len(text) <= 10:
        return uk_date(parsed.date())
    return uk_datetime(parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC))


def _text(value: Any, labels: dict[Ref, str]) -> str:
    return "; ".join(lines_of(value, labels))


def _sentence(*parts: str) -> str:
    words = " ".join(p for p in parts if p).strip()
    if not words:
        return ""
    return words[:1].upper() + words[1:] + ("" if words.endswith((".", "?", "!")) else ".")


def _missing_facts(event: Event, d: dict[str, Any], labels: dict[Ref, str]) -> list[str]:
    facts = [
        _sentence(
            "reported missing",
            f"from {label(d['missing_from']).lower()}" if d.get("missing_from") else "",
            f"by {_text(d['reported_by'], labels)}" if d.get("reported_by") else "",
        ),
    ]
    if d.get("last_seen_at") or d.get("last_seen_location"):
        where = f"at {_text(d['last_seen_location'], labels)}" if d.get("last_seen_location") else ""
        facts.append(_sentence("last seen", _moment(d.get("last_seen_at")), where))
    if d.get("initial_risk"):
        reviews = [r for r in d.get("reviews") or [] if isinstance(r, dict)]
        last = next((str(r["risk"]) for r in reversed(reviews) if r.get("risk")), "")
        graded = f"; {len(reviews)} risk review{'s' if len(reviews) != 1 else ''}" if reviews else ""
        then = f", the last graded {last}" if last and reviews else ""
        facts.append(_sentence(f"initial risk {label(d['initial_risk']).lower()}{graded}{then}"))
    facts.append(_found(event, d, labels))
    interview = d.get("return_home_interview")
    if isinstance(interview, dict):
        if interview.get("completed_at"):
            facts.append(_sentence("return home interview held", _moment(interview["completed_at"])))
        elif interview.get("offered_at"):
            facts.append(
                _sentence("return home interview offered", _moment(interview["offered_at"]), "(not recorded as held)")
            )
    return [f for f in facts if f]


def _found(event: Event, d: dict[str, Any], labels: dict[Ref, str]) -> str:
    if not (d.get("found_at") or d.get("found_location") or event.ended_at):
        return "No return recorded."
    how = ""
    if d.get("returned_of_own_accord") is True:
        how = "(returned of their own accord)"
    elif d.get("found_by") and d.get("found_by") != "returned":
        how = f"by {_text(d['found_by'], labels)}"
    when = _moment(d.get("found_at")) if d.get("found_at") else uk_datetime(event.ended_at)
    where = f"at {_text(d['found_location'], labels)}" if d.get("found_location") else ""
    return _sentence("found", when, where, how)


def _incident_facts(event: Event, d: dict[str, Any], labels: dict[Ref, str]) -> list[str]:
    facts = []
    if d.get("domestic_abuse") is True:
        facts.append("Domestic abuse incident.")
    if d.get("children_present") is True:
        facts.append("Children were present.")
    thrive = d.get("thrive")
    if isinstance(thrive, dict) and thrive.get("grade"):
        facts.append(_sentence(f"graded {label(thrive['grade']).lower()} (THRIVE)"))
    return facts


def _referral_facts(event: Event, d: dict[str, Any], labels: dict[Ref, str]) -> list[str]:
    facts = []
    if d.get("concern"):
        facts.append(_sentence("concerns:", _text(d["concern"], labels).replace("_", " ")))
    if d.get("referrer"):
        facts.append(_sentence("referred by", _text(d["referrer"], labels)))
    for key, words in (("triage", "triage"), ("outcome", "outcome")):
        if d.get(key):
            facts.append(_sentence(f"{words}: {_text(d[key], labels)}"))
    return facts


def _crime_facts(event: Event, d: dict[str, Any], labels: dict[Ref, str]) -> list[str]:
    facts = []
    if d.get("offence"):
        status = f"({_text(d['status'], labels)})" if d.get("status") else ""
        facts.append(_sentence("offence:", _text(d["offence"], labels), status))
    if d.get("sexual_offence") is True:
        facts.append("A sexual offence.")
    if d.get("online") is True:
        facts.append("Committed online.")
    return facts


def _generic_facts(event: Event, d: dict[str, Any], labels: dict[Ref, str]) -> list[str]:
    """The first few of the type's known fields, each as "Label: value"."""
    known = [(key, title) for key, title in FIELDS.get(event.event_type, []) if d.get(key) not in (None, "", [], {})]
    return [_sentence(f"{title}: {_text(d[key], labels)}") for key, title in known[:GENERIC_FACTS]]


FACTS: dict[str, Callable[[Event, dict[str, Any], dict[Ref, str]], list[str]]] = {
    "missing_report": _missing_facts,
    "incident": _incident_facts,
    "referral": _referral_facts,
    "crime": _crime_facts,
}


def _mentions(
    events: list[Event], person_ids: set[int], viewer_opens: Callable[[Iterable[int]], set[int]]
) -> dict[int, list[Mention]]:
    """event id -> who took part: this child first (as their record in that system names them),
    then everyone else by role and name, a person the viewer may not open as NO_ACCESS_NAME."""
    parts = list(
        Participation.objects.filter(
            event_id__in=[e.pk for e in events], person__recorded_at__isnull=False, person__deleted=False
        )
        .select_related("person")
        .only("event_id", "role", "person", "person__given_names", "person__family_name")
        .order_by("event_id", "pk")
    )
    individual_of = individual_of_people({p.person_id for p in parts if p.person_id not in person_ids})
    openable = viewer_opens(set(individual_of.values()))
    out: dict[int, list[Mention]] = {}
    seen: set[tuple[int, object, str]] = set()
    for part in parts:
        child = part.person_id in person_ids
        individual = individual_of.get(part.person_id)
        key = (part.event_id, "child" if child else (individual or f"p{part.person_id}"), part.role)
        if key in seen:
            continue  # the same person through two of their records
        seen.add(key)
        if child:
            mention = Mention(label(part.role), display_name(part.person), None, this_child=True)
        elif individual is not None and individual in openable:
            mention = Mention(label(part.role), display_name(part.person), individual)
        else:
            mention = Mention(label(part.role), NO_ACCESS_NAME, None, shown=False)
        out.setdefault(part.event_id, []).append(mention)
    for mentions in out.values():
        # Sorted after masking, so a withheld person's place says nothing about their name.
        mentions.sort(key=lambda m: (not m.this_child, m.role, m.name))
    return out


def _agency_words(source: str, agency: str) -> str:
    """ "Police (mispers)"; the product's own records as "Recorded in safetynet"; a system no
    agency claims by its code."""
    if source == SAFETYNET_AGENCY:
        return SAFETYNET_AGENCY_NAME
    return f"{agency} ({source})" if agency else source


def in_words(user: Any, entries: list[ChronologyEntry], person_ids: list[int], policy: Policy) -> list[ChronologyLine]:
    """`entries` (events already redacted for `user`) as lines in words for `user`."""
    events = [entry.event for entry in entries]
    mentions = _mentions(events, set(person_ids), may_open(user))
    refs = {ref for e in events for ref in refs_in(e.details or {})}
    labels = reference_labels(user, refs) if refs else {}
    agencies = source_agencies() if events else {}
    lines = []
    for entry in entries:
        event, details = entry.event, entry.event.details or {}
        texts = marked_texts(event.summary or "", details, policy)
        agency = agencies.get(event.source, "")
        lines.append(
            ChronologyLine(
                event=event,
                roles=entry.roles,
                when=uk_datetime(event.occurred_at),
                until=uk_datetime(event.ended_at),
                agency=_agency_words(event.source, agency),
                place=location_label(event.location),
                people=mentions.get(event.pk, []),
                facts=FACTS.get(event.event_type, _generic_facts)(event, details, labels),
                texts=texts,
                notes=notes_of(texts),
            )
        )
    return lines


def shown_people(lines: Iterable[ChronologyLine]) -> list[int]:
    """The individuals other than the child that `lines` named by name (for the access log)."""
    return sorted({m.individual_id for line in lines for m in line.people if m.individual_id is not None})
