"""The one door: how the screens and the API fetch records for a user.

Every function takes the user and answers from the permission matrix
(src/safetynet/access/matrix.yaml), the user's profile (role, agency, team), their caseload
and restrictions: record-level scope and field-level restriction. Missing and forbidden look
the same: `individual_for_user` and `event_for_user` raise Http404 for both, so a guessed id
reveals nothing. Consultations are written to the access log (DPA 2018 s62) through
`log_view` and `log_search`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from safetynet.access.matrix import load
from safetynet.access.models import Caseload, Restriction
from safetynet.access.profiles import policy_of, profile_of
from safetynet.audit.models import Action
from safetynet.audit.services import record_audit
from safetynet.identity.models import Individual, Membership
from safetynet.lib.memo import memoised
from safetynet.records.models import Event, Marker, Order, Participation, Person, Plan

# --- which children -----------------------------------------------------------------


def _hidden_by_restriction(user: Any) -> QuerySet[Restriction]:
    """Restrictions that do not name `user`: their individuals stay hidden from them."""
    return Restriction.objects.exclude(named_users=user)


def restricted_individual_ids(user: Any) -> list[int]:
    """Individuals restricted from `user` (they are not named on the restriction). Anything
    that involves one of them is hidden from `user`, wherever it would appear."""
    key = ("restricted_individual_ids", getattr(user, "pk", None))
    hidden = memoised(key, lambda: sorted(set(_hidden_by_restriction(user).values_list("individual_id", flat=True))))
    return list(hidden)


def visible_individuals(user: Any) -> QuerySet[Individual]:
    """Every live individual `user` may see: their role's scope, plus their caseload, minus
    restricted individuals they are not named on."""
    policy = policy_of(user)
    if policy is None or "view_person" not in policy.permissions or not user.is_active:
        return Individual.objects.none()
    live = Individual.objects.filter(memberships__person__recorded_at__isnull=False, memberships__person__deleted=False)
    caseload = Q(pk__in=Caseload.objects.filter(user=user).values("individual_id"))
    profile = profile_of(user)
    organisation = profile.team.organisation_id if profile is not None and profile.team else None
    # A partner's own children: those whose records name the organisation the user's team stands
    # for as their school (a school's safeguarding lead) or GP practice (a practice's lead).
    registered = (
        Q(memberships__person__school_id=organisation) | Q(memberships__person__gp_practice_id=organisation)
        if organisation
        else None
    )
    if policy.scope == "all":
        scoped = Q()
    elif policy.scope == "agency" and profile is not None:
        scoped = Q(memberships__person__source__in=list(profile.agency.source_systems)) | caseload
        if registered is not None:
            scoped |= registered
    elif policy.scope == "team" and registered is not None:
        scoped = registered | caseload
    else:  # own, or a partner scope without the team or agency it needs
        scoped = caseload
    if "receive_transfers" in policy.permissions:
        scoped |= Q(memberships__person_id__in=transferred_children())
    found = live.filter(scoped).exclude(pk__in=_hidden_by_restriction(user).values("individual_id"))
    return found.distinct()


def transferred_children() -> QuerySet[Participation, Any]:
    """Shared by request: the person records of the children of MASH referrals forwarded to
    children's social care (the allocated worker or early help) whose transfer is pending or
    accepted (docs/mash.md "Transfers"). The receiving team (`receive_transfers`) sees these
    children whatever its scope; a returned transfer shares nothing, and restrictions still hold."""
    return Participation.objects.filter(
        role="subject",
        event__event_type="referral",
        event__source="safetynet",
        event__details__transfer__state__in=["pending", "accepted"],
    ).values("person_id")


def refused(user: Any, *, object_type: str, object_id: Any, individual_ids: Iterable[int] = ()) -> Http404:
    """Write a refusal to the access log and return the Http404 to raise: the user sees the same
    "not found" whether the thing is missing or forbidden, but an auditor sees every attempt
    (guessed ids and restricted children alike), with the children it was about when it exists."""
    log_denied(user, object_type=object_type, object_id=object_id, individual_ids=individual_ids)
    return Http404(f"No such {object_type}.")


def log_denied(user: Any, *, object_type: str, object_id: Any, individual_ids: Iterable[int] = ()) -> None:
    """Write to the access log that `user` was refused `object_type` `object_id`."""
    record_audit(
        acting_user=user,
        action=Action.DENIED,
        object_type=object_type,
        object_ids=[object_id],
        individual_ids=individual_ids,
        outcome="denied",
    )


def individual_for_user(user: Any, pk: int) -> Individual:
    """Return the Individual `pk` if `user` may see it; raise Http404 otherwise (no hint why),
    writing the refusal to the access log."""
    individual = visible_individuals(user).filter(pk=pk).first()
    if individual is None:
        exists = Individual.objects.filter(pk=pk).exists()
        raise refused(user, object_type="individual", object_id=pk, individual_ids=[pk] if exists else [])
    return individual


def person_record_for_user(user: Any, person_id: int) -> tuple[Person, int]:
    """A live source record and the id of its individual, if `user` may see that individual;
    raise Http404 otherwise (no hint why)."""
    membership = (
        Membership.objects.select_related("person")
        .filter(person_id=person_id, person__recorded_at__isnull=False, person__deleted=False)
        .first()
    )
    if membership is None:
        raise refused(user, object_type="person", object_id=person_id)
    if not visible_individual_ids(user, [membership.individual_id]):
        raise refused(user, object_type="person", object_id=person_id, individual_ids=[membership.individual_id])
    return membership.person, membership.individual_id


def visible_individual_ids(user: Any, candidate_ids: Iterable[int]) -> list[int]:
    """The subset of `candidate_ids` that `user` may see, in the given order."""
    ids = list(candidate_ids)
    if not ids:
        return []
    allowed = set(visible_individuals(user).filter(pk__in=ids).values_list("pk", flat=True))
    return [i for i in ids if i in allowed]


# --- which records, and which parts -----------------------------------------------


def _shareable_handling(path: str) -> Q:
    """Records not graded with a police-only handling code (3x5x2 "C"; legacy 5x5x5 1, 3, 4
    and 5: the matrix's `police_only_handling`). Spelled with isnull because NOT (x IN ...) is
    NULL, hence false, for the many records without a grading, on SQLite and PostgreSQL."""
    codes = list(load().content.police_only_handling)
    return Q(**{f"{path}__isnull": True}) | ~Q(**{f"{path}__in": codes})


def visible_events(user: Any, events: QuerySet[Event]) -> QuerySet[Event]:
    """`events` narrowed to what `user`'s role may see (types, handling code C, health sources)."""
    policy = policy_of(user)
    if policy is None or "view_person" not in policy.permissions:
        return events.none()
    content = load().content
    if policy.event_types is not None:
        events = events.filter(event_type__in=sorted(policy.event_types))
    if "view_handling_code_c" not in policy.permissions:
        events = events.filter(_shareable_handling("details__grading__handling"))
    if "view_health_details" not in policy.permissions:
        events = events.exclude(source__in=sorted(content.health_sources))
    hidden = restricted_individual_ids(user)
    if hidden:
        # An event involving a restricted child is hidden whoever else it involves: its time,
        # place and summary are about that child too.
        events = events.exclude(participations__person__membership__individual_id__in=hidden)
    return events


def visible_markers(user: Any, markers: QuerySet[Marker]) -> QuerySet[Marker]:
    """`markers` narrowed to what `user`'s role may see."""
    policy = policy_of(user)
    if policy is None or "view_person" not in policy.permissions:
        return markers.none()
    content = load().content
    if policy.marker_types is not None:
        markers = markers.filter(marker_type__in=sorted(policy.marker_types))
    if "view_handling_code_c" not in policy.permissions:
        markers = markers.filter(_shareable_handling("grading__handling"))
    if "view_health_details" not in policy.permissions:
        markers = markers.exclude(source__in=sorted(content.health_sources)).exclude(
            marker_type__in=sorted(content.health_marker_types)
        )
    return markers


def visible_plans(user: Any, plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """`plans` narrowed to what `user`'s role may see."""
    policy = policy_of(user)
    if policy is None or "view_person" not in policy.permissions:
        return plans.none()
    if policy.plan_types is not None:
        plans = plans.filter(plan_type__in=sorted(policy.plan_types))
    if "view_health_details" not in policy.permissions:
        plans = plans.exclude(source__in=sorted(load().content.health_sources))
    hidden = restricted_individual_ids(user)
    if hidden:
        plans = plans.exclude(person__membership__individual_id__in=hidden).exclude(
            associates__membership__individual_id__in=hidden
        )
    return plans


def visible_orders(user: Any, orders: QuerySet[Order]) -> QuerySet[Order]:
    """`orders` narrowed to what `user`'s role may see (none for roles without `orders`)."""
    policy = policy_of(user)
    if policy is None or "view_person" not in policy.permissions or not policy.orders:
        return orders.none()
    if "view_health_details" not in policy.permissions:
        orders = orders.exclude(source__in=sorted(load().content.health_sources))
    hidden = restricted_individual_ids(user)
    if hidden:
        orders = orders.exclude(subject__membership__individual_id__in=hidden).exclude(
            protected__membership__individual_id__in=hidden
        )
    return orders


def event_for_user(user: Any, pk: int) -> Event:
    """Return the live Event `pk` if `user` may see it; raise Http404 otherwise.

    Visible means: its type and grading are open to the role, it involves at least one child
    the user may see, and none it involves is restricted from them.
    """
    events = visible_events(user, Event.live.select_related("location").filter(pk=pk))
    event = events.first()
    involved = set(
        Individual.objects.filter(memberships__person__participations__event_id=pk).values_list("pk", flat=True)
    )
    if event is None:
        raise refused(user, object_type="event", object_id=pk, individual_ids=involved)
    hidden = set(
        _hidden_by_restriction(user).filter(individual_id__in=involved).values_list("individual_id", flat=True)
    )
    if hidden or not visible_individual_ids(user, involved):
        raise refused(user, object_type="event", object_id=pk, individual_ids=involved)
    return redact_event(user, event)


def _refuse_save(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("a redacted record is for display only and cannot be saved")


def redact_event(user: Any, event: Event) -> Event:
    """`event` with the parts `user` may not read removed (in memory; it can no longer be saved).

    Intelligence text (details and summary) needs `view_intelligence_text`; health keys in
    other agencies' events need `view_health_details`. The original payload is dropped from
    the instance because it repeats everything.
    """
    policy = policy_of(user)
    perms = policy.permissions if policy else frozenset()
    content = load().content
    details = copy.deepcopy(event.details or {})
    changed = False
    if event.event_type == content.intelligence_event_type and "view_intelligence_text" not in perms:
        for key in content.intelligence_text_keys:
            if key in details:
                details[key] = "Withheld: police only"
                changed = True
        if event.summary:
            event.summary = ""
            event.summary_withheld = True  # type: ignore[attr-defined]  # so pages say so, not "none recorded"
            changed = True
    if "view_health_details" not in perms:
        for key in content.health_detail_keys.get(event.event_type, ()):
            if key in details:
                del details[key]
                changed = True
    if changed or "view_health_details" not in perms or "view_intelligence_text" not in perms:
        event.details = details
        event.payload = None
        event.save = _refuse_save  # type: ignore[method-assign]
    return event


def partly_withheld(user: Any, event: Event) -> bool:
    """Whether `event`'s substance is withheld from `user` though they may see the event: the
    text of an intelligence record. A finding built from it may quote it. (Health keys inside
    another agency's event are dropped from the event's page but are not its substance: no
    rule reads them, which tests/access/test_disclosure.py holds the rules to.)"""
    policy = policy_of(user)
    perms = policy.permissions if policy else frozenset()
    content = load().content
    if event.event_type != content.intelligence_event_type or "view_intelligence_text" in perms:
        return False
    details = event.details or {}
    return bool(event.summary) or any(details.get(k) for k in content.intelligence_text_keys)


def redact_events(user: Any, events: Iterable[Event]) -> list[Event]:
    """Each of `events` redacted for `user` (see `redact_event`)."""
    return [redact_event(user, e) for e in events]


# --- for the read models ------------------------------------------------------------


def may_open(user: Any) -> Callable[[Iterable[int]], set[int]]:
    """A function answering which of some individual ids `user` may open: everyone else shows
    on other people's pages only as `person.NO_ACCESS_NAME`."""

    def check(individual_ids: Iterable[int]) -> set[int]:
        return set(visible_individual_ids(user, individual_ids))

    return check


def event_filter(user: Any) -> Callable[[QuerySet[Event]], QuerySet[Event]]:
    """A function narrowing an event queryset to what `user` may see."""
    return partial(visible_events, user)


def visible_event_ids(user: Any, event_ids: list[int]) -> set[int]:
    """The ids among `event_ids` of events `user`'s role may see."""
    if not event_ids:
        return set()
    return set(visible_events(user, Event.objects.filter(pk__in=event_ids)).values_list("pk", flat=True))


def orders_for(user: Any, orders: list[tuple[Order, str]]) -> list[tuple[Order, str]]:
    """The (order, "subject"/"protected") pairs `user` may see."""
    allowed = set(
        visible_orders(user, Order.objects.filter(pk__in=[o.pk for o, _ in orders])).values_list("pk", flat=True)
    )
    return [(o, how) for o, how in orders if o.pk in allowed]


# --- the access log of what was read ------------------------------------------------


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
