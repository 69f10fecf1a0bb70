"""How the web app fetches records for a user: one place, missing and forbidden look the same.

Everything here delegates to `safetynet.access.rules`, which decides record-level scope and
field-level restriction from the permission matrix (src/safetynet/access/matrix.yaml), and
writes the access log (DPA 2018 s62) through `safetynet.audit.services.record_audit`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.db.models import QuerySet

from safetynet.access import rules
from safetynet.audit.models import Action
from safetynet.audit.services import record_audit
from safetynet.identity.models import Individual
from safetynet.records.models import Event, Marker, Order, Plan


def individual_for_user(user: Any, pk: int) -> Individual:
    """Return the Individual `pk` if `user` may see it; raise Http404 otherwise (no hint why)."""
    return rules.access_individual_for_user(user, pk)


def event_for_user(user: Any, pk: int) -> Event:
    """Return the live Event `pk`, redacted for `user`, if they may see it; raise Http404 otherwise."""
    return rules.access_event_for_user(user, pk)


def visible_individual_ids(user: Any, candidate_ids: list[int]) -> list[int]:
    """The subset of `candidate_ids` that `user` may see, in the same order."""
    return rules.visible_individual_ids(user, candidate_ids)


def may_open(user: Any) -> Callable[[Iterable[int]], set[int]]:
    """A function answering which of some individual ids `user` may open: everyone else shows
    on other people's pages only as `queries.NO_ACCESS_NAME`."""

    def check(individual_ids: Iterable[int]) -> set[int]:
        return set(rules.visible_individual_ids(user, individual_ids))

    return check


def event_filter(user: Any) -> Callable[[QuerySet[Event]], QuerySet[Event]]:
    """A function narrowing an event queryset to what `user` may see."""
    return partial(rules.visible_events, user)


def visible_event_ids(user: Any, event_ids: list[int]) -> set[int]:
    """The ids among `event_ids` of events `user`'s role may see."""
    if not event_ids:
        return set()
    return set(rules.visible_events(user, Event.objects.filter(pk__in=event_ids)).values_list("pk", flat=True))


def markers_for(user: Any, markers: QuerySet[Marker]) -> QuerySet[Marker]:
    return rules.visible_markers(user, markers)


def plans_for(user: Any, plans: QuerySet[Plan]) -> QuerySet[Plan]:
    return rules.visible_plans(user, plans)


def orders_for(user: Any, orders: list[tuple[Order, str]]) -> list[tuple[Order, str]]:
    """The (order, "subject"/"protected") pairs `user` may see."""
    allowed = set(
        rules.visible_orders(user, Order.objects.filter(pk__in=[o.pk for o, _ in orders])).values_list("pk", flat=True)
    )
    return [(o, how) for o, how in orders if o.pk in allowed]


def redact(user: Any, events: Iterable[Event]) -> list[Event]:
    """Events with the parts `user` may not read removed."""
    return rules.redact_events(user, events)


def log_view(
    user: Any,
    *,
    object_type: str,
    object_ids: Iterable[Any],
    individual_ids: Iterable[int],
    person_ids: Iterable[int] = (),
    fields: Iterable[str] = (),
) -> None:
    """Write the access-log entry for a consultation (a page showing personal data)."""
    record_audit(
        acting_user=user,
        action=Action.VIEW,
        object_type=object_type,
        object_ids=object_ids,
        individual_ids=individual_ids,
        person_ids=person_ids,
        fields=fields,
    )


def log_search(user: Any, *, fields: Iterable[str], individual_ids: Iterable[int]) -> None:
    """Write the access-log entry for a search: which fields were searched and who was shown."""
    record_audit(
        acting_user=user, action=Action.SEARCH, object_type="search", individual_ids=individual_ids, fields=fields
    )
