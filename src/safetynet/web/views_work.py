"""The work screens: My work (tasks assigned to me, my team's, my role's queue), one task
(the finding, its cited records, the history; take, assign, acknowledge, resolve with a
language-checked rationale) and a supervisor's oversight of late and escalated work.

Views are thin: tasks come from `safetynet.reads.work_queue` (access-checked read models) and every
change goes through `safetynet.work.services`, which writes the task's history and the
access-log entry in the same transaction."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from safetynet.exports.services import Column, export_csv, may_export
from safetynet.lib.clock import system_clock
from safetynet.reads import access
from safetynet.reads.access import log_denied
from safetynet.reads.labels import label
from safetynet.reads.naming import log_named
from safetynet.reads.work_queue import (
    CSV_LIMIT,
    DUE_CHOICES,
    SEVERITY_CHOICES,
    SHOW_CHOICES,
    QueueQuery,
    TaskRow,
    bulk_members,
    bulk_teams,
    clause_choices,
    display_name,
    my_work,
    oversight_for,
    oversight_page,
    task_detail,
    task_for_user,
    tasks_for_user,
    team_members,
    worker_of,
)
from safetynet.reads.work_queue_links import page_items, selected_filters, sort_headers
from safetynet.risk.areas import area_choices
from safetynet.risk.policy import current_policy
from safetynet.web.forms import AssignTaskForm, BulkAssignForm, ResolveTaskForm, WorkFilterForm
from safetynet.web.viewer import may_use
from safetynet.web.work_links import where_to_act
from safetynet.work import services
from safetynet.work.bulk import assign_many
from safetynet.work.models import IllegalMove
from safetynet.work.ownership import AssignmentRefused, NotYourTask, assignable_teams, may_act


def _work_page(request: HttpRequest, *, bulk_form: BulkAssignForm | None = None, status: int = 200) -> HttpResponse:
    """My work: one page of the queue, its tabs with counts, filters and sort in the query string;
    htmx swaps just the list. Supervisors get checkboxes to assign the ticked tasks at once."""
    now = system_clock.now()
    form = WorkFilterForm(request.GET or None)
    found = my_work(request.user, now, form.query())
    access.log_view(
        request.user,
        object_type="task_list",
        object_ids=[r.task.pk for r in found.rows],
        individual_ids=[r.task.individual_id for r in found.rows],
        fields=["tasks"],
    )
    may_bulk = may_use(request.user, "web:my_work_assign")
    if may_bulk and bulk_form is None:
        bulk_form = BulkAssignForm(members=bulk_members(request.user), teams=bulk_teams(request.user))
    context = {
        "work": found,
        "filter_form": form,
        "bulk_form": bulk_form if may_bulk else None,
        "tabs": [
            (value, text, found.counts.get(value, 0), found.query.querystring(show=value, page=1))
            for value, text in SHOW_CHOICES
        ],
        "clauses": clause_choices(),
        "severities": SEVERITY_CHOICES,
        "dues": DUE_CHOICES,
        "areas": area_choices(),
        "sort": sort_headers(found.query),
        "selected": selected_filters(found.query),
        "pages": page_items(found),
        "previous_page": found.query.querystring(page=found.page - 1) or "?",
        "next_page": found.query.querystring(page=found.page + 1),
        "here": found.query.querystring(),
        "may_act": may_use(request.user, "web:task_resolve"),
        "may_oversee": may_use(request.user, "web:work_oversight"),
        "may_export": may_export(request.user),
    }
    template = "web/includes/work_list.html" if request.headers.get("HX-Request") else "web/work.html"
    return render(request, template, context, status=status)


@require_GET
@login_required
def work(request: HttpRequest) -> HttpResponse:
    """My work (see `_work_page`)."""
    return _work_page(request)


def _back_to_queue(request: HttpRequest) -> str:
    """My work at the place the form was sent from (its query string, re-read: never another URL)."""
    asked = QueryDict(str(request.POST.get("back", "")).lstrip("?"))
    query = WorkFilterForm(asked or None).query()
    return reverse("web:my_work") + query.querystring()


@require_POST
@login_required
def work_assign(request: HttpRequest) -> HttpResponse:
    """Assign the ticked tasks to one person or team (supervisors): each through
    `services.assign` with its ownership and assignment checks; those refused are reported by
    task id (and written to the access log as denied), the rest are assigned."""
    members = bulk_members(request.user)
    form = BulkAssignForm(request.POST, members=members, teams=bulk_teams(request.user))
    if not form.is_valid():
        request.GET = QueryDict(str(request.POST.get("back", "")).lstrip("?"))
        return _work_page(request, bulk_form=form, status=400)
    assignee: Any = None
    team = form.cleaned_data["team"]
    if form.cleaned_data["assignee"]:
        assignee = get_user_model().objects.get(pk=int(form.cleaned_data["assignee"]))
        team = worker_of(assignee).team
    tasks, missing = tasks_for_user(request.user, form.cleaned_data["task"])
    # The person must be able to open each child: a task about a child they cannot see is refused.
    reach = set(access.visible_individual_ids(assignee, {t.individual_id for t in tasks})) if assignee else None
    unreachable = [t for t in tasks if reach is not None and t.individual_id not in reach]
    done = assign_many(
        [t.pk for t in tasks if t not in unreachable],
        acting_user=request.user,
        clock=system_clock,
        assignee=assignee,
        team=team,
        policy=current_policy(),
    )
    by_id = {t.pk: t for t in tasks}
    for task_id in done.forbidden:
        log_denied(request.user, object_type="task", object_id=task_id, individual_ids=[by_id[task_id].individual_id])
    refusals = {pk: f"Task {pk} was not found." for pk in missing}
    refusals |= {t.pk: f"Task {t.pk}: the person cannot open this child's record." for t in unreachable}
    refusals |= done.refused
    who = f"team {team}" if assignee is None else display_name(assignee)
    if done.assigned:
        messages.success(request, f"Assigned {len(done.assigned)} task{pluralize(len(done.assigned))} to {who}.")
    for pk in form.cleaned_data["task"]:
        if pk in refusals:
            messages.error(request, f"Not assigned: {refusals[pk]}")
    return redirect(_back_to_queue(request))


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
        "act_here": where_to_act(request.user, task.clause, task.individual_id, detail.cites),
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
    form = WorkFilterForm(request.GET or None)
    asked = form.query()
    query = QueueQuery(area=asked.area, page=asked.page)
    found = oversight_for(request.user, now, policy, area=query.area)
    listed = oversight_page(found, now, query)
    access.log_view(
        request.user,
        object_type="task_list",
        object_ids=[r.task.pk for r in listed.rows],
        individual_ids=[r.task.individual_id for r in listed.rows],
        fields=["tasks"],
    )
    context = {
        "found": found,
        "listed": listed,
        "filter_form": form,
        "areas": area_choices(),
        "pages": page_items(listed),
        "previous_page": listed.query.querystring(page=listed.page - 1) or "?",
        "next_page": listed.query.querystring(page=listed.page + 1),
        "here": listed.query.querystring(page=1),
        "may_export": may_export(request.user),
    }
    return render(request, "web/oversight.html", context)


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
    """My work as CSV: every row of the list as filtered and sorted (not only the page shown),
    up to CSV_LIMIT, one per task."""
    query = replace(WorkFilterForm(request.GET or None).query(per_page=CSV_LIMIT), page=1)
    found = my_work(request.user, system_clock.now(), query)
    return _task_csv(request, found.rows, title="My work", filename=f"my-work-{query.show}")


@require_GET
@login_required
def oversight_csv(request: HttpRequest) -> HttpResponse:
    """The oversight list as CSV, for a supervisor who may also export."""
    worker = worker_of(request.user)
    policy = current_policy()
    if not services.supervises(worker.role, policy) or not may_use(request.user, "web:work_oversight"):
        raise Http404
    now = system_clock.now()
    area = WorkFilterForm(request.GET or None).query().area
    listed = oversight_page(oversight_for(request.user, now, policy, area=area), now, QueueQuery(per_page=CSV_LIMIT))
    return _task_csv(request, listed.rows, title="Late and escalated work", filename="oversight")
