"""The inspection's lists as CSV: children missing in a period, referrals, police protection and
custody. One row per child per record (a child missing five times is five rows), with the
record's reference, the child's individual id and name as the source recorded it, and the
dates an inspector reads first. Read in the database in chunks and streamed
(`exports.services.export_csv_streamed`), so a list of any length is never cut short.

What the viewer may see decides what is listed: the records go through `reads.access`
(restricted children, handling codes, health sources), and a role whose scope is narrower than
every child lists only the children it may open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.http import HttpRequest, StreamingHttpResponse

from safetynet.access.profiles import policy_of
from safetynet.exports.services import Column, export_csv_streamed
from safetynet.lib.periods import bounds
from safetynet.reads import access
from safetynet.records.models import Event, Participation


@dataclass(frozen=True)
class InspectionList:
    code: str
    title: str
    event_type: str
    roles: tuple[str, ...]
    details: tuple[tuple[str, str], ...]  # (column header, dotted path in the record's details)


LISTS: dict[str, InspectionList] = {
    lst.code: lst
    for lst in (
        InspectionList(
            "missing",
            "Children missing",
            "missing_report",
            ("missing_person",),
            (
                ("Initial risk", "initial_risk"),
                ("Found at", "found_at"),
                ("Returned of own accord", "returned_of_own_accord"),
                ("Prevention interview at", "prevention_interview_at"),
            ),
        ),
        InspectionList(
            "referrals",
            "Referrals",
            "referral",
            ("subject",),
            (
                ("Received at", "received_at"),
                ("Triage grade", "triage.grade"),
                ("Triaged at", "triage.at"),
                ("Decision", "triage.decision"),
            ),
        ),
        InspectionList(
            "police_protection",
            "Children in police protection",
            "police_protection",
            ("subject",),
            (
                ("Authorised at", "authorised_at"),
                ("Social care told at", "csc_notified_at"),
                ("Accommodation requested at", "accommodation_requested_at"),
                ("Ended at", "ended_at"),
            ),
        ),
        InspectionList(
            "custody",
            "Children in custody",
            "custody",
            ("detainee",),
            (
                ("Arrived at", "arrived_at"),
                ("Appropriate adult arrived at", "appropriate_adult_arrived_at"),
                ("Charged at", "charged_at"),
                ("Local authority accommodation", "la_accommodation_outcome"),
                ("Released at", "released_at"),
            ),
        ),
    )
}


def _key(path: str) -> str:
    return "d_" + path.replace(".", "_")


def _detail_text(path: str) -> KeyTextTransform:
    """The text at dotted `path` in the record's details (the event, across the participation)."""
    *outer, last = path.split(".")
    node: Any = "event__details"
    for key in outer:
        node = KeyTransform(key, node)
    return KeyTextTransform(last, node)


def list_rows(user: Any, found: InspectionList, start: dt.date, end: dt.date, area: Q | None = None) -> QuerySet[Any]:
    """The list's rows for `user`: one dict per child per record dated in [start, end], oldest
    first; `area` (a Q on the participant's Person, prefixed `person__`) narrows to an area."""
    since, until = bounds(start, end)
    events = access.visible_events(
        user, Event.live.filter(event_type=found.event_type, occurred_at__gte=since, occurred_at__lt=until)
    )
    rows = Participation.objects.filter(
        event__in=events.values("pk"), role__in=found.roles, person__membership__isnull=False
    )
    policy = policy_of(user)
    if policy is None or policy.scope != "all":
        rows = rows.filter(person__membership__individual__in=access.visible_individuals(user).values("pk"))
    if area is not None:
        rows = rows.filter(area)
    extracted = {_key(path): _detail_text(path) for _h, path in found.details}
    return (
        rows.annotate(**extracted)
        .values(
            "event_id",
            "event__occurred_at",
            "event__ended_at",
            "event__source",
            "event__source_id",
            "person__membership__individual_id",
            "person__given_names",
            "person__family_name",
            "person__date_of_birth",
            "person__postcode",
            *extracted,
        )
        .order_by("event__occurred_at", "event_id", "person_id")
    )


def columns_of(found: InspectionList) -> list[Column]:
    base: list[Column] = [
        ("Date", lambda r: r["event__occurred_at"]),
        ("Ended", lambda r: r["event__ended_at"]),
        ("Source", lambda r: r["event__source"]),
        ("Reference", lambda r: r["event__source_id"]),
        ("Person record", lambda r: r["person__membership__individual_id"]),
        ("Given names", lambda r: r["person__given_names"]),
        ("Family name", lambda r: r["person__family_name"]),
        ("Date of birth", lambda r: r["person__date_of_birth"]),
        ("Postcode", lambda r: r["person__postcode"]),
    ]
    return base + [(header, _getter(_key(path))) for header, path in found.details]


def _getter(key: str) -> Any:
    return lambda r: r[key]


def inspection_csv(
    request: HttpRequest,
    found: InspectionList,
    start: dt.date,
    end: dt.date,
    area: Q | None = None,
    area_name: str = "",
) -> StreamingHttpResponse:
    """The list as a streamed CSV download, logged as an export naming every child in it."""
    rows = list_rows(request.user, found, start, end, area)
    children = sorted(set(rows.values_list("person__membership__individual_id", flat=True).order_by()))
    where = f", {area_name}" if area_name else ""
    return export_csv_streamed(
        request,
        rows.iterator(chunk_size=2000),
        columns_of(found),
        title=f"{found.title}{where}, {start:%d %b %Y} to {end:%d %b %Y}",
        filename=f"{found.code}-{start.isoformat()}-{end.isoformat()}",
        individual_ids=children,
        object_type="inspection_list",
        object_ids=[found.code],
        fields=["inspection_list", found.code],
    )


def list_counts(user: Any, start: dt.date, end: dt.date, area: Q | None = None) -> list[tuple[InspectionList, int]]:
    """Each list with the records it holds in the period (and area), as `user` would download
    them: one query counting the records by type (the children are counted in the file)."""
    since, until = bounds(start, end)
    events = access.visible_events(
        user,
        Event.live.filter(
            event_type__in=[f.event_type for f in LISTS.values()], occurred_at__gte=since, occurred_at__lt=until
        ),
    )
    if area is not None:
        which = Q()
        for found in LISTS.values():
            which |= Q(event__event_type=found.event_type, role__in=found.roles)
        events = events.filter(pk__in=Participation.objects.filter(which).filter(area).values("event_id"))
    counted = dict(events.values_list("event_type").annotate(n=Count("pk")).order_by())
    return [(found, int(counted.get(found.event_type, 0))) for found in LISTS.values()]
