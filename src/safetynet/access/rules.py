"""Record-level and field-level access: the only way views and endpoints fetch records.

Every function takes the user and answers from the permission matrix (matrix.yaml), the
user's profile (role, agency, team), their caseload and restrictions. Missing and
forbidden look the same: helpers raise Http404 for both, so guessed ids reveal nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db.models import Q, QuerySet
from django.http import Http404

from safetynet.access.matrix import RolePolicy, load
from safetynet.access.models import Caseload, Restriction, UserProfile
from safetynet.access.roles import ELEVATED_ROLES, Role
from safetynet.identity.models import Individual
from safetynet.records.models import Event, Marker, Order, Plan

_Q = TypeVar("_Q", bound=QuerySet[Any])


def profile_of(user: Any) -> UserProfile | None:
    """The user's access profile, or None (anonymous users and users without a role)."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        profile: UserProfile = user.profile
    except UserProfile.DoesNotExist:
        return None
    return profile


def role_of(user: Any) -> str | None:
    """The user's role code. A superuser without a profile counts as a system administrator."""
    profile = profile_of(user)
    if profile is not None:
        return profile.role
    if getattr(user, "is_authenticated", False) and getattr(user, "is_superuser", False):
        return Role.SYSTEM_ADMINISTRATOR
    return None


def policy_of(user: Any) -> RolePolicy | None:
    """The matrix row for the user's role, or None when they have no role."""
    role = role_of(user)
    return load().roles.get(role) if role else None


def has_permission(user: Any, permission: str) -> bool:
    """Whether `user` holds `permission` under the matrix (an inactive user holds none)."""
    if not getattr(user, "is_active", False):
        return False
    return load().role_allows(role_of(user), permission)


def is_elevated(user: Any) -> bool:
    """Whether `user`'s role needs a second factor at sign-in."""
    return role_of(user) in ELEVATED_ROLES


# --- which children -----------------------------------------------------------------


def _hidden_by_restriction(user: Any) -> QuerySet[Restriction]:
    """Restrictions that do not name `user`: their individuals stay hidden from them."""
    return Restriction.objects.exclude(named_users=user)


def restricted_individual_ids(user: Any) -> list[int]:
    """Individuals restricted from `user` (they are not named on the restriction). Anything
    that involves one of them is hidden from `user`, wherever it would appear."""
    return sorted(set(_hidden_by_restriction(user).values_list("individual_id", flat=True)))


def visible_individuals(user: Any) -> QuerySet[Individual]:
    """Every live individual `user` may see: their role's scope, plus their caseload, minus
    restricted individuals they are not named on."""
    policy = policy_of(user)
    if policy is None or "view_person" not in policy.permissions or not user.is_active:
        return Individual.objects.none()
    live = Individual.objects.filter(memberships__person__recorded_at__isnull=False, memberships__person__deleted=False)
    caseload = Q(pk__in=Caseload.objects.filter(user=user).values("individual_id"))
    profile = profile_of(user)
    if policy.scope == "all":
        scoped = Q()
    elif policy.scope == "agency" and profile is not None:
        scoped = Q(memberships__person__source__in=list(profile.agency.source_systems)) | caseload
    elif policy.scope == "team" and profile is not None and profile.team and profile.team.organisation_id:
        scoped = Q(memberships__person__school_id=profile.team.organisation_id) | caseload
    else:  # own, or a partner scope without the team or agency it needs
        scoped = caseload
    found = live.filter(scoped).exclude(pk__in=_hidden_by_restriction(user).values("individual_id"))
    return found.distinct()


def access_individual_for_user(user: Any, pk: int) -> Individual:
    """Return the Individual `pk` if `user` may see it; raise Http404 otherwise (no hint why)."""
    individual = visible_individuals(user).filter(pk=pk).first()
    if individual is None:
        raise Http404("No such person.")
    return individual


def visible_individual_ids(user: Any, candidate_ids: Iterable[int]) -> list[int]:
    """The subset of `candidate_ids` that `user` may see, in the given order."""
    ids = list(candidate_ids)
    if not ids:
        return []
    allowed = set(visible_individuals(user).filter(pk__in=ids).values_list("pk", flat=True))
    return [i for i in ids if i in allowed]


# --- which records, and which parts -----------------------------------------------


def _not_handling_c(path: str) -> Q:
    """Records not graded handling code C. Spelled with isnull because NOT (x = 'C') is NULL,
    hence false, for the many records without a grading, on both SQLite and PostgreSQL."""
    return Q(**{f"{path}__isnull": True}) | ~Q(**{path: "C"})


def visible_events(user: Any, events: QuerySet[Event]) -> QuerySet[Event]:
    """`events` narrowed to what `user`'s role may see (types, handling code C, health sources)."""
    policy = policy_of(user)
    if policy is None or "view_person" not in policy.permissions:
        return events.none()
    content = load().content
    if policy.event_types is not None:
        events = events.filter(event_type__in=sorted(policy.event_types))
    if "view_handling_code_c" not in policy.permissions:
        events = events.filter(_not_handling_c("details__grading__handling"))
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
        markers = markers.filter(_not_handling_c("grading__handling"))
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


def access_event_for_user(user: Any, pk: int) -> Event:
    """Return the live Event `pk` if `user` may see it; raise Http404 otherwise.

    Visible means: its type and grading are open to the role, it involves at least one child
    the user may see, and none it involves is restricted from them.
    """
    events = visible_events(user, Event.live.select_related("location").filter(pk=pk))
    event = events.first()
    if event is None:
        raise Http404("No such event.")
    involved = set(
        Individual.objects.filter(memberships__person__participations__event_id=pk).values_list("pk", flat=True)
    )
    hidden = set(
        _hidden_by_restriction(user).filter(individual_id__in=involved).values_list("individual_id", flat=True)
    )
    if hidden or not visible_individual_ids(user, involved):
        raise Http404("No such event.")
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


def redact_events(user: Any, events: Iterable[Event]) -> list[Event]:
    """Each of `events` redacted for `user` (see `redact_event`)."""
    return [redact_event(user, e) for e in events]


def restrict_queryset(user: Any, queryset: _Q) -> _Q:
    """`queryset` (events, markers, plans or orders) narrowed for `user`; other models pass through."""
    model = queryset.model
    if model is Event:
        return visible_events(user, queryset)  # type: ignore[return-value]
    if model is Marker:
        return visible_markers(user, queryset)  # type: ignore[return-value]
    if model is Plan:
        return visible_plans(user, queryset)  # type: ignore[return-value]
    if model is Order:
        return visible_orders(user, queryset)  # type: ignore[return-value]
    return queryset
