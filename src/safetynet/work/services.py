"""Work services: tasks from findings, the escalation sweep, assignment, acknowledgement
and resolution with a language-checked rationale.

Every state change is one atomic function with a keyword-only `acting_user` (None for the
system, e.g. the sweep) and an injected `clock`, so tests move time instead of sleeping and
"as of" listings are exact. A person's decision goes through the task's transition methods
(`Task.acknowledge`, `Task.resolve`, ...: `IllegalMove` when the state does not allow it),
its finding follows (`Finding.follow_decision`), and the access log records it in the same
transaction. Views, the CLI and background tasks call these and nothing else.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from more_itertools import chunked

from safetynet.access.roles import AGENCY_OF_ROLE
from safetynet.audit.models import Action
from safetynet.audit.services import record_audit
from safetynet.lib.clock import Clock, system_clock
from safetynet.lib.locks import serialise
from safetynet.risk.models import AUDIT_KIND, Finding, severity_rank
from safetynet.risk.policy import LanguageMatch, Policy, current_policy
from safetynet.work import notifications
from safetynet.work.models import Task, TaskEvent, due_soon_q, overdue_q
from safetynet.work.ownership import assign_as_found, check_assignment, check_ownership
from safetynet.work.practice import practice_counts

log = logging.getLogger(__name__)


class WorkError(Exception):
    """A request that cannot be done: no such task, an assignment to nobody, an unknown queue,
    an oversight view for a role off the chain. (A move the task's state does not allow is
    `work.models.IllegalMove`.)"""


class RationaleRefused(WorkError):
    """A resolution rationale that is empty or uses language that blames the child.

    `matches` holds each flagged phrase with its reason and suggested wording."""

    def __init__(self, message: str, matches: list[LanguageMatch] | None = None) -> None:
        super().__init__(message)
        self.matches = matches or []


@dataclass
class SyncReport:
    """What `sync_tasks` did: tasks created, tasks closed because their finding cleared."""

    created: int = 0
    closed: int = 0
    updated: int = 0


@dataclass(frozen=True)
class Escalation:
    """One overdue task moved up the chain (to_role None: already at the top)."""

    task_id: int
    clause: str
    from_role: str
    to_role: str | None
    due_at: dt.datetime | None


@dataclass
class SweepReport:
    escalations: list[Escalation] = field(default_factory=list)

    @property
    def escalated(self) -> int:
        return sum(1 for e in self.escalations if e.to_role is not None)

    @property
    def exhausted(self) -> int:
        return sum(1 for e in self.escalations if e.to_role is None)


def _close_cleared(tasks: QuerySet[Task], now: dt.datetime) -> int:
    """Closes the current tasks whose finding is no longer current work (cleared, or its breach
    aged into a practice finding: the history says which); returns how many."""
    closing = list(
        tasks.exclude(finding__state=Finding.State.RESOLVED).only(
            "pk", "state", "owner_role", "individual_id", "clause"
        )
    )
    practice = set(
        Finding.objects.filter(
            kind="practice", state=Finding.State.OPEN, individual_id__in={t.individual_id for t in closing}
        ).values_list("individual_id", "clause")
    )
    for task in closing:
        task.close(now)
        task.save(update_fields=["state", "closed_at"])
        to_practice = (task.individual_id, task.clause) in practice
        TaskEvent.objects.create(
            task=task,
            at=now,
            action=TaskEvent.Action.CLOSED,
            from_role=task.owner_role,
            note="the work it was about closed: now a practice finding, for oversight"
            if to_practice
            else "the finding's condition cleared",
        )
    return len(closing)


def sync_tasks(
    *,
    acting_user: Any = None,
    clock: Clock = system_clock,
    policy: Policy | None = None,
    individual_ids: Iterable[int] | None = None,
) -> SyncReport:
    """Creates a task for every current finding without one and closes tasks whose finding
    closed by itself; returns the counts. Idempotent: running it twice changes nothing."""
    policy = policy or current_policy()
    now = clock.now()
    report = SyncReport()
    # Practice findings (breaches on work already closed) are for oversight, never tasks.
    findings = Finding.objects.filter(
        state__in=(Finding.State.OPEN, Finding.State.ACKNOWLEDGED), task__isnull=True, kind="work"
    )
    # An audit action's task (finding kind "audit") ends only when its owner resolves it.
    tasks = (
        Task.objects.current()
        .exclude(finding__state__in=(Finding.State.OPEN, Finding.State.ACKNOWLEDGED), finding__kind="work")
        .exclude(finding__kind=AUDIT_KIND)
    )
    moved = Task.objects.filter(state__in=Task.CURRENT, escalation_level=0, finding__due_by__isnull=False).exclude(
        due_at=F("finding__due_by")
    )
    if individual_ids is not None:
        ids = list(individual_ids)
        findings = findings.filter(individual_id__in=ids)
        tasks = tasks.filter(individual_id__in=ids)
        moved = moved.filter(individual_id__in=ids)
    with transaction.atomic():
        # One sync at a time (workers' sweepers, web processes' receivers): two at once would both
        # create a task for the same new finding (one failing on the unique finding) or both close
        # the same task; the second now starts from what the first committed.
        serialise("work.sync_tasks")
        # Plain rows, not model instances: a full first sync meets every finding in the county.
        rows = findings.values_list(
            "pk", "individual_id", "clause", "severity", "reason", "owner_role", "due_by", "raised_at", "state"
        )
        new = [
            Task(
                finding_id=pk,
                individual_id=individual,
                clause=clause,
                severity=severity,
                reason=reason,
                owner_role=owner,
                due_at=due_by or raised_at + policy.response_time(severity),
                state=Task.State.ACKNOWLEDGED if state == Finding.State.ACKNOWLEDGED else Task.State.OPEN,
                created_at=now,
            )
            for pk, individual, clause, severity, reason, owner, due_by, raised_at, state in rows.iterator(
                chunk_size=2000
            )
        ]
        Task.objects.bulk_create(new, batch_size=1000)
        created = Task.objects.filter(finding_id__in=[t.finding_id for t in new]).values_list("pk", "owner_role")
        TaskEvent.objects.bulk_create(
            [TaskEvent(task_id=pk, at=now, action=TaskEvent.Action.CREATED, to_role=role) for pk, role in created],
            batch_size=1000,
        )
        report.created = len(new)
        assign_as_found([t.finding_id for t in new])
        # A finding whose clock moved (a review recorded, a re-review due) moves its task,
        # unless the task has already escalated on the old deadline.
        for task in moved.select_related("finding"):
            Task.objects.filter(pk=task.pk).update(due_at=task.finding.due_by)
            report.updated += 1
        report.closed += _close_cleared(tasks, now)
    return report


def sweep(
    *, clock: Clock = system_clock, policy: Policy | None = None, acting_user: Any = None, chunk: int = 1000
) -> SweepReport:
    """Escalates every current task whose deadline has passed one step up the policy's chain
    (sergeant -> inspector -> superintendent; a role off the chain goes to its first step),
    giving the new owner `escalation.step_hours`; a task overdue at the top is marked
    exhausted once. Returns what moved.

    Claimed atomically, a chunk at a time: inside one transaction the overdue rows are read
    (locked with SKIP LOCKED on PostgreSQL; SQLite's IMMEDIATE transactions hold the write
    lock from the start) and updated only where they are still overdue under the same owner,
    so two sweeps running at once never escalate the same task twice."""
    policy = policy or current_policy()
    now = clock.now()
    step = dt.timedelta(hours=float(policy.document.escalation.step_hours))
    report = SweepReport()
    # The current owner's clock, not "overdue": a task already escalated stays overdue (late_since)
    # but waits for its new owner's deadline before it climbs again.
    overdue = Task.objects.past_deadline(now).filter(escalation_exhausted=False)
    candidates = list(overdue.order_by("due_at", "pk").values_list("pk", flat=True))
    for batch in chunked(candidates, chunk):
        with transaction.atomic():
            rows = overdue.filter(pk__in=batch)
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True)
            by_role: dict[str, list[tuple[int, str, dt.datetime | None]]] = defaultdict(list)
            for pk, clause, role, due in rows.values_list("pk", "clause", "owner_role", "due_at"):
                by_role[role].append((pk, clause, due))
            events: list[TaskEvent] = []
            moved: list[tuple[int, str, dt.datetime | None]] = []
            for role, items in by_role.items():
                to_role = policy.escalation_after(role)
                claim = overdue.filter(pk__in=[pk for pk, _, _ in items], owner_role=role)
                # The first deadline missed is kept: late since then, whatever the next owner's clock.
                late_since = Coalesce(F("late_since"), F("due_at"))
                if to_role is None:
                    claim.update(escalation_exhausted=True, escalated_at=now, late_since=late_since)
                    note, action = "deadline passed at the top of the escalation chain", TaskEvent.Action.EXHAUSTED
                else:
                    claim.update(
                        owner_role=to_role,
                        due_at=now + step,
                        assignee=None,
                        team="",
                        escalation_level=F("escalation_level") + 1,
                        escalated_at=now,
                        late_since=late_since,
                    )
                    note, action = f"deadline passed; escalated from {role} to {to_role}", TaskEvent.Action.ESCALATED
                for pk, clause, due in items:
                    events.append(
                        TaskEvent(task_id=pk, at=now, action=action, from_role=role, to_role=to_role or "", note=note)
                    )
                    report.escalations.append(Escalation(pk, clause, role, to_role, now + step if to_role else due))
                    if to_role is not None:
                        moved.append((pk, to_role, now + step))
            TaskEvent.objects.bulk_create(events, batch_size=1000)
            # The new owners are told, in the claim's transaction (once: notifications are unique per event).
            notifications.tasks_escalated(moved, clock=clock)
    if report.escalations:
        log.info("work: sweep escalated %d task(s), %d at the top", report.escalated, report.exhausted)
    return report


def _locked(task_id: int, acting_user: Any = None, policy: Policy | None = None) -> Task:
    """The task, locked for the caller's transaction; WorkError when there is none,
    NotYourTask (NotYourAgency for another agency's work) when `acting_user` may not act on it
    (`work.ownership`)."""
    task = Task.objects.select_for_update().filter(pk=task_id).first()
    if task is None:
        raise WorkError(f"task {task_id} does not exist")
    check_ownership(task, acting_user, policy or current_policy())
    return task


def _finding_follows(task: Task, at: dt.datetime | None = None) -> None:
    """Moves the task's finding to the state the task's decision gave it (locked, same
    transaction); a resolution keeps what it was decided on (`Finding.follow_decision`)."""
    finding = Finding.objects.select_for_update().get(pk=task.finding_id)
    if finding.follow_decision(task.state, at):
        finding.save(update_fields=["state", "decided_cites", "decided_severity", "decided_at"])


def assign(
    task_id: int,
    *,
    acting_user: Any,
    clock: Clock = system_clock,
    assignee: Any = None,
    team: str = "",
    policy: Policy | None = None,
) -> Task:
    """Gives the task to a person and/or a team (the owner role stays); returns the task.
    The access log records who assigned it (same transaction). IllegalMove when the task is
    no longer current; NotYourTask when `acting_user` may not act on it; AssignmentRefused
    when the person or team may not be given it (`work.ownership.check_assignment`)."""
    if assignee is None and not team:
        raise WorkError("assign needs a person or a team code")
    with transaction.atomic():
        task = _locked(task_id, acting_user, policy)
        check_assignment(task, acting_user=acting_user, assignee=assignee, team=team)
        task.assign(assignee, team)
        task.save(update_fields=["assignee", "team"])
        who = f"team {team}" if team else "a named person"
        if assignee is not None and team:
            who = f"a named person in team {team}"
        event = TaskEvent.objects.create(
            task=task, at=clock.now(), action=TaskEvent.Action.ASSIGNED, actor=acting_user, note=f"assigned to {who}"
        )
        _audit(task, acting_user, Action.CHANGE, ["assignee", "team"], clock)
        notifications.task_assigned(task, acting_user=acting_user, event_id=event.pk, clock=clock)
    return task


def _audit(task: Task, acting_user: Any, action: str, fields: list[str], clock: Clock) -> None:
    """The access-log entry for a change to a task, inside the caller's transaction."""
    record_audit(
        acting_user=acting_user,
        action=action,
        object_type="task",
        object_ids=[task.pk],
        individual_ids=[task.individual_id],
        fields=fields,
        clock=clock,
    )


def acknowledge(task_id: int, *, acting_user: Any, clock: Clock = system_clock, policy: Policy | None = None) -> Task:
    """Records that someone has seen the task and is acting on it (the deadline still runs);
    the finding is acknowledged with it. Returns the task; IllegalMove when it is no longer
    current (acknowledging an acknowledged task changes nothing)."""
    now = clock.now()
    with transaction.atomic():
        task = _locked(task_id, acting_user, policy)
        if not task.acknowledge(acting_user, now):
            return task
        task.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
        _finding_follows(task)
        TaskEvent.objects.create(
            task=task, at=now, action=TaskEvent.Action.ACKNOWLEDGED, actor=acting_user, from_role=task.owner_role
        )
        _audit(task, acting_user, Action.CHANGE, ["state"], clock)
    return task


# A rationale says what was done or decided and why that is enough: "ok" or "done" does not.
RATIONALE_MIN_CHARACTERS = 20


def check_rationale(rationale: str, policy: Policy) -> None:
    """Raises RationaleRefused when the rationale is empty, shorter than
    RATIONALE_MIN_CHARACTERS, or uses flagged language; the message names each phrase, why it
    matters and the suggested wording."""
    if not rationale or not rationale.strip():
        raise RationaleRefused("a rationale is required to resolve a task: say what was done and why it is enough")
    if len(rationale.strip()) < RATIONALE_MIN_CHARACTERS:
        raise RationaleRefused(
            f"the rationale is too short (at least {RATIONALE_MIN_CHARACTERS} characters): "
            "say what was done and why it is enough"
        )
    matches = policy.check_language(rationale)
    if matches:
        raise RationaleRefused(
            "the rationale uses language that blames the child: " + "; ".join(m.message() for m in matches), matches
        )


RATIONALE_REQUIRED = "Enter a rationale for resolving this"
RATIONALE_TOO_SHORT = (
    f"The rationale must be at least {RATIONALE_MIN_CHARACTERS} characters: "
    "say what was done or decided and why it is enough"
)


def rationale_problems(rationale: str, policy: Policy) -> tuple[list[str], list[LanguageMatch]]:
    """What the writer must change before `rationale` can resolve a task, worded for the screen
    and the API alike (no problems: it passes), and the flagged phrases behind them."""
    try:
        check_rationale(rationale, policy)
    except RationaleRefused as refused:
        if not refused.matches:
            return [RATIONALE_REQUIRED if not rationale.strip() else RATIONALE_TOO_SHORT], []
        return [
            f"Do not write \u201c{m.matched}\u201d: {m.reason} Write instead: {m.suggestion}" for m in refused.matches
        ], list(refused.matches)
    return [], []


def resolve(
    task_id: int, *, acting_user: Any, rationale: str, clock: Clock = system_clock, policy: Policy | None = None
) -> Task:
    """Resolves the task and its finding with a rationale that passes the language check
    (RationaleRefused otherwise, naming the phrase, the reason and the suggested wording).
    Returns the task; IllegalMove when it is no longer current."""
    policy = policy or current_policy()
    check_rationale(rationale, policy)
    now = clock.now()
    with transaction.atomic():
        task = _locked(task_id, acting_user, policy)
        task.resolve(acting_user, rationale, now)
        task.save(update_fields=["state", "resolved_at", "resolved_by", "rationale"])
        _finding_follows(task, now)
        TaskEvent.objects.create(
            task=task, at=now, action=TaskEvent.Action.RESOLVED, actor=acting_user, from_role=task.owner_role
        )
        _audit(task, acting_user, Action.DECISION, ["rationale", "state"], clock)
    return task


def reopen_resolved(
    reopened: Iterable[tuple[int, str]], *, clock: Clock = system_clock, policy: Policy | None = None
) -> int:
    """Re-opens the resolved tasks of findings whose resolution no longer holds (new evidence or
    expiry: `risk.services` says what changed) with a fresh deadline, saying what changed on
    the task and in its history; the finding follows. Returns how many re-opened (a task that
    is not resolved any more is left as it is)."""
    policy = policy or current_policy()
    now = clock.now()
    count = 0
    with transaction.atomic():
        for finding_id, because in reopened:
            task = Task.objects.select_for_update().filter(finding_id=finding_id).first()
            if task is None or task.state != Task.State.RESOLVED:
                continue
            finding = Finding.objects.select_for_update().get(pk=finding_id)
            task.reopen(
                at=now,
                because=because,
                due_at=finding.due_by
                if finding.due_by and finding.due_by > now
                else now + policy.response_time(finding.severity),
                severity=finding.severity,
                reason=finding.reason,
            )
            task.save()
            _finding_follows(task)
            TaskEvent.objects.create(
                task=task, at=now, action=TaskEvent.Action.REOPENED, to_role=task.owner_role, note=because
            )
            count += 1
    return count


def open_tasks(
    *, as_of: dt.datetime | None = None, role: str | None = None, individual_id: int | None = None
) -> QuerySet[Task]:
    """Returns current tasks (as they stand now, created by `as_of`), most urgent first:
    overdue before due, then by deadline, then severity."""
    qs = Task.objects.current()
    if as_of is not None:
        qs = qs.filter(created_at__lte=as_of)
    if role:
        qs = qs.filter(owner_role=role)
    if individual_id is not None:
        qs = qs.filter(individual_id=individual_id)
    return qs.order_by(F("due_at").asc(nulls_last=True), "pk")


def task_as_dict(task: Task, now: dt.datetime) -> dict[str, Any]:
    """Returns the task as one JSON-ready object (what `safetynet alerts --json` prints)."""
    return {
        "task": task.pk,
        "finding": task.finding_id,
        "individual": task.individual_id,
        "clause": task.clause,
        "severity": task.severity,
        "reason": task.reason,
        "owner_role": task.owner_role,
        "team": task.team or None,
        "assignee": task.assignee_id,
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "overdue": task.is_overdue(now),
        "escalation_level": task.escalation_level,
        "state": task.state,
    }


# --- queues: what a person's "My work" and a supervisor's oversight screen list ---------------

QUEUE_SCOPES = ("all", "mine", "team", "role")
_NEVER = Q(pk__in=[])


def queue_filter(*, user_id: int, role: str, team: str, scope: str = "all", team_id: int | None = None) -> Q:
    """Which current tasks are someone's work, in three queues that never overlap: `mine`
    (assigned to them), `team` (their own team's: given to their team code, or assigned to
    another member of their team, `team_id`), `role` (the role queue: nobody assigned, no
    team, owned by their role), or `all` of these (so the three counts add up to it). A user
    without a role has no role queue; without a team, no team queue."""
    if scope not in QUEUE_SCOPES:
        raise WorkError(f"unknown queue {scope!r}; expected one of {', '.join(QUEUE_SCOPES)}")
    mine = Q(assignee_id=user_id)
    ours = (Q(team=team) if team else _NEVER) | (Q(assignee__profile__team_id=team_id) if team_id else _NEVER)
    teams = ours & ~mine
    role_queue = Q(assignee__isnull=True, team="", owner_role=role) if role else _NEVER
    return {"mine": mine, "team": teams, "role": role_queue, "all": mine | teams | role_queue}[scope]


def task_queue(
    *,
    user_id: int,
    role: str,
    team: str = "",
    scope: str = "all",
    overdue_at: dt.datetime | None = None,
    team_id: int | None = None,
) -> QuerySet[Task]:
    """Current tasks in a person's queue (see `queue_filter`), the longest late first, then the
    earliest deadline (no deadline last), then most severe; `overdue_at` keeps only those
    overdue at that time."""
    qs = Task.objects.current().filter(
        queue_filter(user_id=user_id, role=role, team=team, scope=scope, team_id=team_id)
    )
    if overdue_at is not None:
        qs = qs.overdue(overdue_at)
    return qs.annotate(severity_rank=severity_rank(), deadline=deadline()).order_by(
        F("deadline").asc(nulls_last=True), "severity_rank", "pk"
    )


def deadline() -> Coalesce:
    """A query expression for the deadline a queue sorts by: the first one missed (`late_since`)
    for a task that escalated, else its current one: the longest late come first."""
    return Coalesce(F("late_since"), F("due_at"))


def supervises(role: str, policy: Policy) -> bool:
    """Whether `role` is a step of an escalation chain, so overdue work comes to it."""
    return policy.document.escalation.supervises(role)


@dataclass(frozen=True)
class Oversight:
    """A supervisor's view: current tasks that are late or have escalated, and their counts."""

    tasks: QuerySet[Task]
    overdue: int
    escalated: int
    exhausted: int
    due_soon: int
    overdue_by_role: dict[str, int]
    # clause -> (practice findings, breaches): work already closed, never tasks (work/practice.py)
    practice: dict[str, tuple[int, int]] = field(default_factory=dict)


def oversight(
    *,
    role: str,
    team: str,
    now: dt.datetime,
    policy: Policy | None = None,
    individuals: QuerySet[Any] | None = None,
    withheld_findings: Iterable[int] = (),
) -> Oversight:
    """What a supervisor (a role on an escalation chain) watches: every current task of their
    agency that has not yet climbed above them (the work that escalates to them when it is
    late), their team's, and every escalated task of their agency (a sergeant sees what went
    to the inspector), narrowed
    to the overdue or escalated. `due_soon` counts watched tasks due in the next hour that
    have not escalated: the ones that will be late next. `individuals` (a queryset of
    individual ids) narrows everything, counts included, to the children a viewer may open;
    `withheld_findings` leaves out the tasks of findings the viewer may not read."""
    policy = policy or current_policy()
    if not supervises(role, policy):
        raise WorkError(f"role {role!r} is not on the escalation chain; only supervisors have an oversight view")
    # Work of the roles whose chain climbs to `role` (their own agency's: a sergeant does not
    # watch social-care work), its team's, and every escalated task of those roles.
    below = list(policy.document.escalation.watched_by(role))
    agency = [r for r, a in AGENCY_OF_ROLE.items() if a == AGENCY_OF_ROLE.get(role)]
    watched = Task.objects.current().filter(
        Q(owner_role__in=below) | (Q(team=team) if team else _NEVER) | Q(escalation_level__gt=0, owner_role__in=agency)
    )
    if individuals is not None:
        watched = watched.filter(individual_id__in=individuals)
    if withheld_findings:
        watched = watched.exclude(finding_id__in=list(withheld_findings))
    late = overdue_q(now)
    flagged = watched.filter(late | Q(escalation_level__gt=0) | Q(escalation_exhausted=True))
    counts = watched.aggregate(
        overdue=Count("pk", filter=late),
        escalated=Count("pk", filter=Q(escalation_level__gt=0)),
        exhausted=Count("pk", filter=Q(escalation_exhausted=True)),
        due_soon=Count(
            "pk",
            filter=due_soon_q(now) & Q(escalation_level=0),
        ),
    )
    by_role = dict(watched.filter(late).values_list("owner_role").annotate(n=Count("pk")).order_by("-n", "owner_role"))
    return Oversight(
        tasks=flagged.annotate(severity_rank=severity_rank(), deadline=deadline()).order_by(
            F("deadline").asc(nulls_last=True), "severity_rank", "pk"
        ),
        overdue=counts["overdue"],
        escalated=counts["escalated"],
        exhausted=counts["exhausted"],
        due_soon=counts["due_soon"],
        overdue_by_role={str(k): int(v) for k, v in by_role.items()},
        practice=practice_counts(individuals=individuals),
    )
