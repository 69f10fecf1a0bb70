"""The REST API, version 1: session authentication with CSRF (django-ninja's `django_auth`
checks the CSRF token on unsafe methods), every record fetched through the same access
helpers as the screens, so a record the caller may not see answers 404 exactly like a
missing one."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from safetynet.access.matrix import load as load_matrix
from safetynet.access.profiles import has_permission
from safetynet.api.errors import register_error_answers
from safetynet.api.inputs import ChronologyQuery, PersonSearch, Rationale, WorkQuery, validated
from safetynet.api.routers import add_routers
from safetynet.api.schemas import (
    AssignIn,
    BulkAssignIn,
    BulkAssignOut,
    ChronologyOut,
    CiteOut,
    ErrorOut,
    EventOut,
    FindingOut,
    HeldElsewhereOut,
    HistoryOut,
    IndividualOut,
    LanguageNoteOut,
    MarkerOut,
    MentionOut,
    NamedOut,
    RefOut,
    RefusalOut,
    ResolveIn,
    SearchResultOut,
    SourceRecordOut,
    TaskDetailOut,
    TaskOut,
    answers,
)
from safetynet.exports.services import ExportRefused
from safetynet.lib.clock import system_clock
from safetynet.reads import access, work_queue
from safetynet.reads import person as people
from safetynet.reads.access import individual_for_user
from safetynet.reads.chronology import ChronologyLine, in_words, shown_people
from safetynet.reads.disclosure import disclose
from safetynet.reads.findings import FINDING_STATES, current_findings, findings_of
from safetynet.reads.naming import NamedLine, log_named, named_for
from safetynet.reads.person_page import PDF_CHRONOLOGY_EVENTS, person_page
from safetynet.reads.search import SearchQuery, search_people
from safetynet.reads.work_queue import TaskRow
from safetynet.risk.policy import current_policy
from safetynet.work import services as work_services
from safetynet.work.bulk import assign_many
from safetynet.work.models import IllegalMove
from safetynet.work.ownership import AssignmentRefused, NotYourTask, may_act

api = NinjaAPI(
    title="safetynet API",
    version="1",
    description="People, chronologies, search, findings and tasks for police and safeguarding partners. "
    "Session authentication; send the CSRF token on unsafe methods.",
    auth=django_auth,
    urls_namespace="api",
)

register_error_answers(api)

add_routers(api)


@api.get("/individuals/{individual_id}", response=answers(IndividualOut, 401, 403, 404, 422), url_name="individual")
def individual(request: HttpRequest, individual_id: int) -> IndividualOut:
    """One person's summary: who they are, their linked source records and markers."""
    found = individual_for_user(request.user, individual_id)
    rows = people.source_records(found.pk)
    head = people.headline(found.pk, [r.person for r in rows], system_clock.now().date())
    person_ids = [r.person.pk for r in rows]
    markers = list(access.visible_markers(request.user, people.markers(person_ids)))
    held = disclose(request.user, current_findings([found.pk])).held_elsewhere
    access.log_view(
        request.user,
        object_type="individual",
        object_ids=[found.pk],
        individual_ids=[found.pk],
        person_ids=person_ids,
        fields=["identity", "markers"],
    )
    return IndividualOut(
        id=found.pk,
        name=head.name,
        other_names=head.other_names,
        date_of_birth=head.date_of_birth,
        age=head.age,
        sex=head.sex,
        postcode=head.postcode,
        care_status=head.care_status,
        records=[
            SourceRecordOut(
                source=r.person.source,
                source_id=r.person.source_id,
                given_names=r.person.given_names,
                family_name=r.person.family_name,
                date_of_birth=r.person.date_of_birth,
                linked_by=r.method,
                match_probability=r.probability,
            )
            for r in rows
        ],
        markers=[
            MarkerOut(marker_type=m.marker_type, valid_from=m.valid_from, valid_to=m.valid_to, source=m.source)
            for m in markers
        ],
        concerns_held_elsewhere=[HeldElsewhereOut(agency=h.agency, owner_role=h.owner_role) for h in held],
    )


class ChronologyFilters(Schema):
    type: list[str] = []
    agency: list[str] = []
    period: str = ""
    date_from: str = ""
    date_to: str = ""
    page: int = 1


def _chronology_asked(filters: ChronologyFilters | PdfFilters) -> people.ChronologyFilter:
    """The chronology filter a caller asked for, checked as the screen checks it (422 naming
    the field otherwise): event types, agencies (police, csc, health, education, safetynet), a
    period back from today (90d, 12m, 3y) or a from and to date."""
    data = {
        "type": filters.type,
        "agency": filters.agency,
        "period": filters.period,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
    }
    asked = validated(ChronologyQuery, data)
    return people.chronology_filter(
        today=system_clock.now().date(),
        event_types=asked.type,
        agencies=asked.agency,
        period=asked.period,
        date_from=asked.date_from,
        date_to=asked.date_to,
    )


@api.get(
    "/individuals/{individual_id}/chronology",
    response=answers(ChronologyOut, 401, 403, 404, 422),
    url_name="individual_chronology",
)
def chronology(request: HttpRequest, individual_id: int, filters: Query[ChronologyFilters]) -> ChronologyOut:
    """The person's events across sources, newest first, 25 a page; filter by type, agency and
    period or dates."""
    found = individual_for_user(request.user, individual_id)
    chosen = _chronology_asked(filters)
    person_ids = people.person_ids_of(found.pk)
    page, entries = people.chronology_page(
        person_ids, chosen, max(1, filters.page), restrict=access.event_filter(request.user)
    )
    access.redact_events(request.user, [e.event for e in entries])
    lines = in_words(request.user, entries, person_ids, current_policy())
    named = [i for i in shown_people(lines) if i != found.pk]
    access.log_view(
        request.user,
        object_type="individual",
        object_ids=[found.pk],
        individual_ids=[found.pk, *named],
        person_ids=person_ids,
        fields=["chronology", *(["named_in_chronology"] if named else [])],
    )
    return ChronologyOut(
        count=page.paginator.count,
        page=page.number,
        pages=page.paginator.num_pages,
        events=[_event_out(line) for line in lines],
    )


def _event_out(line: ChronologyLine) -> EventOut:
    event = line.event
    return EventOut(
        id=event.pk,
        event_type=event.event_type,
        occurred_at=event.occurred_at,
        source=event.source,
        source_id=event.source_id,
        summary=event.summary,
        roles=line.roles,
        agency=line.agency,
        place=line.place,
        people=[
            MentionOut(role=m.role, name=m.name, individual_id=m.individual_id, this_child=m.this_child)
            for m in line.people
        ],
        description=line.facts,
        language=[
            LanguageNoteOut(
                text=text.title, written=n.written, phrase=n.phrase, reason=n.reason, suggestion=n.suggestion
            )
            for text in line.texts
            for n in text.notes
        ],
    )


def _may_open_screen(user: Any, url_name: str) -> bool:
    """Whether the matrix opens the screen `url_name` to `user` (a signed-in API caller)."""
    permission = load_matrix().permission_for_url(url_name)
    if permission in {"public", "signed_in", "authenticated"}:
        return True
    return permission is not None and has_permission(user, permission)


class PdfFilters(Schema):
    type: list[str] = []
    agency: list[str] = []
    period: str = ""
    date_from: str = ""
    date_to: str = ""


PDF_ANSWER = {
    "200": {
        "description": "The person page as a PDF",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@api.get(
    "/individuals/{individual_id}/export.pdf",
    response={frozenset({401, 403, 404, 422}): ErrorOut},
    url_name="individual_export_pdf",
    openapi_extra={"responses": PDF_ANSWER},
)
def individual_export_pdf(request: HttpRequest, individual_id: int, filters: Query[PdfFilters]) -> HttpResponse:
    """The person page as the caller may see it, as a PDF marked OFFICIAL-SENSITIVE on every page
    with who exported it and when; the chronology filtered as for `/chronology`, the newest 200
    events of it. Needs `export`; written to the access log as an export of the child (and anyone
    a finding names)."""
    found = individual_for_user(request.user, individual_id)
    chosen = _chronology_asked(filters)
    built = person_page(
        request.user,
        found,
        system_clock.now(),
        chronology=chosen,
        page_number=1,
        page_size=PDF_CHRONOLOGY_EVENTS,
        # The screen's rules: task links where the task screen is open to the caller, link
        # decisions for those who may review them.
        show_tasks=_may_open_screen(request.user, "web:task"),
        may_decide=has_permission(request.user, "review_links"),
    )
    try:
        return built.pdf(request, found)
    except ExportRefused:
        raise HttpError(403, "Your role may not export records") from None


class SearchParams(Schema):
    name: str = ""
    date_of_birth: str = ""
    identifier: str = ""
    postcode: str = ""
    page: int = Field(1, ge=1, le=9999)


@api.get("/search", response=answers(list[SearchResultOut], 401, 403, 422), url_name="search")
def search(request: HttpRequest, params: Query[SearchParams], response: HttpResponse) -> list[SearchResultOut]:
    """People matching a name (typos and nicknames allowed), date of birth, identifier or
    postcode, 50 a page (`page`); the `X-Total-Count` header says how many were found in all
    and `X-Total-Exact` whether that count is exact (false: at least that many)."""
    asked = validated(PersonSearch, params.dict(exclude={"page"}))
    query = SearchQuery(
        name=asked.name, date_of_birth=asked.date_of_birth, identifier=asked.identifier, postcode=asked.postcode
    )
    try:
        shown = search_people(query, system_clock.now().date(), user=request.user, page=params.page)
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    response["X-Total-Count"] = str(shown.total)
    response["X-Total-Exact"] = "true" if shown.total_exact else "false"
    access.log_search(request.user, fields=asked.searched(), individual_ids=[r.headline.individual_id for r in shown])
    return [
        SearchResultOut(
            id=r.headline.individual_id,
            name=r.headline.name,
            date_of_birth=r.headline.date_of_birth,
            age=r.headline.age,
            postcode=r.headline.postcode,
            match_probability=r.probability,
            last_event_type=r.last_event.event_type if r.last_event else None,
            last_event_at=r.last_event.occurred_at if r.last_event else None,
        )
        for r in shown
    ]


# --- work: tasks and findings ------------------------------------------------------------


def _task_out(row: TaskRow) -> dict[str, Any]:
    t = row.task
    return {
        "id": t.pk,
        "finding": t.finding_id,
        "individual": t.individual_id,
        "child_name": row.child_name,
        "clause": t.clause,
        "severity": t.severity,
        "reason": t.reason,
        "owner_role": t.owner_role,
        "team": t.team,
        "assignee": t.assignee.get_username() if t.assignee is not None else None,
        "due_at": t.due_at,
        "overdue": row.overdue,
        "escalation_level": t.escalation_level,
        "escalation_exhausted": t.escalation_exhausted,
        "escalation": row.escalation,
        "state": t.state,
        "queue": row.queue,
    }


def _one_task(request: HttpRequest, task_id: int) -> TaskOut:
    found = work_queue.task_for_user(request.user, task_id)
    return TaskOut(**_task_out(work_queue.rows_for([found], system_clock.now(), work_queue.worker_of(request.user))[0]))


class TaskFilters(Schema):
    show: str = "all"
    clause: list[str] = []
    severity: list[str] = []
    due: str = ""
    area: str = ""
    sort: str = "due"
    order: str = "asc"
    page: int = Field(1, ge=1, le=99999)
    page_size: int = Field(work_queue.PAGE_SIZE, ge=1, le=work_queue.MAX_PAGE_SIZE)


@api.get("/tasks", response=answers(list[TaskOut], 401, 403, 422), url_name="tasks")
def my_tasks(request: HttpRequest, filters: Query[TaskFilters], response: HttpResponse) -> list[TaskOut]:
    """My work: tasks assigned to me, my team's and my role's queue, the longest overdue first.
    `show`: all, mine, team, role or overdue; `clause` and `severity` (repeat for several), `due`:
    overdue, soon or later; `area`: one of the force's areas by name (GET /areas); `sort`: due,
    severity or clause, `order`: asc or desc; `page` (from 1) of `page_size` (50, at most 200).
    `X-Total-Count` says how many match in all (the screen's tab count), `X-Counts` the count
    behind each tab with the same filters."""
    asked = validated(WorkQuery, filters.dict(exclude={"page", "page_size"}))
    query = work_queue.QueueQuery(
        show=asked.show,
        clauses=tuple(asked.clause),
        severities=tuple(asked.severity),
        due=asked.due,
        area=asked.area,
        sort=asked.sort,
        order=asked.order,
        page=filters.page,
        per_page=filters.page_size,
    )
    found = work_queue.my_work(request.user, system_clock.now(), query)
    access.log_view(
        request.user,
        object_type="task_list",
        object_ids=[r.task.pk for r in found.rows],
        individual_ids=[r.task.individual_id for r in found.rows],
        fields=["tasks"],
    )
    response["X-Total-Count"] = str(found.total)
    response["X-Counts"] = ", ".join(f"{tab}={n}" for tab, n in found.counts.items())
    return [TaskOut(**_task_out(r)) for r in found.rows] if found.page == filters.page else []


@api.post("/tasks/assign", response=answers(BulkAssignOut, 400, 401, 403, 422), url_name="tasks_assign")
def assign_tasks(request: HttpRequest, body: BulkAssignIn) -> BulkAssignOut:
    """Supervisors: give several tasks (`tasks`: ids, at most 200) to one person (`assignee`: a
    user id; the task goes to their team too) or one team (`team`: its code), each through the
    same checks as `/tasks/{id}/assign`. The answer lists the tasks assigned and each refused one
    by id with why (missing and not yours alike: "not found"); refusals are logged as denied."""
    if (body.assignee is None) == (not body.team):
        raise HttpError(422, "assignee: expected a user id, or team: a team code (one of them)")
    if not body.tasks or len(body.tasks) > work_queue.MAX_PAGE_SIZE:
        raise HttpError(422, f"tasks: expected from 1 to {work_queue.MAX_PAGE_SIZE} task ids")
    assignee = None
    if body.assignee is not None:
        assignee = get_user_model().objects.filter(pk=body.assignee, is_active=True).first()
        if assignee is None:
            raise HttpError(422, "assignee: expected the id of an active user")
    tasks, missing = work_queue.tasks_for_user(request.user, body.tasks)
    reach = set(access.visible_individual_ids(assignee, {t.individual_id for t in tasks})) if assignee else None
    unreachable = {t.pk for t in tasks if reach is not None and t.individual_id not in reach}
    team = body.team or (work_queue.worker_of(assignee).team if assignee is not None else "")
    done = assign_many(
        [t.pk for t in tasks if t.pk not in unreachable],
        acting_user=request.user,
        clock=system_clock,
        assignee=assignee,
        team=team,
        policy=current_policy(),
    )
    by_id = {t.pk: t for t in tasks}
    for task_id in done.forbidden:
        access.log_denied(
            request.user, object_type="task", object_id=task_id, individual_ids=[by_id[task_id].individual_id]
        )
    refusals = {pk: "not found" for pk in missing}
    refusals |= {pk: "assignee: this user may not open the child's record" for pk in unreachable}
    refusals |= done.refused
    return BulkAssignOut(
        assigned=done.assigned,
        refused=[RefusalOut(task=pk, reason=refusals[pk]) for pk in dict.fromkeys(body.tasks) if pk in refusals],
    )


@api.get("/tasks/{task_id}", response=answers(TaskDetailOut, 401, 403, 404, 422), url_name="task")
def task_detail(request: HttpRequest, task_id: int) -> TaskDetailOut:
    """One task: the finding's reason, clause, cited records, deadline, owner and history."""
    found = work_queue.task_for_user(request.user, task_id)
    detail = work_queue.task_detail(request.user, found, system_clock.now(), current_policy())
    access.log_view(
        request.user,
        object_type="task",
        object_ids=[found.pk],
        individual_ids=[found.individual_id],
        fields=["task", "finding", "history"],
    )
    log_named(request.user, detail.named, object_type="task")
    return TaskDetailOut(
        **_task_out(detail.row),
        named=[_named_out(n) for n in detail.named],
        clause_title=detail.clause_title,
        policy_version=detail.policy_version,
        cites=[CiteOut(source=c.source, id=c.source_id, event=c.event_id) for c in detail.cites],
        cites_withheld=detail.withheld,
        rationale=found.rationale,
        history=[
            HistoryOut(at=h.at, action=h.action, actor=h.actor, from_role=h.from_role, to_role=h.to_role, note=h.note)
            for h in detail.history
        ],
        escalation_chain=list(current_policy().escalation_chain(found.owner_role)),
        may_act=found.is_current and may_act(found, request.user, current_policy()),
    )


def _not_yours(request: HttpRequest, task: Any, why: Exception) -> HttpError:
    """The refusal of a task the caller may not act on or give to whom they asked (logged as
    denied); the message says who may, in roles, agencies and team codes."""
    access.log_denied(request.user, object_type="task", object_id=task.pk, individual_ids=[task.individual_id])
    return HttpError(403, str(why))


@api.post(
    "/tasks/{task_id}/acknowledge", response=answers(TaskOut, 401, 403, 404, 409, 422), url_name="task_acknowledge"
)
def acknowledge_task(request: HttpRequest, task_id: int) -> TaskOut:
    """Acknowledge: someone has seen the task and owns it; the deadline keeps running."""
    found = work_queue.task_for_user(request.user, task_id)
    try:
        work_services.acknowledge(found.pk, acting_user=request.user, clock=system_clock)
    except NotYourTask as refused:
        raise _not_yours(request, found, refused) from None
    except IllegalMove:
        raise HttpError(409, "state: the task is no longer open") from None
    return _one_task(request, found.pk)


@api.post("/tasks/{task_id}/assign", response=answers(TaskOut, 400, 401, 403, 404, 409, 422), url_name="task_assign")
def assign_task(request: HttpRequest, task_id: int, body: AssignIn) -> TaskOut:
    """Take the task (`assignee` = your own user id), give it to a person who may act on it and
    may open the child (your agency's, or a partner agency's the access matrix allows), or to a
    team (`team`: its code). A person alone puts the task in their team too."""
    found = work_queue.task_for_user(request.user, task_id)
    if body.assignee is None and not body.team:
        raise HttpError(422, "assignee: expected a user id, or team: a team code")
    assignee = None
    if body.assignee is not None:
        assignee = get_user_model().objects.filter(pk=body.assignee, is_active=True).first()
        if assignee is None or not access.visible_individual_ids(assignee, [found.individual_id]):
            raise HttpError(422, "assignee: expected the id of an active user who may open this child's record")
    team = body.team or (work_queue.worker_of(assignee).team if assignee is not None else "")
    try:
        work_services.assign(found.pk, acting_user=request.user, clock=system_clock, assignee=assignee, team=team)
    except NotYourTask as refused:
        raise _not_yours(request, found, refused) from None
    except AssignmentRefused as refused:
        if refused.forbidden:
            raise _not_yours(request, found, refused) from None
        raise HttpError(422, str(refused)) from None
    except IllegalMove:
        raise HttpError(409, "state: the task is no longer open") from None
    return _one_task(request, found.pk)


@api.post("/tasks/{task_id}/resolve", response=answers(TaskOut, 400, 401, 403, 404, 409, 422), url_name="task_resolve")
def resolve_task(request: HttpRequest, task_id: int, body: ResolveIn) -> TaskOut:
    """Resolve with a rationale; an empty one, or one that blames the child, answers 422 naming
    the field, each flagged phrase, why and the suggested wording."""
    found = work_queue.task_for_user(request.user, task_id)
    rationale = validated(Rationale, {"rationale": body.rationale}).rationale
    try:
        work_services.resolve(
            found.pk,
            acting_user=request.user,
            rationale=rationale,
            clock=system_clock,
            policy=current_policy(),
        )
    except NotYourTask as refused:
        raise _not_yours(request, found, refused) from None
    except IllegalMove:
        raise HttpError(409, "state: the task is no longer open") from None
    return _one_task(request, found.pk)


class FindingFilters(Schema):
    state: str = "current"


@api.get(
    "/individuals/{individual_id}/findings",
    response=answers(list[FindingOut], 401, 403, 404, 422),
    url_name="individual_findings",
)
def individual_findings(request: HttpRequest, individual_id: int, filters: Query[FindingFilters]) -> list[FindingOut]:
    """The person's findings (`state`: current, the default, or all), most severe first: clause,
    severity, reason, cited records, owner role, deadline, state and the task id. Only findings
    the caller may read in full; the person's `concerns_held_elsewhere` stands for the rest."""
    found = individual_for_user(request.user, individual_id)
    if filters.state not in FINDING_STATES:
        raise HttpError(422, "state: expected current or all")
    ordered = disclose(request.user, findings_of(found.pk, filters.state)).shown
    named = named_for(request.user, ordered)
    log_named(request.user, [line for lines in named.values() for line in lines], object_type="individual")
    access.log_view(
        request.user,
        object_type="individual",
        object_ids=[found.pk],
        individual_ids=[found.pk],
        fields=["findings"],
    )
    return [
        FindingOut(
            id=f.pk,
            clause=f.clause,
            severity=f.severity,
            reason=f.reason,
            named=[_named_out(n) for n in named.get(f.pk, [])],
            cites=[RefOut(source=str(c.get("source", "")), id=str(c.get("id", ""))) for c in f.cites or []],
            owner_role=f.owner_role,
            due_by=f.due_by,
            state=f.state,
            raised_at=f.raised_at,
            task=getattr(getattr(f, "task", None), "pk", None),
        )
        for f in ordered
    ]


def _named_out(line: NamedLine) -> NamedOut:
    return NamedOut(
        kind=line.kind,
        role=line.role,
        text=line.text,
        shown=line.shown,
        record=RefOut(source=line.ref[0], id=line.ref[1]),
        count=line.count,
        individual=line.individual_id if line.shown else None,
    )
