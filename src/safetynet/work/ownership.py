"""Who may act on a task (acknowledge, assign, resolve) and to whom it may be assigned.

Seeing a child's task is not owning it. A user acts on a task when it is assigned to them,
given to their team, in their role's queue (their role owns it and it is not given to another
team), or when their role is above the owner on the task's escalation chain (a sergeant acts
on a custody officer's task; `risk.escalation`). A task may be assigned to users and teams
of its owning agency and of the agencies the access matrix lists under
`agencies.<owner agency>.may_assign_to`, and only to people whose role may act on tasks.
Refusals name task ids, roles, agencies and team codes only, never a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from safetynet.access.matrix import load as load_matrix
from safetynet.access.models import Team
from safetynet.access.profiles import profile_of, role_of
from safetynet.access.roles import AGENCY_OF_ROLE
from safetynet.risk.models import Finding
from safetynet.risk.policy import Policy
from safetynet.work.models import Task


class NotYourTask(Exception):
    """The acting user may not act on this task; the message says who may (roles, agencies,
    team codes: nothing personal), fit to show them."""


class NotYourAgency(NotYourTask):
    """The task is another agency's work and is neither assigned to the acting user nor given
    to their team."""


class AssignmentRefused(Exception):
    """An assignment the rules do not allow; the message names the field and what was expected.
    `forbidden` is True when the target is of an agency the task may not be handed to (403),
    False when the request itself is wrong: no such team, a person who may not act (400)."""

    def __init__(self, message: str, *, forbidden: bool) -> None:
        super().__init__(message)
        self.forbidden = forbidden


@dataclass(frozen=True)
class Actor:
    """Who acts, as the ownership rule sees them."""

    user_id: int
    role: str
    agency: str
    team: str
    team_agency: str


def actor_of(user: Any) -> Actor | None:
    """The user's id, role, agency and team; None for the system (no user) and for accounts
    without a role (which the access matrix lets reach no screen or endpoint)."""
    role = role_of(user) if user is not None else None
    if role is None:
        return None
    profile = profile_of(user)
    team = profile.team if profile is not None else None
    return Actor(
        user_id=int(user.pk),
        role=role,
        agency=AGENCY_OF_ROLE.get(role, ""),
        team=team.code if team is not None else "",
        team_agency=team.agency.code if team is not None else "",
    )


def owner_agency(task: Task) -> str:
    """The agency whose work the task is: that of its owner role."""
    return AGENCY_OF_ROLE.get(task.owner_role, "")


def refusal(task: Task, actor: Actor, policy: Policy) -> NotYourTask | None:
    """Why `actor` may not act on `task` (None: they may). See the module docstring."""
    if task.assignee_id == actor.user_id:
        return None
    agency = owner_agency(task)
    if actor.team and task.team == actor.team and actor.team_agency in load_matrix().assignable_agencies(agency):
        return None
    if actor.role == task.owner_role and (not task.team or task.team == actor.team):
        return None
    if actor.role in policy.supervisors_of(task.owner_role):
        return None
    if actor.agency != agency:
        return NotYourAgency(
            f"Task {task.pk} is {agency} work: its owner ({task.owner_role}) and the roles above it act on it, "
            f"or a {actor.agency} user once it is assigned to them or their team."
        )
    if actor.role == task.owner_role:
        return NotYourTask(
            f"Task {task.pk} is given to team {task.team}; its members or the person it is assigned to act on it."
        )
    above = policy.supervisors_of(task.owner_role)
    return NotYourTask(
        f"Task {task.pk} is the {task.owner_role} queue's work"
        + (f"; {', '.join(above)} above it on the escalation chain may act on it" if above else "")
        + ", or whoever it is assigned to."
    )


def may_act(task: Task, user: Any, policy: Policy) -> bool:
    """Whether `user` may acknowledge, assign or resolve `task` (the system always may)."""
    actor = actor_of(user)
    return actor is None or refusal(task, actor, policy) is None


def check_ownership(task: Task, acting_user: Any, policy: Policy) -> None:
    """Raises NotYourTask (NotYourAgency for another agency's work) when `acting_user` may not
    act on `task`. The system (CLI, sweeps: no user) and accounts without a role are not
    checked here."""
    actor = actor_of(acting_user)
    if actor is None:
        return
    refused = refusal(task, actor, policy)
    if refused is not None:
        raise refused


def check_assignment(task: Task, *, acting_user: Any, assignee: Any, team: str) -> None:
    """Raises AssignmentRefused unless `assignee` (a user, or None) and `team` (a team code, or
    "") may be given `task`: active people whose role may act on tasks, teams that exist, both
    of the task's agency or one it may be handed to (the matrix's `may_assign_to`). Like
    `check_ownership`, the system's own assignments (no acting user, or one without a role)
    are not checked."""
    if actor_of(acting_user) is None:
        return
    matrix = load_matrix()
    agency = owner_agency(task)
    allowed = matrix.assignable_agencies(agency)
    targets = ", ".join(sorted(allowed))
    if assignee is not None:
        role = role_of(assignee)
        if not getattr(assignee, "is_active", False) or not matrix.role_allows(role, "resolve_task"):
            raise AssignmentRefused(
                "assignee: expected a user whose role may act on tasks (resolve_task)", forbidden=False
            )
        theirs = AGENCY_OF_ROLE.get(role or "", "")
        if theirs not in allowed:
            raise AssignmentRefused(
                f"assignee: a {agency} task may be assigned to {targets} users only; this user is {theirs}",
                forbidden=True,
            )
    if team:
        found = set(Team.objects.filter(code=team).values_list("agency__code", flat=True))
        if not found:
            raise AssignmentRefused(f"team: no team has the code {team!r}", forbidden=False)
        if not found & allowed:
            raise AssignmentRefused(
                f"team: a {agency} task may be given to {targets} teams only; team {team} is "
                + ", ".join(sorted(found)),
                forbidden=True,
            )
        if len(found & allowed) > 1:
            raise AssignmentRefused(
                f"team: the code {team!r} is used by more than one agency ({', '.join(sorted(found & allowed))}); "
                "give the task to a person instead",
                forbidden=False,
            )


def assignable_teams(task: Task) -> list[Team]:
    """The teams `task` may be given to: its agency's and those of the agencies the matrix lets
    it be handed to, by agency then name."""
    allowed = load_matrix().assignable_agencies(owner_agency(task))
    return list(Team.objects.filter(agency__code__in=allowed).select_related("agency").order_by("agency__code", "name"))


def assign_as_found(finding_ids: list[int]) -> None:
    """Gives new tasks to the team or person their finding names (`detail["assign"]`: a meeting
    action owned by a team or a user, X7); a username that is no active user leaves the task in
    its role's queue."""
    named = Finding.objects.filter(pk__in=finding_ids, detail__has_key="assign") if finding_ids else None
    for finding_id, detail in named.values_list("pk", "detail") if named is not None else ():
        assign = detail.get("assign") or {}
        user = (
            get_user_model().objects.filter(username=assign["username"], is_active=True).first()
            if assign.get("username")
            else None
        )
        Task.objects.filter(finding_id=finding_id).update(team=str(assign.get("team") or "")[:60], assignee=user)
