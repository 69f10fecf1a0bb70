"""Read models for the work screens and the task API: "My work", one task, a supervisor's
oversight. Tasks come from `safetynet.work` (one per risk finding, with an owner, a
deadline and an escalation level); every task shown is about a child the viewer may open,
fetched through the access rules, so a task about anyone else answers 404 like a missing one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from safetynet.access.profiles import has_permission, profile_of, role_of
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
from safetynet.risk.models import Finding
from safetynet.risk.policy import Policy, current_policy
from safetynet.work.models import Task, TaskEvent, overdue_q
from safetynet.work.services import Oversight, oversight, queue_filter, task_queue

WORK_LIMIT = 200
QUEUE_LABEL = {"mine": "Assigned to you", "team": "Your team", "role": "Role queue"}


@dataclass(frozen=True)
class Worker:
    """Who is asking: the ids a queue is built from."""

    user_id: int
    role: str
    team: str


def worker_of(user: Any) -> Worker:
    """The signed-in user's id, role code and team code ("" when they have none)."""
    profile = profile_of(user)
    team = profile.team.code if profile is not None and profile.team is not None else ""
    return Worker(int(user.pk), role_of(user) or "", team)


def _visible(user: Any, tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Only tasks about children `user` may open (a subquery: no child is ever listed first)."""
    return tasks.filter(individual_id__in=visible_individuals(user).values("pk"))


def withheld_findings(user: Any, tasks: QuerySet[Task]) -> list[int]:
    """The findings of `tasks` that `user` may not read in full (reads.disclosure): their
    tasks are not shown to `user`, in lists, counts or on their own."""
    if sees_everything(user):
        return []
    findings = list(Finding.objects.filter(pk__in=tasks.values("finding_id")).only("pk", "cites", "key", "owner_role"))
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
        """ "3 h 20 min" for an overdue task; "" otherwise."""
        if not self.overdue or self.task.due_at is None:
            return ""
        return duration(self.now - self.task.due_at)

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
    if task.assignee_id == worker.user_id:
        return "mine"
    if worker.team and task.team == worker.team:
        return "team"
    return "role"


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


@dataclass
class MyWork:
    rows: list[TaskRow]
    counts: dict[str, int]
    show: str
    truncated: bool = False


SHOW_CHOICES = [
    ("all", "All my work"),
    ("mine", "Assigned to me"),
    ("team", "My team"),
    ("role", "Role queue"),
    ("overdue", "Overdue"),
]


def my_work(user: Any, now: dt.datetime, show: str = "all", limit: int = WORK_LIMIT) -> MyWork:
    """Current tasks for `user`: assigned to them, to their team, and their role's unassigned
    queue (`show` narrows to one of these, or to the overdue), earliest deadline first, most
    severe first among equals, at most `limit`; with the count behind each filter."""
    worker = worker_of(user)
    everything = _visible(
        user,
        Task.objects.filter(state__in=Task.CURRENT).filter(
            queue_filter(user_id=worker.user_id, role=worker.role, team=worker.team)
        ),
    )
    withheld = withheld_findings(user, everything)
    everything = everything.exclude(finding_id__in=withheld)

    def only(scope: str) -> Q:
        return queue_filter(user_id=worker.user_id, role=worker.role, team=worker.team, scope=scope)

    # Aliases must not be field names ("team"), or the filters would read the aggregate.
    counts = everything.aggregate(
        n_all=Count("pk"),
        n_mine=Count("pk", filter=only("mine")),
        n_team=Count("pk", filter=only("team")),
        n_role=Count("pk", filter=only("role")),
        n_overdue=Count("pk", filter=overdue_q(now)),
    )
    scope = show if show in ("mine", "team", "role") else "all"
    tasks = (
        _visible(
            user,
            task_queue(
                user_id=worker.user_id,
                role=worker.role,
                team=worker.team,
                scope=scope,
                overdue_at=now if show == "overdue" else None,
            ),
        )
        .exclude(finding_id__in=withheld)
        .select_related("assignee")
    )
    found = list(tasks[: limit + 1])
    return MyWork(
        rows=rows_for(found[:limit], now, worker),
        counts={k.removeprefix("n_"): int(v) for k, v in counts.items()},
        show=show,
        truncated=len(found) > limit,
    )


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


def oversight_for(user: Any, now: dt.datetime, policy: Policy | None = None) -> Oversight:
    """The supervisor's oversight (counts and list) over the children `user` may open."""
    worker = worker_of(user)
    current = _visible(user, Task.objects.current())
    return oversight(
        role=worker.role,
        team=worker.team,
        now=now,
        policy=policy,
        individuals=visible_individuals(user).values("pk"),
        withheld_findings=withheld_findings(user, current),
    )


def oversight_rows(found: Oversight, now: dt.datetime, limit: int = WORK_LIMIT) -> list[TaskRow]:
    """The oversight list (already narrowed to what the viewer may open), at most `limit`."""
    return rows_for(list(found.tasks.select_related("assignee")[:limit]), now)
