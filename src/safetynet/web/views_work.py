"""The work screens: My work (tasks assigned to me, my team's, my role's queue), one task
(the finding, its cited records, the history; take, assign, acknowledge, resolve with a
language-checked rationale) and a supervisor's oversight of late and escalated work.

Views are thin: tasks come from `safetynet.reads.work_queue` (access-checked read models) and every
change goes through `safetynet.work.services`, which writes the task's history and the
access-log entry in the same transaction."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from safetynet.exports.services import Column, export_csv, may_export
from safetynet.lib.clock import system_clock
from safetynet.reads import access
from safetynet.reads.access import log_denied
from safetynet.reads.labels import label
from safetynet.reads.naming import log_named
from safetynet.reads.work_queue import (
    SHOW_CHOICES,
    TaskRow,
    my_work,
    oversight_for,
    oversight_rows,
    task_detail,
    task_for_user,
    team_members,
    worker_of,
)
from safetynet.risk.policy import current_policy
from safetynet.web.forms import AssignTaskForm, ResolveTaskForm, WorkFilterForm
from safetynet.web.viewer import may_use
from safetynet.work import services
from safetynet.work.models import IllegalMove
from safetynet.work.ownership import AssignmentRefused, NotYourTask, assignable_teams, may_act


@require_GET
@login_required
def work(request: HttpRequest) -> HttpResponse:
    """My work: soonest deadline first, overdue highlighted; htmx swaps just the list."""
    now = system_clock.now()
    form = WorkFilterForm(request.GET or None)
    show = form.cleaned_data["show"] if form.is_bound and form.is_valid() else "all"
    found = my_work(request.user, now, show)
    access.log_view(
        request.user,
        object_type="task_list",
        object_ids=[r.task.pk for r in found.rows],
        individual_ids=[r.task.individual_id for r in found.rows],
        fields=["tasks"],
    )
    context = {
        "work": found,
        "filter_form": form,
        "choices": [(value, text, found.counts.get(value, 0)) for value, text in SHOW_CHOICES],
        "may_act": may_use(request.user, "web:task_resolve"),
        "may_oversee": may_use(request.user, "web:work_oversight"),
        "may_export": may_export(request.user),
    }
    template = "web/includes/work_list.html" if request.headers.get("HX-Request") else "web/work.html"
    return render(request, template, context)


def _task_page(
    request: HttpRequest,
    task_id: int,
    *,
    resolve_form: ResolveTaskForm | None = None,
    assign_form: AssignTaskForm | None = None,
    status: int = 200,
) -> HttpResponse:
    task = task_for_user(request.user, task_id)
    policy = current_policy()
    detail = task_detail(request.user, task, system_clock.now(), policy)
    access.log_view(
        request.user,
        object_type="task",
        object_ids=[task.pk],
        individual_ids=[task.individual_id],
        fields=["task", "finding", "history"],
    )
    log_named(request.user, detail.named, object_type="task")
    ours = task.is_current and may_act(task, request.user, policy)
    context: dict[str, Any] = {
        "detail": detail,
        "task": task,
        "resolve_form": resolve_form or ResolveTaskForm(),
        "assign_form": assign_form or AssignTaskForm(members=detail.team_members, teams=team_choices(task)),
        "may_act": ours and may_use(request.user, "web:task_resolve"),
        "not_yours": task.is_current and not ours,
        "is_mine": task.assignee_id == request.user.pk,
        "chain": chain_steps(task, policy),
        "may_escalate": ours
        and may_use(request.user, "web:task_resolve")
        and may_use(request.user, "web:task_escalate"),
    }
    return render(request, "web/task.html", context, status=status)


@require_GET
@login_required
def task(request: HttpRequest, task_id: int) -> HttpResponse:
    """One task: the finding's reason, clause, cited records, deadline, owner and history."""
    return _task_page(request, task_id)


@require_POST
@login_required
def task_acknowledge(request: HttpRequest, task_id: int) -> HttpResponse:
    """Acknowledge: someone has seen the task and owns it (its deadline keeps running)."""
    found = task_for_user(request.user, task_id)
    try:
        services.acknowledge(found.pk, acting_user=request.user, clock=system_clock)
    except NotYourTask as refused:
        raise _refuse(request, found, refused) from None
    except IllegalMove:
        messages.info(request, "That task is no longer open.")
    else:
        messages.success(request, "Acknowledged. The deadline still runs until the task is resolved.")
    return redirect("web:task", task_id=found.pk)


def _refuse(request: HttpRequest, task: Any, why: Exception) -> PermissionDenied:
    """403 for an action on a task the user may not take (written to the access log as denied)."""
    log_denied(request.user, object_type="task", object_id=task.pk, individual_ids=[task.individual_id])
    return PermissionDenied(str(why))


def team_choices(task: Any) -> list[tuple[str, str]]:
    """(code, "name (agency)") of the teams `task` may be given to, for the assign form."""
    return [(t.code, f"{t.name} ({t.agency.name})") for t in assignable_teams(task)]


def chain_steps(task: Any, policy: Any) -> list[tuple[str, bool]]:
    """The task's escalation chain as (role label, is the current owner), lowest first; a role
    off the chain (a custody officer) comes first, as the step before the chain."""
    chain = list(policy.escalation_chain(task.owner_role))
    if task.owner_role not in chain:
        chain.insert(0, task.owner_role)
    return [(label(role), role == task.owner_role) for role in chain]


@require_POST
@login_required
def task_assign(request: HttpRequest, task_id: int) -> HttpResponse:
    """Take the task (`assignee` = yourself), give it to a member of your team, or give it to
    a team of your agency or of a partner agency the access matrix allows."""
    found = task_for_user(request.user, task_id)
    worker = worker_of(request.user)
    assignee: Any = None
    team = worker.team
    if request.POST.get("take"):
        assignee = request.user
    else:
        form = AssignTaskForm(request.POST, members=team_members(request.user, found), teams=team_choices(found))
        if not form.is_valid():
            return _task_page(request, found.pk, assign_form=form, status=400)
        if form.cleaned_data["assignee"]:
            assignee = get_user_model().objects.get(pk=int(form.cleaned_data["assignee"]))
        else:
            team = form.cleaned_data["team"]
    try:
        services.assign(found.pk, acting_user=request.user, clock=system_clock, assignee=assignee, team=team)
    except (NotYourTask, AssignmentRefused) as refused:
        raise _refuse(request, found, refused) from None
    except IllegalMove:
        messages.info(request, "That task is no longer open.")
        return redirect("web:task", task_id=found.pk)
    if assignee is None:
        messages.success(request, f"Given to team {team}.")
        return redirect("web:task", task_id=found.pk)
    who = "you" if assignee.pk == request.user.pk else (assignee.get_full_name() or assignee.get_username())
    messages.success(request, f"Assigned to {who}.")
    return redirect("web:task", task_id=found.pk)


@require_POST
@login_required
def task_resolve(request: HttpRequest, task_id: int) -> HttpResponse:
    """Resolve with a rationale; an empty or blaming one re-shows the page with what was typed."""
    found = task_for_user(request.user, task_id)
    form = ResolveTaskForm(request.POST)
    if not form.is_valid():
        return _task_page(request, found.pk, resolve_form=form, status=400)
    try:
        services.resolve(
            found.pk,
            acting_user=request.user,
            rationale=form.cleaned_data["rationale"],
            clock=system_clock,
            policy=current_policy(),
        )
    except NotYourTask as refused:
        raise _refuse(request, found, refused) from None
    except IllegalMove:
        form.add_error("rationale", "This task is no longer open, so it cannot be resolved")
        return _task_page(request, found.pk, resolve_form=form, status=400)
    messages.success(request, "Resolved. Your rationale is recorded with the task and its finding.")
    return redirect("web:my_work")


@require_GET
@login_required
def oversight(request: HttpRequest) -> HttpResponse:
    """A supervisor's view: counts and a list of the late and escalated work they answer for."""
    worker = worker_of(request.user)
    policy = current_policy()
    if not services.supervises(worker.role, policy):
        raise Http404
    now = system_clock.now()
    found = oversight_for(request.user, now, policy)
    rows = oversight_rows(found, now)
    access.log_view(
        request.user,
        object_type="task_list",
        object_ids=[r.task.pk for r in rows],
        individual_ids=[r.task.individual_id for r in rows],
        fields=["tasks"],
    )
    return render(request, "web/oversight.html", {"found": found, "rows": rows, "may_export": may_export(request.user)})


# The columns of a task list's CSV: what the list shows, plus the ids a reader needs to find the
# task and the child again (the screens' own links).
TASK_COLUMNS: list[Column] = [
    ("Due", lambda r: r.task.due_at),
    ("Overdue", lambda r: r.overdue),
    ("Late by", lambda r: r.late_by),
    ("Child", lambda r: r.child_name),
    ("Child id", lambda r: r.task.individual_id),
    ("Task id", lambda r: r.task.pk),
    ("Severity", lambda r: r.severity_label),
    ("Clause", lambda r: r.task.clause),
    ("Reason", lambda r: r.task.reason),
    ("State", lambda r: r.task.state),
    ("Owner", lambda r: r.owner),
    ("Assigned to", lambda r: r.assignee_name),
    ("Queue", lambda r: r.queue_label),
    ("Escalation", lambda r: r.escalation),
]


def _task_csv(request: HttpRequest, rows: list[TaskRow], *, title: str, filename: str) -> HttpResponse:
    return export_csv(
        request,
        rows,
        TASK_COLUMNS,
        title=title,
        filename=filename,
        individual_ids=[r.task.individual_id for r in rows],
        object_type="task_list",
        object_ids=[r.task.pk for r in rows],
        fields=["tasks"],
    )


@require_GET
@login_required
def work_csv(request: HttpRequest) -> HttpResponse:
    """My work as CSV: the rows the list shows (the same filter), one per task."""
    form = WorkFilterForm(request.GET or None)
    show = form.cleaned_data["show"] if form.is_bound and form.is_valid() else "all"
    found = my_work(request.user, system_clock.now(), show)
    return _task_csv(request, found.rows, title="My work", filename=f"my-work-{show}")


@require_GET
@login_required
def oversight_csv(request: HttpRequest) -> HttpResponse:
    """The oversight list as CSV, for a supervisor who may also export."""
    worker = worker_of(request.user)
    policy = current_policy()
    if not services.supervises(worker.role, policy) or not may_use(request.user, "web:work_oversight"):
        raise Http404
    now = system_clock.now()
    rows = oversight_rows(oversight_for(request.user, now, policy), now)
    return _task_csv(request, rows, title="Late and escalated work", filename="oversight")
