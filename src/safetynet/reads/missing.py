"""Missing episodes as each viewer reads them (docs/missing.md): the coordinator's list (children
missing now, longest first; children by how often they went missing), and one episode with its
floor and facts, supervision clocks, reviews, lines of enquiry (and those the picture proposes),
found details, referral and return home interview, and the open M findings about the child.

People and places on an episode are named under the same rule as those a finding names
(`reads.naming`): a viewer who may not open a person reads their part and "Not shown". An
episode opens only for a role with `missing_episodes` that may see the event (`reads.access`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet

from safetynet.access.profiles import has_permission
from safetynet.identity.models import Membership
from safetynet.missing import facts
from safetynet.missing.services import HOME_CHECK_LABELS, SOURCE, is_supervisor, version_of
from safetynet.reads import access
from safetynet.reads.naming import NamedLine, log_named, named_for
from safetynet.reads.person import display_name
from safetynet.records.models import Event, Location, Person, Plan
from safetynet.risk.areas import Area
from safetynet.risk.models import Finding
from safetynet.risk.policy import current_policy
from safetynet.risk.rules.base import at_least, rank_of, ts
from safetynet.risk.rules.missing import grade
from safetynet.work.models import PartnershipEscalation

PAGE_SIZE = 100
REPEAT_DAYS = 365


def _reports() -> QuerySet[Event]:
    return Event.live.filter(event_type="missing_report")


def episode_for_user(user: Any, pk: int) -> Event:
    """The missing report, for a viewer who works missing episodes and may see it (404 else)."""
    if not has_permission(user, "missing_episodes") or not _reports().filter(pk=pk).exists():
        raise access.refused(user, object_type="event", object_id=pk)
    return access.event_for_user(user, pk)


def grade_in_force(details: dict[str, Any]) -> str:
    """The latest review's grade, else the report's, else ''."""
    reviews = [r for r in details.get("reviews") or [] if isinstance(r, dict) and r.get("risk")]
    reviews.sort(key=lambda r: str(r.get("at") or ""))
    return grade(reviews[-1]["risk"] if reviews else details.get("initial_risk")) or ""


def _child_of(episode: Event) -> tuple[Person | None, int | None]:
    part = episode.participations.filter(role="missing_person").select_related("person").first()
    if part is None:
        return None, None
    member = Membership.objects.filter(person=part.person).values_list("individual_id", flat=True).first()
    return part.person, member


PLAN_STATUSES = {"none": "No plan", "overdue": "Plan overdue", "current": "Plan current"}


@dataclass(frozen=True)
class ListFilter:
    """The coordinator's list filters (in the page's URL and its CSV's): where the child is
    missing from, the children's home (a location's pk), plan status (`PLAN_STATUSES`) and area
    (an `Area` of `risk.areas`: a child with a record whose home postcode is in it)."""

    missing_from: str = ""
    care_home: int | None = None
    plan: str = ""
    area: Area | None = None

    def query(self) -> str:
        """The filters as a URL query string ('' when none)."""
        pairs = {
            "missing_from": self.missing_from,
            "care_home": "" if self.care_home is None else str(self.care_home),
            "plan": self.plan,
            "area": self.area.name if self.area is not None else "",
        }
        return urlencode({k: v for k, v in pairs.items() if v})


@dataclass
class ListRow:
    episode: Event
    individual_id: int | None
    name: str
    missing_from: str
    started: dt.datetime | None
    hours: int
    grade: str
    episodes_year: int
    plan: str = ""


@dataclass
class RepeatRow:
    individual_id: int
    name: str
    episodes_year: int
    open_now: bool
    plan: str = ""


@dataclass
class CoordinatorList:
    missing_now: list[ListRow]
    repeat: list[RepeatRow]


def _filtered(reports: QuerySet[Event], chosen: ListFilter) -> QuerySet[Event]:
    """The episodes matching the filters on the episode: missing from, the home, the area."""
    if chosen.missing_from:
        reports = reports.filter(details__missing_from=chosen.missing_from)
    if chosen.care_home is not None:
        home = Location.live.filter(pk=chosen.care_home).first()
        if home is None:
            return reports.none()
        reports = reports.filter(
            Q(location_id=home.pk) | Q(details__care_home__source=home.source, details__care_home__id=home.source_id)
        )
    return reports


def plan_status(user: Any, individuals: set[int], today: dt.date) -> dict[int, str]:
    """Each child's trigger plan status as the viewer may read it: current (one whose review
    date has not passed), overdue (plans, none current: M4) or none."""
    plans = access.visible_plans(
        user, Plan.live.filter(plan_type__in=facts.PLAN_TYPES, person__membership__individual_id__in=individuals)
    ).values_list("person__membership__individual_id", "review_due")
    out = dict.fromkeys(individuals, "none")
    for ind, due in plans:
        if due is None or due >= today:
            out[ind] = "current"
        elif out[ind] != "current":
            out[ind] = "overdue"
    return out


def coordinator_list(user: Any, now: dt.datetime, chosen: ListFilter | None = None) -> CoordinatorList:
    """Children missing now (no found time yet), longest first, and the children reported
    missing most often in the last year; only those the viewer may see, and (filtered) those
    with an episode in the year from that place, home or area, of that plan status. A child's
    count is every episode in the year."""
    chosen = chosen or ListFilter()
    since = now - dt.timedelta(days=REPEAT_DAYS)
    recent = access.visible_events(user, _reports().filter(occurred_at__gt=since, occurred_at__lte=now))
    parts = (
        recent.filter(participations__role="missing_person")
        .values_list("pk", "participations__person__membership__individual_id")
        .distinct()
    )
    child_of = {pk: ind for pk, ind in parts if ind is not None}
    seen = set(access.visible_individual_ids(user, set(child_of.values())))
    per_child = Counter(ind for ind in child_of.values() if ind in seen)
    matching = _filtered(recent, chosen)
    wanted = seen
    if matching is not recent:
        wanted = seen & {child_of[pk] for pk in matching.values_list("pk", flat=True) if pk in child_of}
    if chosen.area is not None:
        inside = Membership.objects.filter(chosen.area.person_q("person__"), individual_id__in=wanted)
        wanted = set(inside.values_list("individual_id", flat=True))
    plans = plan_status(user, wanted, now.date())
    if chosen.plan:
        wanted = {ind for ind in wanted if plans.get(ind) == chosen.plan}
    open_qs = matching.filter(details__found_at__isnull=True).order_by("occurred_at", "pk")
    names = _names(wanted)
    rows = []
    for e in open_qs[:PAGE_SIZE]:
        ind = child_of.get(e.pk)
        if ind not in wanted:
            continue
        assert ind is not None
        started = e.occurred_at
        hours = int((now - started).total_seconds() // 3600) if started else 0
        d = e.details or {}
        rows.append(
            ListRow(
                e,
                ind,
                names.get(ind, ""),
                str(d.get("missing_from") or ""),
                started,
                hours,
                grade_in_force(d),
                per_child[ind],
                plans.get(ind, "none"),
            )
        )
    open_children = {r.individual_id for r in rows}
    repeat = [
        RepeatRow(ind, names.get(ind, ""), count, ind in open_children, plans.get(ind, "none"))
        for ind, count in per_child.most_common()
        if count >= 2 and ind in wanted
    ][:PAGE_SIZE]
    return CoordinatorList(rows, repeat)


def _names(individuals: set[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    members = Membership.objects.filter(individual_id__in=individuals).select_related("person").order_by("person_id")
    for m in members:
        out.setdefault(m.individual_id, display_name(m.person))
    return out


@dataclass
class Clock:
    label: str
    due: dt.datetime
    done: dt.datetime | None
    overdue: bool


@dataclass
class LineRow:
    index: int
    text: str
    person: NamedLine | None
    place: NamedLine | None
    done_at: str
    outcome: str
    proposed_from: str


@dataclass
class ProposalRow:
    text: str
    proposed_from: str
    person: NamedLine | None
    place: NamedLine | None
    individual_id: int | None
    location: dict[str, str] | None


@dataclass
class EpisodeDetail:
    episode: Event
    individual_id: int | None
    child: str
    editable: bool
    version: str
    grade: str
    floor: str
    facts: list[str]
    clocks: list[Clock]
    reviews: list[dict[str, Any]]
    lines: list[LineRow]
    proposals: list[ProposalRow]
    found_with: list[NamedLine]
    found_place: NamedLine | None
    findings: list[Finding]
    may_review: bool
    may_interview: bool
    rhi_due: dt.datetime | None
    named: list[NamedLine] = field(default_factory=list)
    care: CareDetail | None = None  # missing from care: the home and its own enquiries


@dataclass
class CareDetail:
    """A child missing from care: the children's home (as recorded), the home's own initial
    enquiries (Philomena) when recorded, when they were due, and the escalation raised when
    they were not recorded in time."""

    home: str
    enquiries: dict[str, Any]
    due: dt.datetime | None
    late: bool
    escalation: PartnershipEscalation | None
    made_at: dt.datetime | None = None
    checks: list[str] = field(default_factory=list)


def _care(episode: Event, now: dt.datetime) -> CareDetail | None:
    d = episode.details or {}
    if d.get("missing_from") != "care":
        return None
    home = facts.place_words(d.get("care_home")) if isinstance(d.get("care_home"), dict) else ""
    place = episode.location
    if not home and place is not None and place.location_type == "childrens_home":
        home = facts.place_words({"source": place.source, "id": place.source_id})
    enquiries = d["home_enquiries"] if isinstance(d.get("home_enquiries"), dict) else {}
    start = episode.reported_at or episode.occurred_at
    due = start + current_policy().clause("M2").hours("home_enquiries") if start else None
    recorded = ts(enquiries.get("recorded_at"))
    late = due is not None and (recorded or now) > due
    escalation = PartnershipEscalation.objects.filter(refusal_id=episode.pk).order_by("pk").first()
    checks = [HOME_CHECK_LABELS.get(str(c), str(c)) for c in enquiries.get("checks") or []]
    return CareDetail(home, enquiries, due, late, escalation, ts(enquiries.get("made_at")), checks)


def _named(user: Any, entries: list[dict[str, Any]]) -> list[NamedLine]:
    """Each entry ({kind, as, ref}) named for `user`, in order (None-safe)."""
    holder = SimpleNamespace(pk=0, detail={"named": entries})
    return named_for(user, [holder]).get(0, [])


def _entry(kind: str, role: str, ref: Any) -> dict[str, Any]:
    return {"kind": kind, "as": role, "ref": ref if isinstance(ref, dict) else {"source": "", "id": ""}}


def _clocks(episode: Event, now: dt.datetime) -> list[Clock]:
    """The supervision clocks of policy M2, each with its due time and when it was met."""
    d = episode.details or {}
    start = episode.reported_at or episode.occurred_at
    if start is None:
        return []
    spec = current_policy().clause("M2")
    reviews = [r for r in d.get("reviews") or [] if isinstance(r, dict)]
    found = ts(d.get("found_at"))

    def first(rank: str) -> dt.datetime | None:
        times = [t for r in reviews if (t := ts(r.get("at"))) and at_least(rank_of(r.get("by")), rank)]
        return min(times, default=None)

    oic = d.get("officer_in_charge")
    oic_at = ts(oic.get("assigned_at")) if isinstance(oic, dict) else None
    rows = [
        ("Officer in charge named", start + spec.hours("officer_in_charge"), oic_at),
        ("Sergeant's review", start + spec.hours("supervisor_review"), first("sergeant")),
        ("Inspector's review", start + spec.hours("inspector_review"), first("inspector")),
    ]
    out = [Clock(label, due, done, (done or found or now) > due) for label, due, done in rows]
    if found is None:
        last = max((t for r in reviews if (t := ts(r.get("at")))), default=start)
        due = last + spec.hours("re_review_while_open")
        out.append(Clock("Next review while missing", due, None, now > due))
    return out


def _open_findings(individual: int | None) -> list[Finding]:
    if individual is None:
        return []
    found = Finding.objects.filter(individual_id=individual, clause__startswith="M", state__in=("open", "acknowledged"))
    return list(found.order_by("clause", "pk"))


def episode_detail(user: Any, episode: Event, now: dt.datetime) -> EpisodeDetail:
    """One episode as `user` reads it, with the proposals the picture makes now."""
    d = episode.details or {}
    person, individual = _child_of(episode)
    lines = [x for x in d.get("lines_of_enquiry") or [] if isinstance(x, dict)]
    proposed = facts.proposals(individual, now, exclude_event=episode.pk) if individual else []
    taken = {(str(x.get("person")), str(x.get("location"))) for x in lines}
    proposed = [p for p in proposed if (str(p.person), str(p.location)) not in taken]
    with_refs = [
        {"source": p.person.source, "id": p.person.source_id}
        for p in episode.participations.filter(role="co_located").select_related("person")
    ]
    entries: list[dict[str, Any]] = []
    for x in lines:
        entries += [_entry("person", "person", x.get("person")), _entry("place", "place", x.get("location"))]
    for p in proposed:
        entries += [_entry("person", p.text, p.person), _entry("place", p.text, p.location)]
    entries += [_entry("person", "found with", r) for r in with_refs]
    entries.append(_entry("place", "found at", d.get("found_location")))
    named = _named(user, entries)
    it = iter(named)
    rows = []
    for i, x in enumerate(lines):
        who, where = next(it), next(it)
        rows.append(
            LineRow(
                i,
                str(x.get("text") or ""),
                who if x.get("person") else None,
                where if x.get("location") else None,
                str(x.get("done_at") or ""),
                str(x.get("outcome") or ""),
                str(x.get("proposed_from") or ""),
            )
        )
    proposals = []
    for p in proposed:
        who, where = next(it), next(it)
        proposals.append(
            ProposalRow(
                p.text,
                p.proposed_from,
                who if p.person else None,
                where if p.location else None,
                who.individual_id if p.person and who.shown else None,
                p.location,
            )
        )
    found_with = [next(it) for _ in with_refs]
    found_place = next(it)
    floor: dict[str, Any] = d["floor"] if isinstance(d.get("floor"), dict) else {}
    rhi: dict[str, Any] = d["return_home_interview"] if isinstance(d.get("return_home_interview"), dict) else {}
    return EpisodeDetail(
        episode=episode,
        individual_id=individual,
        child=display_name(person) if person is not None else "",
        editable=episode.source == SOURCE,
        version=version_of(episode),
        grade=grade_in_force(d),
        floor=str(floor.get("grade") or ""),
        facts=[str(f) for f in floor.get("facts") or []],
        clocks=_clocks(episode, now),
        reviews=[r for r in d.get("reviews") or [] if isinstance(r, dict)],
        lines=rows,
        proposals=proposals,
        found_with=found_with,
        found_place=found_place if d.get("found_location") else None,
        findings=_open_findings(individual),
        may_review=is_supervisor(user) and has_permission(user, "missing_episodes"),
        may_interview=has_permission(user, "return_interviews"),
        rhi_due=ts(rhi.get("due_at")),
        named=named,
        care=_care(episode, now),
    )


def log_episode(user: Any, detail: EpisodeDetail, fields: list[str]) -> None:
    """The access log: the child's episode viewed, and every person it named to the viewer."""
    ids = [detail.individual_id] if detail.individual_id else []
    access.log_view(user, object_type="event", object_ids=[detail.episode.pk], individual_ids=ids, fields=fields)
    log_named(user, detail.named, object_type="event")
