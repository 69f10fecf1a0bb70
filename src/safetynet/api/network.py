"""A person's readable network over REST (`GET /api/v1/individuals/{id}/network`,
docs/exploitation.md "The network"), beside the core API's other reads of one individual."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from safetynet.api.schemas import NetworkOut, NetworkPersonOut, NetworkPlaceOut, answers
from safetynet.lib.clock import system_clock
from safetynet.reads.access import individual_for_user
from safetynet.reads.focus_network import network_seen_by
from safetynet.reads.focus_network_model import parse_filter

router = Router(tags=["individuals"])


class NetworkFilters(Schema):
    hops: str = Field("", description="1 (the default) or 2")
    relationship_types: list[str] = Field([], description="relationship types (none: all)")
    event_types: list[str] = Field([], description="event types (none: all)")
    date_from: str = Field("", alias="from", description="YYYY-MM-DD; default 12 months before `to`")
    date_to: str = Field("", alias="to", description="YYYY-MM-DD; default today")
    limit: str = Field("", description="most nodes drawn, 10 to 400 (default 60); the rest grouped")
    expand: list[str] = Field([], description="groups drawn in full: children, adults, not_shown, places")


@router.get(
    "/{individual_id}/network",
    response=answers(NetworkOut, 401, 403, 404, 422),
    url_name="individual_network",
)
def individual_network(request: HttpRequest, individual_id: int, filters: Query[NetworkFilters]) -> NetworkOut:
    """The readable network around the person (docs/exploitation.md "The network"): people one
    or two hops out, linked by relationships and by being present together at events in the
    window, adult-child links, co-location and an adult's intimate relationship with a child
    flagged; at most `limit` nodes drawn, the rest grouped; `people` and `places` list everyone.
    A bad filter is 422 naming the field."""
    found = individual_for_user(request.user, individual_id)
    today = system_clock.now().date()
    asked, errors = parse_filter(dict(request.GET.lists()), today)
    if errors:
        raise HttpError(422, "; ".join(f"{k}: {v}" for k, v in errors.items()))
    net = network_seen_by(request.user, found.pk, asked, today)
    return NetworkOut(
        individual=found.pk,
        hops=asked.hops,
        relationship_types=list(asked.relationship_types),
        event_types=list(asked.event_types),
        date_from=asked.date_from or today,
        date_to=asked.date_to or today,
        limit=asked.limit,
        expand=list(asked.expand),
        events_read=net.events_read,
        events_capped=net.events_capped,
        people=[
            NetworkPersonOut(
                key=p.key,
                individual=p.individual_id,
                name=p.name,
                hop=p.hop,
                age_group=p.age_group,
                age=p.age,
                how=p.how,
                flags=p.flags,
                drawn_as=p.drawn_as,
            )
            for p in net.people
        ],
        places=[NetworkPlaceOut(key=p.key, label=p.label, times=p.times, drawn_as=p.drawn_as) for p in net.places],
        nodes=net.nodes,
        edges=net.edges,
        groups=net.groups,
    )
