"""Read models for the work screens and the task API: "My work", one task, a supervisor's
oversight. Tasks come from `safetynet.work` (one per risk finding, with an owner, a
deadline and an escalation level); every task shown is about a child the viewer may open,
fetched through the access rules, so a task about anyone else answers 404 like a missing one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, QuerySet

from safetynet.access.matrix import load as load_matrix
from safetynet.access.models import Team
from safetynet.access.profiles import has_permission, profile_of, role_of
from safetynet.access.roles import AGENCY_OF_ROLE
from safetynet.reads import person as people
from safetynet.reads.access import (
    refused,
    visible_event_ids,
    visible_individual_ids,
    visible_individuals,
)
from safetynet.reads.disclosure import disclosed_ids, sees_everything
from safetynet.reads.labels import label, severity_colour
from safetynet.reads.naming import NamedLine, named_for
from safetynet.records.models import Event
from safetynet.risk.areas import area_named
from safetynet.risk.models import SEVERITY_ORDER, Finding, severity_rank
from safetynet.risk.policy import Policy, current_policy
from safetynet.work.models import Task, TaskEvent, due_soon_q, overdue_q
from safetynet.work.services import QUEUE_SCOPES, Oversight, deadline, oversight, queue_filter

QUEUE_LABEL = {"mine": "Assigned to you", "team": "Your team", "role": "Role queue"}


@dataclass(frozen=True)
class Worker:
    """Who is asking: the ids a queue is built from."""

    user_id: int
    role: str
    team: str
    team_id: int | None = None


def worker_of(user: Any) -> Worker:
    """The signed-in user's id, role code, team code ("" when they have none) and team id."""
    profile = profile_of(user)
    team = profile.team.code if profile is not None and profile.team is not None else ""
    return Worker(int(user.pk), role_of(user) or "", team, profile.team_id if profile is not None else None)


def _visible(user: Any, tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Only tasks about children `user` may open (a subquery: no child is ever listed first)."""
    return tasks.filter(individual_id__in=visible_individuals(user).values("pk"))


def withheld_findings(user: Any, tasks: QuerySet[Task]) -> list[int]:
    """The findings of `tasks` that `user` may not read in full (reads.disclosure): their
    tasks are not shown to `user`, in lists, counts or on their own."""
    if sees_everything(user):
        return []
    findings = list(
        Finding.objects.filter(pk__in=tasks.values("finding_id")).only("pk", "cites", "key", "owner_role", "kind")
    )
    full = disclosed_ids(user, findings)
    return [f.pk for f in findings if f.pk not in full]


def display_name(user: Any) -> str:
    if user is None:
        return ""
    return (user.get_full_name() or "").strip() or user.get_username()


@dataclass
class TaskRow:
    """One task as a list shows it."""

    task: Task
    child_name: str
    now: dt.datetime
    queue: str = ""

    @property
    def overdue(self) -> bool:
        return self.task.is_overdue(self.now)

    @property
    def due_soon(self) -> bool:
        return self.task.is_due_soon(self.now)

    @property
    def late_by(self) -> str:
        """ "3 h 20 min" for an overdue task (since the first deadline it missed); "" otherwise."""
        since = self.task.overdue_since(self.now) if self.task.is_current else None
        return duration(self.now - since) if since is not None else ""

    @property
    def deadline(self) -> dt.datetime | None:
        """The deadline to show: the first one missed for a task that escalated, else its own."""
        return self.task.late_since or self.task.due_at

    @property
    def owner_due(self) -> dt.datetime | None:
        """The current owner's deadline when it differs from `deadline` (an escalated task: by
        then the next rank must act, or it climbs again); None otherwise."""
        return self.task.due_at if self.task.late_since is not None else None

    @property
    def severity_label(self) -> str:
        return label(self.task.severity)

    @property
    def tag_colour(self) -> str:
        return severity_colour(self.task.severity)

    @property
    def owner(self) -> str:
        return label(self.task.owner_role)

    @property
    def escalation(self) -> str:
        """ "Escalated to inspector" once a deadline has passed; "" before."""
        if self.task.escalation_exhausted:
            return f"Overdue at the top of the chain ({label(self.task.owner_role).lower()})"
        if self.task.escalation_level:
            return f"Escalated to {label(self.task.owner_role).lower()}"
        return ""

    @property
    def assignee_name(self) -> str:
        return display_name(self.task.assignee)

    @property
    def queue_label(self) -> str:
        return QUEUE_LABEL.get(self.queue, "")


def duration(delta: dt.timedelta) -> str:
    """A duration for people: "45 min", "3 h 20 min", "2 days 4 h"."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{mins} min"


def _queue_of(task: Task, worker: Worker) -> str:
    """Which of the person's queues the task is in (queue_filter's three, which never overlap)."""
    if task.assignee_id == worker.user_id:
        return "mine"
    if worker.team and task.team == worker.team:
        return "team"
    assignee = task.assignee if task.assignee_id is not None else None
    profile = getattr(assignee, "profile", None) if assignee is not None else None
    if worker.team_id is not None and profile is not None and profile.team_id == worker.team_id:
        return "team"
    return "role" if task.assignee_id is None and not task.team and task.owner_role == worker.role else ""


def rows_for(tasks: Sequence[Task], now: dt.datetime, worker: Worker | None = None) -> list[TaskRow]:
    heads = people.headlines_for({t.individual_id for t in tasks}, now.date())
    return [
        TaskRow(
            task=t,
            child_name=heads[t.individual_id].name if t.individual_id in heads else "Name not recorded",
            now=now,
            queue=_queue_of(t, worker) if worker else "",
        )
        for t in tasks
    ]


SHOW_CHOICES = [
    ("all", "All my work"),
    ("mine", "Assigned to me"),
    ("team", "My team"),
    ("role", "Role queue"),
    ("overdue", "Overdue"),
]
DUE_CHOICES = [("overdue", "Overdue"), ("soon", "Due within the hour"), ("later", "Due later")]
SORT_CHOICES = [("due", "Due"), ("severity", "Severity"), ("clause", "Clause")]
ORDER_CHOICES = [("asc", "ascending"), ("desc", "descending")]
SEVERITY_CHOICES = [(s, label(s)) for s in SEVERITY_ORDER]
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# A CSV of My work holds every row of the list as filtered, up to this many.
CSV_LIMIT = 5000


def clause_choices(policy: Policy | None = None) -> list[tuple[str, str]]:
    """(code, "M2: title") for every clause the policy has enabled, in code order."""
    policy = policy or current_policy()
    return [(c, f"{c}: {policy.clause(c).title}") for c in sorted(policy.enabled_clauses)]


@dataclass(frozen=True)
class QueueQuery:
    """What a person asked of their queue: the tab (`show`), filters, sort and page. The web
    form and the API read the same fields from the query string (`querystring` writes them back,
    leaving out the defaults, so a link or Back returns to the same place)."""

    show: str = "all"
    clauses: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    due: str = ""
    area: str = ""
    sort: str = "due"
    order: str = "asc"
    page: int = 1
    per_page: int = PAGE_SIZE

    def params(self, **changes: Any) -> list[tuple[str, str]]:
        """The query's (name, value) pairs with `changes` applied, defaults left out."""
        q = replace(self, **changes)
        pairs: list[tuple[str, str]] = []
        if q.show != "all":
            pairs.append(("show", q.show))
        pairs += [("clause", c) for c in q.clauses] + [("severity", s) for s in q.severities]
        if q.due:
            pairs.append(("due", q.due))
        if q.area:
            pairs.append(("area", q.area))
        if q.sort != "due" or q.order != "asc":
            pairs += [("sort", q.sort), ("order", q.order)]
        if q.page > 1:
            pairs.append(("page", str(q.page)))
        return pairs

    def querystring(self, **changes: Any) -> str:
        """ "?show=team&severity=high&page=2" (or "" for the defaults), `changes` applied."""
        pairs = self.params(**changes)
        return "?" + urlencode(pairs) if pairs else ""

    @property
    def filtered(self) -> bool:
        return bool(self.clauses or self.severities or self.due or self.area)


def _due_q(due: str, now: dt.datetime) -> Q:
    """The due filter: overdue, due within the hour, or later (the three never overlap)."""
    if due == "overdue":
        return overdue_q(now)
    if due == "soon":
        return due_soon_q(now)
    if due == "later":
        return ~overdue_q(now) & ~due_soon_q(now)
    return Q()


def _ordering(query: QueueQuery) -> list[Any]:
    """The sort: by deadline (the first one missed for an escalated task), severity or clause,
    then the deadline, most severe and id so every page is stable."""
    desc = query.order == "desc"
    first = {
        "due": F("deadline").desc(nulls_last=True) if desc else F("deadline").asc(nulls_last=True),
        "severity": F("severity_rank").desc() if desc else F("severity_rank").asc(),
        "clause": F("clause").desc() if desc else F("clause").asc(),
    }[query.sort]
    return [first, F("deadline").asc(nulls_last=True), "severity_rank", "pk"]


@dataclass
class MyWork:
    """One page of a person's queue: its rows, the count behind each tab (with the filters
    applied, so a tab's count is the number of rows across all its pages), and the page's place."""

    rows: list[TaskRow]
    counts: dict[str, int]
    query: QueueQuery
    total: int = 0

    @property
    def show(self) -> str:
        return self.query.show

    @property
    def page(self) -> int:
        return self.query.page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.query.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.query.per_page + len(self.rows)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _queue_base(user: Any, worker: Worker, query: QueueQuery, now: dt.datetime) -> QuerySet[Task]:
    """Everything in the person's queue about children they may open and findings they may
    read, with the filters (not the tab) applied: what every count and page is taken from."""
    everything = _visible(
        user,
        Task.objects.filter(state__in=Task.CURRENT).filter(
            queue_filter(user_id=worker.user_id, role=worker.role, team=worker.team, team_id=worker.team_id)
        ),
    )
    everything = everything.exclude(finding_id__in=withheld_findings(user, everything))
    if query.clauses:
        everything = everything.filter(clause__in=query.clauses)
    if query.severities:
        everything = everything.filter(severity__in=query.severities)
    if query.area and (area := area_named(query.area)) is not None:
        everything = everything.filter(area.individual_q())
    return everything.filter(_due_q(query.due, now))


def my_work(user: Any, now: dt.datetime, query: QueueQuery | None = None) -> MyWork:
    """One page of `user`'s current tasks: assigned to them, their team's, and their role's
    unassigned queue (`query.show` narrows to one of these, or to the overdue), filtered by
    clause, severity, due and the child's area, sorted (the longest late first by default); with the count behind
    each tab, taken from the same filtered rows."""
    query = query or QueueQuery()
    worker = worker_of(user)
    base = _queue_base(user, worker, query, now)

    def only(scope: str) -> Q:
        return queue_filter(
            user_id=worker.user_id, role=worker.role, team=worker.team, scope=scope, team_id=worker.team_id
        )

    # Aliases must not be field names ("team"), or the filters would read the aggregate.
    counts = base.aggregate(
        n_all=Count("pk"),
        n_mine=Count("pk", filter=only("mine")),
        n_team=Count("pk", filter=only("team")),
        n_role=Count("pk", filter=only("role")),
        n_overdue=Count("pk", filter=overdue_q(now)),
    )
    found = {k.removeprefix("n_"): int(v) for k, v in counts.items()}
    tab = overdue_q(now) if query.show == "overdue" else only(query.show if query.show in QUEUE_SCOPES else "all")
    total = found.get(query.show, found["all"])
    pages = max(1, -(-total // query.per_page))
    query = replace(query, page=min(max(1, query.page), pages))
    start = (query.page - 1) * query.per_page
    tasks = (
        base.filter(tab)
        .annotate(severity_rank=severity_rank(), deadline=deadline())
        .order_by(*_ordering(query))
        .select_related("assignee__profile")[start : start + query.per_page]
    )
    return MyWork(rows=rows_for(list(tasks), now, worker), counts=found, query=query, total=total)


def tasks_for_user(user: Any, ids: Sequence[int]) -> tuple[list[Task], list[int]]:
    """Of the tasks `ids`, those `user` may open (their child, their finding in full: as
    `task_for_user`) and the ids refused (missing or not theirs alike, each logged as a refusal)."""
    found = {t.pk: t for t in Task.objects.select_related("finding").filter(pk__in=list(ids))}
    shown = set(visible_individual_ids(user, {t.individual_id for t in found.values()}))
    disclosed = set(disclosed_ids(user, [t.finding for t in found.values() if t.individual_id in shown]))
    tasks, refusals = [], []
    for pk in dict.fromkeys(ids):
        task = found.get(pk)
        if task is not None and task.individual_id in shown and task.finding_id in disclosed:
            tasks.append(task)
        else:
            refusals.append(pk)
            refused(user, object_type="task", object_id=pk, individual_ids=[task.individual_id] if task else [])
    return tasks, refusals


def task_for_user(user: Any, pk: int) -> Task:
    """The task `pk` if `user` may open its child and read its finding in full
    (reads.disclosure); Http404 otherwise (no hint why), logged as a refusal."""
    task = Task.objects.select_related("finding", "assignee").filter(pk=pk).first()
    if task is None:
        raise refused(user, object_type="task", object_id=pk)
    if not visible_individual_ids(user, [task.individual_id]) or not disclosed_ids(user, [task.finding]):
        raise refused(user, object_type="task", object_id=pk, individual_ids=[task.individual_id])
    return task


@dataclass(frozen=True)
class CitedRecord:
    """A record the finding cites: a link when it is an event the viewer may open."""

    source: str
    source_id: str
    event_id: int | None = None
    event_type: str = ""
    occurred_at: dt.datetime | None = None


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    action: str
    actor: str
    from_role: str
    to_role: str
    note: str


@dataclass
class TaskDetail:
    row: TaskRow
    clause_title: str
    policy_version: str
    cites: list[CitedRecord]
    withheld: int
    history: list[HistoryEntry]
    team_members: list[tuple[str, str]] = field(default_factory=list)
    named: list[NamedLine] = field(default_factory=list)  # who and where the finding rests on


def cited_records(user: Any, cites: list[dict[str, str]]) -> tuple[list[CitedRecord], int]:
    """The finding's cited records the viewer may open (events link to their pages; other
    records show their source reference) and how many were withheld from this viewer."""
    refs = [(str(c.get("source", "")), str(c.get("id", ""))) for c in cites if isinstance(c, dict)]
    if not refs:
        return [], 0
    query = Q()
    for source, source_id in refs:
        query |= Q(source=source, source_id=source_id)
    events = {(e.source, e.source_id): e for e in Event.live.filter(query)}
    allowed = visible_event_ids(user, [e.pk for e in events.values()])
    shown: list[CitedRecord] = []
    withheld = 0
    for ref in refs:
        event = events.get(ref)
        if event is None:
            shown.append(CitedRecord(*ref))
        elif event.pk in allowed:
            shown.append(CitedRecord(ref[0], ref[1], event.pk, event.event_type, event.occurred_at))
        else:
            withheld += 1
    return shown, withheld


def history_of(task: Task) -> list[HistoryEntry]:
    """The task's history, newest first (the MoJ timeline's order)."""
    events = TaskEvent.objects.filter(task=task).select_related("actor").order_by("-at", "-pk")
    return [
        HistoryEntry(
            at=e.at,
            action=e.action,
            actor=display_name(e.actor) if e.actor else "safetynet",
            from_role=label(e.from_role),
            to_role=label(e.to_role),
            note=e.note,
        )
        for e in events
    ]


def team_members(user: Any, task: Task) -> list[tuple[str, str]]:
    """(user id, name) of the active members of `user`'s team who may act on tasks, may open
    this task's child and may read its finding in full: who the task can be assigned to."""
    profile = profile_of(user)
    if profile is None or profile.team_id is None:
        return []
    members = (
        get_user_model()
        .objects.filter(is_active=True, profile__team_id=profile.team_id)
        .select_related("profile")
        .order_by("first_name", "last_name", "username")
    )
    return [
        (str(m.pk), display_name(m))
        for m in members
        if has_permission(m, "resolve_task")
        and visible_individual_ids(m, [task.individual_id])
        and disclosed_ids(m, [task.finding])
    ]


def bulk_members(user: Any) -> list[tuple[str, str]]:
    """(user id, name) of the active members of `user`'s team whose role may act on tasks: who
    a supervisor may give several tasks to at once (whether each may open each task's child is
    checked per task)."""
    profile = profile_of(user)
    if profile is None or profile.team_id is None:
        return []
    members = (
        get_user_model()
        .objects.filter(is_active=True, profile__team_id=profile.team_id)
        .select_related("profile")
        .order_by("first_name", "last_name", "username")
    )
    return [(str(m.pk), display_name(m)) for m in members if has_permission(m, "resolve_task")]


def bulk_teams(user: Any) -> list[tuple[str, str]]:
    """(code, "name (agency)") of the teams of `user`'s agency and of those the matrix lets its
    work be handed to (each task's own agency is checked when it is assigned)."""
    agency = AGENCY_OF_ROLE.get(role_of(user) or "", "")
    allowed = load_matrix().assignable_agencies(agency) if agency else set()
    teams = Team.objects.filter(agency__code__in=allowed).select_related("agency").order_by("agency__code", "name")
    return [(t.code, f"{t.name} ({t.agency.name})") for t in teams]


def task_detail(user: Any, task: Task, now: dt.datetime, policy: Policy | None = None) -> TaskDetail:
    policy = policy or current_policy()
    finding = task.finding
    try:
        title = policy.clause(task.clause).title
    except KeyError:
        title = ""
    cites, withheld = cited_records(user, list(finding.cites or []))
    return TaskDetail(
        row=rows_for([task], now, worker_of(user))[0],
        clause_title=title,
        policy_version=finding.policy_version,
        cites=cites,
        withheld=withheld,
        history=history_of(task),
        team_members=team_members(user, task),
        named=named_for(user, [finding]).get(finding.pk, []),
    )


def oversight_for(user: Any, now: dt.datetime, policy: Policy | None = None, area: str = "") -> Oversight:
    """The supervisor's oversight (counts and list) over the children `user` may open, in
    `area` (one of the policy's areas by name) when one is given."""
    worker = worker_of(user)
    current = _visible(user, Task.objects.current())
    individuals = visible_individuals(user)
    if area and (named := area_named(area)) is not None:
        individuals = individuals.filter(named.individual_q("pk"))
    return oversight(
        role=worker.role,
        team=worker.team,
        now=now,
        policy=policy,
        individuals=individuals.values("pk"),
        withheld_findings=withheld_findings(user, current),
    )


def oversight_page(found: Oversight, now: dt.datetime, query: QueueQuery) -> MyWork:
    """One page of the oversight list (`query.page` of `query.per_page`, the longest overdue
    first), with the number of late and escalated tasks in all: nothing is cut off unsaid."""
    total = found.tasks.count()
    pages = max(1, -(-total // query.per_page))
    query = replace(query, page=min(max(1, query.page), pages))
    start = (query.page - 1) * query.per_page
    rows = rows_for(list(found.tasks.select_related("assignee")[start : start + query.per_page]), now)
    return MyWork(rows=rows, counts={}, query=query, total=total)
