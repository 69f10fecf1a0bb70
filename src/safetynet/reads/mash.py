"""MASH referrals as each viewer reads them (docs/mash.md): the inbox by clock (an untriaged
referral runs on the red clock, H1) with counts and what is overdue, one referral with its
ARTHUR answers, DASH, triage and feedback, and the triage page's picture: the child's whole
linked history from every agency beside the referral, the cumulative count and the minimum grade
the policy asks (H3), the police history the research must cover (H2) and possible matches in
the identity review band. The child is named only to viewers who may open them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.fields.json import KT

from safetynet.identity.models import Membership
from safetynet.mash import grading
from safetynet.mash.services import DECISIONS, FORWARD_TO, SOURCE, child_of
from safetynet.reads import access
from safetynet.reads import person as people
from safetynet.reads.chronology import ChronologyLine, in_words
from safetynet.reads.disclosure import readable_refs
from safetynet.reads.identity_panel import PossibleMatch, possible_matches
from safetynet.reads.language_marks import MarkedText, mark_text
from safetynet.records.models import Event
from safetynet.risk.policy import current_policy

STATES = [
    ("awaiting", "Awaiting triage"),
    ("overdue", "Overdue"),
    ("triaged", "Awaiting decision"),
    ("decided", "Decided"),
]
PAGE_SIZE = 100
HISTORY_SIZE = 200
ARTHUR_WORDS = [
    ("children_present", "Are there children present?"),
    ("review_risk", "Review the risk"),
    ("spoke_to_child", "Take time to speak to the child"),
    ("how_they_appear", "How do they appear?"),
    ("wishes_feelings", "Understand their wishes and feelings"),
    ("child_words", "Record it: the child's words"),
]


def _referrals() -> QuerySet[Event]:
    return Event.live.filter(event_type="referral", source=SOURCE)


def triage_of(referral: Event) -> dict[str, Any]:
    found = (referral.details or {}).get("triage")
    return found if isinstance(found, dict) else {}


def state_of(referral: Event, now: dt.datetime) -> str:
    found = triage_of(referral)
    if found.get("decision"):
        return "decided"
    if found.get("at"):
        return "triaged"
    return "overdue" if now > due_of(referral) else "awaiting"


def due_of(referral: Event) -> dt.datetime:
    """When triage is due: received plus the red clock (the grade is not known until triage)."""
    received = referral.occurred_at or referral.recorded_at
    assert received is not None
    return received + (grading.clock_of("red") or dt.timedelta(0))


@dataclass
class InboxRow:
    referral: Event
    child: str
    individual_id: int | None
    concerns: str
    referrer: str
    state: str
    grade: str
    due: dt.datetime
    marac: str

    @property
    def grade_tag(self) -> str:
        return grading.GRADE_TAG.get(self.grade, "govuk-tag--grey")


@dataclass
class Inbox:
    rows: list[InboxRow]
    counts: dict[str, int]
    grades: dict[str, int]

    @property
    def grade_counts(self) -> list[tuple[str, str, int]]:
        return [(g, grading.GRADE_TAG[g], n) for g, n in self.grades.items()]


def _names(referrals: list[Event], user: Any, today: dt.date) -> dict[int, tuple[int | None, str]]:
    """referral pk -> (individual id, name), "Not shown" for a child the viewer may not open."""
    subject = {
        e.pk: p.person_id
        for e in referrals
        for p in e.participations.all()
        if p.role == "subject"  # prefetched
    }
    members = dict(Membership.objects.filter(person_id__in=subject.values()).values_list("person_id", "individual_id"))
    individuals = {pk: members.get(person) for pk, person in subject.items()}
    may = access.may_open(user)({i for i in individuals.values() if i})
    heads = people.headlines_for(may, today)
    return {
        pk: (i, heads[i].name if i in heads else "") if i in may else (None, people.NO_ACCESS_NAME)
        for pk, i in individuals.items()
    }


def _marac_words(details: dict[str, Any]) -> str:
    if not details.get("marac_criteria"):
        return ""
    return "On the next MARAC agenda" if details.get("marac") else "MARAC criteria met: none scheduled"


def _triage_has(key: str) -> Q:
    """The referral's triage has `key`, as a condition that is never SQL NULL: on PostgreSQL a
    missing `triage` makes `triage ? key` NULL, which NOT would keep NULL and drop the row."""
    return Q(details__has_key="triage") & Q(details__triage__has_key=key)


def _counts(now: dt.datetime) -> tuple[dict[str, int], dict[str, int]]:
    """Counts by state, and of those awaiting a decision by grade, in two queries the database
    answers from the MASH referrals' own index (records: `event_mash_referral`)."""
    overdue_before = now - (grading.clock_of("red") or dt.timedelta(0))
    decided = _triage_has("decision")  # a returned transfer clears it: back in the inbox
    undecided = ~decided
    untriaged = undecided & ~_triage_has("at")
    found = _referrals().aggregate(
        awaiting=Count("pk", filter=untriaged),
        overdue=Count("pk", filter=untriaged & Q(occurred_at__lt=overdue_before)),
        triaged=Count("pk", filter=undecided & _triage_has("at")),
        decided=Count("pk", filter=decided),
    )
    grades = {g: 0 for g in grading.GRADES}
    by_grade = (
        _referrals()
        .filter(undecided & _triage_has("at"))
        .annotate(grade=KT("details__triage__grade"))
        .values("grade")
        .annotate(n=Count("pk"))
    )
    for row in by_grade:
        grades[str(row["grade"])] = grades.get(str(row["grade"]), 0) + row["n"]
    return {value: int(found[value] or 0) for value, _ in STATES}, grades


def _chosen(now: dt.datetime, show: str) -> list[Event]:
    """The page of referrals for the tab: decided ones newest first, the others by due time."""
    if show == "decided":
        page = _referrals().filter(_triage_has("decision")).order_by("-occurred_at", "-pk")
    else:
        page = _referrals().filter(~_triage_has("decision"))
        if show == "triaged":
            page = page.filter(_triage_has("at"))
        else:
            page = page.filter(~_triage_has("at"))
        if show == "overdue":
            page = page.filter(occurred_at__lt=now - (grading.clock_of("red") or dt.timedelta(0)))
        page = page.order_by("occurred_at", "pk")  # due = received + the red clock: the same order
    return list(page.prefetch_related("participations")[:PAGE_SIZE])


def inbox(user: Any, now: dt.datetime, show: str = "awaiting") -> Inbox:
    """Open referrals (not yet decided) by due time, or the latest decided ones, with counts by
    state and, for those awaiting a decision, by grade. The state is read in the database (a
    page of at most PAGE_SIZE rows is loaded), so thousands of open referrals cost the same."""
    counts, grades = _counts(now)
    chosen = _chosen(now, show if show in ("awaiting", "overdue", "triaged", "decided") else "awaiting")
    names = _names(chosen, user, now.date())
    rows = []
    for r in chosen:
        d = r.details or {}
        individual, name = names.get(r.pk, (None, ""))
        rows.append(
            InboxRow(
                referral=r,
                child=name,
                individual_id=individual,
                concerns=", ".join(grading.CONCERNS.get(c, c) for c in d.get("concern") or []),
                referrer=str((d.get("referrer") or {}).get("name") or ""),
                state=state_of(r, now),
                grade=str(triage_of(r).get("grade") or ""),
                due=due_of(r),
                marac=_marac_words(d),
            )
        )
    return Inbox(rows, counts, grades)


@dataclass
class ReferralView:
    """One referral in words."""

    referral: Event
    individual_id: int
    child: str
    concerns: list[str]
    what_happened: MarkedText
    arthur: list[tuple[str, str]]
    dash: dict[str, Any]
    state: str
    due: dt.datetime
    grade: str
    research: list[dict[str, Any]]
    decision: str
    decision_rationale: str
    rationale: str
    forwarded_to: str
    feedback: dict[str, Any]
    marac: str
    from_event: Event | None
    strategy_discussion: Event | None


def _yes_no(value: Any) -> str:
    return "Yes" if value is True else "No" if value is False else "Not answered"


def _arthur(answers: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (
            words,
            _yes_no(answers.get(key))
            if key in ("children_present", "spoke_to_child")
            else str(answers.get(key) or "Not recorded"),
        )
        for key, words in ARTHUR_WORDS
    ]


def referral_view(user: Any, referral: Event, now: dt.datetime) -> ReferralView:
    """The referral for `user`, who may open its child (404 otherwise, logged)."""
    individual = access.individual_for_user(user, child_of(referral))
    d = referral.details or {}
    found = triage_of(referral)
    heads = people.headlines_for([individual.pk], now.date())
    meeting_ref = found.get("strategy_discussion") or {}
    linked = access.redact_events(user, access.visible_events(user, referral.linked_events.all()))
    return ReferralView(
        referral=referral,
        individual_id=individual.pk,
        child=heads[individual.pk].name if individual.pk in heads else "",
        concerns=[grading.CONCERNS.get(c, c) for c in d.get("concern") or []],
        what_happened=mark_text("What happened", str(d.get("what_happened") or ""), current_policy()),
        arthur=_arthur(d.get("arthur") or {}),
        dash=d.get("dash") or {},
        state=state_of(referral, now),
        due=due_of(referral),
        grade=str(found.get("grade") or ""),
        research=[
            {**r, "label": grading.SYSTEMS.get(str(r.get("system")), str(r.get("system")))}
            for r in found.get("research_records") or []
            if isinstance(r, dict)
        ],
        decision=DECISIONS.get(str(found.get("decision")), ""),
        decision_rationale=str(found.get("decision_rationale") or ""),
        rationale=str(found.get("rationale") or ""),
        forwarded_to=FORWARD_TO.get(str(found.get("forwarded_to")), ""),
        feedback=d.get("feedback") or {},
        marac=_marac_words(d) + (f" ({'; '.join(d['marac_criteria'])})" if d.get("marac_criteria") else ""),
        from_event=linked[0] if linked else None,
        strategy_discussion=Event.live.filter(
            source=meeting_ref.get("source"), source_id=meeting_ref.get("id"), event_type="meeting"
        ).first()
        if meeting_ref
        else None,
    )


@dataclass
class TriagePicture:
    """What the MASH officer triages against."""

    minimum: grading.Minimum
    police_history: int
    history: list[ChronologyLine]
    history_count: int
    agencies: list[str]
    matches: list[PossibleMatch] = field(default_factory=list)


def triage_picture(user: Any, view: ReferralView) -> TriagePicture:
    """The child's whole linked history (newest first, every agency the viewer may read), the
    policy's minimum grade and the police history, and possible matches in the review band."""
    referral = view.referral
    received = referral.occurred_at or referral.recorded_at
    assert received is not None
    person_ids = [r.person.pk for r in people.source_records(view.individual_id)]
    page, entries = people.chronology_page(
        person_ids, people.ChronologyFilter(), 1, restrict=access.event_filter(user), page_size=HISTORY_SIZE
    )
    access.redact_events(user, [entry.event for entry in entries])
    lines = in_words(user, entries, person_ids, current_policy())
    concerns = list((referral.details or {}).get("concern") or [])
    return TriagePicture(
        minimum=grading.minimum_grade(view.individual_id, received, concerns),
        police_history=grading.police_history(view.individual_id, received),
        history=lines,
        history_count=page.paginator.count,
        agencies=sorted({line.agency for line in lines if line.agency}),
        matches=possible_matches(person_ids, may_open=access.may_open(user), readable=partial(readable_refs, user)),
    )


def referral_for_user(user: Any, pk: int) -> Event:
    """The referral, for a viewer who may open its child (404, logged as denied, otherwise)."""
    found = _referrals().filter(pk=pk).first()
    if found is None:
        raise access.refused(user, object_type="referral", object_id=pk)
    return found


def log_referral(user: Any, view: ReferralView, fields: list[str]) -> None:
    access.log_view(
        user, object_type="referral", object_ids=[view.referral.pk], individual_ids=[view.individual_id], fields=fields
    )


def log_inbox(user: Any, found: Inbox) -> None:
    access.log_view(
        user,
        object_type="referral",
        object_ids=[r.referral.pk for r in found.rows],
        individual_ids=[r.individual_id for r in found.rows if r.individual_id],
        fields=["inbox"],
    )


def referral_children(user: Any, origin: Event | None, child: int | None, today: dt.date) -> list[tuple[int, str]]:
    """The children a referral may be about, as choices: those in the record it is raised from,
    or the child whose page it was raised from (each one the viewer may open, under 18)."""
    ids: list[int] = []
    if origin is not None:
        persons = list(origin.participations.values_list("person_id", flat=True))
        ids = list(Membership.objects.filter(person_id__in=persons).values_list("individual_id", flat=True))
    if child is not None:
        ids.append(child)
    may = access.may_open(user)(ids)
    heads = people.headlines_for(may, today)
    return [
        (i, f"{h.name}{f' (age {h.age})' if h.age is not None else ''}")
        for i, h in sorted(heads.items())
        if h.age is None or h.age < grading.CHILD_AGE
    ]


@dataclass
class TransferRow:
    """A referral the MASH forwarded to children's social care, as the receiving team reads it."""

    referral: Event
    individual_id: int | None
    child: str
    concerns: str
    what_happened: str
    grade: str
    to: str
    state: str
    sent_at: str
    sent_by: str
    rationale: str


def transfers(user: Any, now: dt.datetime) -> list[TransferRow]:
    """Transfers pending or accepted, the pending first (oldest first): the receiving team's list."""
    found = list(
        _referrals()
        .filter(details__transfer__state__in=["pending", "accepted"])
        .prefetch_related("participations")
        .order_by("occurred_at", "pk")[: PAGE_SIZE * 2]
    )
    names = _names(found, user, now.date())
    rows = []
    for r in found:
        d, moved = r.details or {}, (r.details or {}).get("transfer") or {}
        individual, name = names.get(r.pk, (None, ""))
        rows.append(
            TransferRow(
                referral=r,
                individual_id=individual,
                child=name,
                concerns=", ".join(grading.CONCERNS.get(c, c) for c in d.get("concern") or []),
                what_happened=str(d.get("what_happened") or ""),
                grade=grading.GRADES.get(str(triage_of(r).get("grade")), ""),
                to=FORWARD_TO.get(str(moved.get("to")), ""),
                state=str(moved.get("state") or ""),
                sent_at=str(moved.get("sent_at") or ""),
                sent_by=str((moved.get("sent_by") or {}).get("name") or ""),
                rationale=str(triage_of(r).get("decision_rationale") or ""),
            )
        )
    return sorted(rows, key=lambda row: row.state != "pending")
