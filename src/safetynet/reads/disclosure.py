"""The disclosure rule: what a viewer is shown of a finding (docs/access.md "Findings").

A finding is built from the records it cites: its reason quotes them, counts them and names
what they say. So a finding is shown in full (reason, clause, structured detail, citations,
its task) only to a viewer who may read **every record it cites, in full**: each cited event,
marker, plan, order, relationship or person record passes the viewer's record rules (types,
police-only handling codes, health systems, restricted children, people they may open), and
none would be redacted for them (intelligence text, health keys inside another agency's
event). A cited record that cannot be found counts as withheld.

The work overrides this: the role that owns a finding or its task now, the team and the person
its task is given to, read it in full. The policy that gives them the work gives them what it was
raised from (an exploitation coordinator's CSE finding may count self-harm markers), and a
task is assigned only to someone who may read it (`reads.work_queue.team_members`).

Everything else is withheld from that viewer, wherever findings appear (person page, search
results, tasks, the API). As the matrix says for the viewer's role (`withheld_findings`), they
see instead one notice per owning role, "a concern held by <agency>: contact the <owner>", with
no clause, severity, date, count or id; or nothing at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from safetynet.access.profiles import policy_of, profile_of
from safetynet.access.roles import AGENCY_OF_ROLE
from safetynet.identity.models import Membership
from safetynet.reads.access import (
    partly_withheld,
    restricted_individual_ids,
    visible_events,
    visible_individual_ids,
    visible_markers,
    visible_orders,
    visible_plans,
)
from safetynet.reads.labels import label
from safetynet.records.models import Event, Location, Marker, Order, Organisation, Person, Plan, Relationship
from safetynet.risk.models import Finding
from safetynet.risk.practice import PRACTICE
from safetynet.work.models import Task

Ref = tuple[str, str]

AGENCY_PHRASE = {"police": "the police", "csc": "children's social care", "health": "health", "education": "education"}

# Content permissions a viewer must hold for the rule to have nothing to check.
_ALL_CONTENT = frozenset({"view_intelligence_text", "view_handling_code_c", "view_health_details"})


@dataclass(frozen=True)
class HeldElsewhere:
    """A notice in place of findings the viewer may not read: who holds them, whom to contact."""

    owner_role: str

    @property
    def agency(self) -> str:
        return AGENCY_OF_ROLE.get(self.owner_role, "")

    @property
    def agency_label(self) -> str:
        """ "the police", "children's social care": as the notice's sentence reads."""
        return AGENCY_PHRASE.get(self.agency, "another agency")

    @property
    def owner_label(self) -> str:
        """ "exploitation coordinator", "MASH officer": the owning role mid-sentence."""
        text = label(self.owner_role)
        first, _, rest = text.partition(" ")
        return " ".join(w for w in (first if first.isupper() else first.lower(), rest) if w)


def refs_of(finding: Finding) -> list[Ref]:
    """The (source, id) of every record the finding cites, its key record included."""
    refs = [(str(c.get("source", "")), str(c.get("id", ""))) for c in finding.cites or [] if isinstance(c, dict)]
    key = finding.key if isinstance(finding.key, dict) else None
    if key:
        refs.append((str(key.get("source", "")), str(key.get("id", ""))))
    return refs


def sees_everything(user: Any) -> bool:
    """Whether no record rule narrows what `user` reads (the rule then has nothing to check)."""
    policy = policy_of(user)
    if policy is None or "view_person" not in policy.permissions or policy.scope != "all":
        return False
    if not _ALL_CONTENT <= policy.permissions or not policy.orders:
        return False
    if any(t is not None for t in (policy.event_types, policy.marker_types, policy.plan_types)):
        return False
    return not restricted_individual_ids(user)


def matching(manager: Any, refs: Iterable[Ref]) -> QuerySet[Any]:
    """The records of `manager` (a model's `live` manager for records about people) named by `refs`."""
    by_source: dict[str, set[str]] = defaultdict(set)
    for source, source_id in refs:
        by_source[source].add(source_id)
    query = Q(pk__in=[])
    for source, ids in by_source.items():
        query |= Q(source=source, source_id__in=sorted(ids))
    return manager.filter(query)


class _Resolver:
    """Decides, for one viewer, which of a batch of cited records they may read in full."""

    def __init__(self, user: Any, refs: set[Ref]) -> None:
        self.user = user
        self.readable: set[Ref] = set()
        self.found: set[Ref] = set()
        self._people_cache: dict[int, bool] = {}
        if refs:
            self._events(refs)
            self._markers(refs)
            self._plans(refs)
            self._orders(refs)
            self._people(refs)
            self._relationships(refs)
            self._places(refs)

    def _mark(self, record: Any, ok: bool) -> None:
        ref = (record.source, record.source_id)
        if ref not in self.found:
            self.found.add(ref)
            if ok:
                self.readable.add(ref)
        elif not ok:  # the same reference names records of two kinds: both must be readable
            self.readable.discard(ref)

    def _may_open_people(self, person_ids: Iterable[int | None]) -> dict[int, bool]:
        """person id -> whether the viewer may open that person's individual."""
        wanted = {p for p in person_ids if p is not None} - set(self._people_cache)
        if wanted:
            owner = dict(Membership.objects.filter(person_id__in=wanted).values_list("person_id", "individual_id"))
            open_ids = set(visible_individual_ids(self.user, set(owner.values())))
            for pid in wanted:
                self._people_cache[pid] = owner.get(pid) in open_ids
        return self._people_cache

    def _events(self, refs: set[Ref]) -> None:
        found = list(matching(Event.live, refs))
        allowed = set(
            visible_events(self.user, Event.objects.filter(pk__in=[e.pk for e in found])).values_list("pk", flat=True)
        )
        for event in found:
            self._mark(event, event.pk in allowed and not partly_withheld(self.user, event))

    def _about_one_person(self, model: type[Any], narrow: Any, refs: set[Ref]) -> None:
        """Markers and plans: readable when the role's rule (`narrow`) keeps them and the viewer
        may open the person they are about."""
        found = list(matching(model.live, refs))
        allowed = set(
            narrow(self.user, model.objects.filter(pk__in=[r.pk for r in found])).values_list("pk", flat=True)
        )
        opens = self._may_open_people(r.person_id for r in found)
        for record in found:
            self._mark(record, record.pk in allowed and opens.get(record.person_id or 0, False))

    def _markers(self, refs: set[Ref]) -> None:
        self._about_one_person(Marker, visible_markers, refs)

    def _plans(self, refs: set[Ref]) -> None:
        self._about_one_person(Plan, visible_plans, refs)

    def _orders(self, refs: set[Ref]) -> None:
        found = list(matching(Order.live, refs).prefetch_related("protected"))
        allowed = set(
            visible_orders(self.user, Order.objects.filter(pk__in=[o.pk for o in found])).values_list("pk", flat=True)
        )
        for order in found:
            # An order shows on the page of its subject and of each protected child.
            people = [order.subject_id, *(p.pk for p in order.protected.all())]
            opens = self._may_open_people(people)
            self._mark(order, order.pk in allowed and any(opens.get(p or 0, False) for p in people))

    def _people(self, refs: set[Ref]) -> None:
        # A person record shows, whatever its system, in the identity panel of the individual it
        # belongs to: whoever may open that individual reads it.
        found = list(matching(Person.live, refs))
        opens = self._may_open_people(p.pk for p in found)
        for person in found:
            self._mark(person, opens.get(person.pk, False))

    def _relationships(self, refs: set[Ref]) -> None:
        found = list(matching(Relationship.live, refs))
        hidden = set(restricted_individual_ids(self.user))
        ends = [p for r in found for p in (r.person_a_id, r.person_b_id) if p is not None]
        owner = dict(Membership.objects.filter(person_id__in=ends).values_list("person_id", "individual_id"))
        opens = self._may_open_people(ends)
        for rel in found:
            pair = [p for p in (rel.person_a_id, rel.person_b_id) if p is not None]
            restricted = any(owner.get(p) in hidden for p in pair)
            self._mark(rel, not restricted and any(opens.get(p, False) for p in pair))

    def _places(self, refs: set[Ref]) -> None:
        # Places and organisations are not about a person: anyone reading the finding may see them.
        for model in (Location, Organisation):
            for record in matching(model.objects, refs).filter(deleted=False):
                self._mark(record, True)


def _given_the_work(user: Any, findings: Sequence[Finding]) -> set[int]:
    """The findings whose work is `user`'s: the finding's or its task's owner role is theirs,
    or its task is given to their team or assigned to them."""
    role = getattr(policy_of(user), "role", None)
    mine = {f.pk for f in findings if role and f.owner_role == role}
    tasks = Task.objects.filter(finding_id__in=[f.pk for f in findings if f.pk not in mine])
    given = Q(owner_role=role or "-") | Q(assignee_id=user.pk)
    profile = profile_of(user)
    if profile is not None and profile.team is not None:
        given |= Q(team=profile.team.code)
    mine |= set(tasks.filter(given).values_list("finding_id", flat=True))
    return mine


def _other_agencys_practice(user: Any, findings: Iterable[Finding]) -> set[int]:
    """Practice findings (breaches on work already closed) owned by a role of another agency
    than the viewer's: an agency's practice is its own oversight, so they are neither shown to
    the viewer nor announced as held elsewhere (docs/access.md "Practice findings")."""
    agency = AGENCY_OF_ROLE.get(getattr(policy_of(user), "role", "") or "")
    return {f.pk for f in findings if f.kind == PRACTICE and (not agency or AGENCY_OF_ROLE.get(f.owner_role) != agency)}


def disclosed_ids(user: Any, findings: Sequence[Finding]) -> set[int]:
    """The ids of the findings `user` may read in full (see the module docstring)."""
    hidden = _other_agencys_practice(user, findings)
    findings = [f for f in findings if f.pk not in hidden]
    if sees_everything(user):
        return {f.pk for f in findings}
    mine = _given_the_work(user, findings)
    rest = [f for f in findings if f.pk not in mine]
    refs = {ref for f in rest for ref in refs_of(f)}
    readable = _Resolver(user, refs).readable
    return mine | {f.pk for f in rest if all(ref in readable for ref in refs_of(f))}


def notices(user: Any, withheld: Iterable[Finding]) -> list[HeldElsewhere]:
    """One notice per owning role of the `withheld` findings, or none when the viewer's role
    hides withheld findings altogether (the matrix's `withheld_findings: hide`)."""
    policy = policy_of(user)
    if policy is None or policy.withheld_findings == "hide":
        return []
    roles = sorted({f.owner_role for f in withheld})
    return [HeldElsewhere(owner_role=r) for r in roles]


@dataclass
class Disclosed:
    shown: list[Finding]
    held_elsewhere: list[HeldElsewhere]


def disclose(user: Any, findings: Sequence[Finding]) -> Disclosed:
    """`findings` split for `user`: those shown in full (in the given order) and the notices
    that stand for the rest."""
    hidden = _other_agencys_practice(user, findings)
    findings = [f for f in findings if f.pk not in hidden]
    full = disclosed_ids(user, findings)
    return Disclosed(
        shown=[f for f in findings if f.pk in full],
        held_elsewhere=notices(user, [f for f in findings if f.pk not in full]),
    )


def may_open_people(user: Any, person_ids: Iterable[int]) -> dict[int, bool]:
    """person record id -> whether `user` may open the individual it belongs to (the rule a
    person record cited by a finding passes; `reads.naming` names people by it)."""
    wanted = set(person_ids)
    if sees_everything(user):
        return dict.fromkeys(wanted, True)
    opens = _Resolver(user, set())._may_open_people(wanted)
    return {p: opens.get(p, False) for p in wanted}


def readable_refs(user: Any, refs: Iterable[Ref]) -> set[Ref]:
    """The (source, id) among `refs` whose records `user` may read in full: the disclosure rule
    for records cited outside a stored finding (a probable match's provisional findings)."""
    wanted = set(refs)
    if sees_everything(user):
        return wanted
    return _Resolver(user, wanted).readable & wanted
