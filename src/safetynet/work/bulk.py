"""Several tasks given to one person or team at once (a supervisor's bulk assign on My work and
`POST /api/v1/tasks/assign`): each task goes through `services.assign` on its own, with its
ownership and assignment checks, history, access-log entry and notification, so one refused
task never stops the others."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from safetynet.lib.clock import Clock, system_clock
from safetynet.risk.policy import Policy, current_policy
from safetynet.work.models import IllegalMove
from safetynet.work.ownership import AssignmentRefused, NotYourTask
from safetynet.work.services import WorkError, assign


@dataclass
class BulkAssignment:
    """What `assign_many` did: the tasks assigned, and each refused task's id with why (roles,
    agencies, team codes and states only: the words of NotYourTask, AssignmentRefused and
    IllegalMove, never a name)."""

    assigned: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)
    # Refused because the acting user may not act on the task, or give it to that target (the
    # screens and the API write these to the access log as denied).
    forbidden: list[int] = field(default_factory=list)


def assign_many(
    task_ids: Iterable[int],
    *,
    acting_user: Any,
    clock: Clock = system_clock,
    assignee: Any = None,
    team: str = "",
    policy: Policy | None = None,
) -> BulkAssignment:
    """Assigns each task in turn through `assign` (its own transaction, ownership and assignment
    checks, history, access-log entry and notification), so a refused task leaves the others
    assigned; returns which were assigned and why each other one was refused."""
    if assignee is None and not team:
        raise WorkError("assign needs a person or a team code")
    policy = policy or current_policy()
    done = BulkAssignment()
    for task_id in dict.fromkeys(task_ids):
        try:
            assign(task_id, acting_user=acting_user, clock=clock, assignee=assignee, team=team, policy=policy)
        except NotYourTask as why:
            done.refused[task_id] = str(why)
            done.forbidden.append(task_id)
        except AssignmentRefused as why:
            done.refused[task_id] = str(why)
            if why.forbidden:
                done.forbidden.append(task_id)
        except IllegalMove:
            done.refused[task_id] = f"Task {task_id} is no longer open."
        except WorkError as why:
            done.refused[task_id] = str(why)
        else:
            done.assigned.append(task_id)
    return done
