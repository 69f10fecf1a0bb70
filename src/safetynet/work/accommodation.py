"""A child in police protection waiting for accommodation past the policy's partnership
threshold (P1 `accommodation_superintendent`, 12 hours) goes to the partnership escalation log
by itself: the deadline sweep raises one escalation per wait, to children's social care, in the
name of the designated officer (the initiating officer when none is designated), as the
inspection asked ("children waiting at police stations for accommodation", issue #21). So does
a child kept in custody because the local authority refused the PACE s38(6) request, or has not
answered it within C3's `answer` hours, in the name of the custody officer who booked them in.

A wait is judged on the police protection record's current version: requested, not provided,
police protection not ended. A record that already has an escalation (raised by a person from
the record or by an earlier sweep) gets no second one."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from safetynet.lib.clock import Clock, system_clock
from safetynet.records.models import Event
from safetynet.risk.policy import Policy, current_policy
from safetynet.risk.rules.base import ts
from safetynet.work.escalations import EscalationRefused, raise_escalation
from safetynet.work.models import PartnershipEscalation

log = logging.getLogger(__name__)

EVENT_TYPE = "police_protection"
OWNER_AGENCY = "csc"
REASON = (
    "A child in police protection has waited more than {hours} hours for accommodation (policy P1). "
    "Children's social care to provide a placement now and say when."
)


def _raiser(details: dict[str, Any], event: Event) -> Any:
    """The designated officer's user, else the initiating officer's (None: neither is a user)."""
    users = get_user_model().objects.filter(is_active=True)
    for who in (details.get("designated_officer"), event.recorded_by):
        name = who.get("username") if isinstance(who, dict) else None
        found = users.filter(username=name).first() if name else None
        if found is not None:
            return found
    return None


def waiting_past(event: Event, now: dt.datetime, threshold: dt.timedelta) -> bool:
    """Whether the record's child has waited for accommodation longer than `threshold` at `now`."""
    d = event.details or {}
    asked = ts(d.get("accommodation_requested_at"))
    if asked is None or d.get("accommodation_provided_at") or d.get("ended_at"):
        return False
    return now - asked > threshold


def escalate_accommodation_waits(
    *, clock: Clock = system_clock, policy: Policy | None = None
) -> list[PartnershipEscalation]:
    """Raises a partnership escalation for every police protection wait for accommodation past
    the policy's partnership threshold that has none yet; returns those raised."""
    policy = policy or current_policy()
    now = clock.now()
    threshold = policy.clause("P1").hours("accommodation_superintendent")
    escalated = PartnershipEscalation.objects.filter(refusal__isnull=False).values("refusal_id")
    candidates = Event.live.filter(
        event_type=EVENT_TYPE, details__accommodation_requested_at__isnull=False, occurred_at__lte=now
    ).exclude(pk__in=escalated)
    raised = []
    for event in candidates.order_by("occurred_at", "pk"):
        if not waiting_past(event, now, threshold):
            continue
        reason = REASON.format(hours=int(threshold.total_seconds() // 3600))
        found = raise_for_record(event, reason, clock=clock, policy=policy)
        if found is not None:
            raised.append(found)
    if raised:
        log.info("work: %d police protection wait(s) for accommodation escalated to the partnership", len(raised))
    return raised


TRANSFER_REASON = (
    "A child charged and refused bail is kept in custody: the local authority {why} the PACE s38(6) "
    "request to accommodate them (policy C3). Children's social care to provide accommodation now and say when."
)


def transfer_refused(event: Event, now: dt.datetime, answer_within: dt.timedelta) -> str:
    """Why a custody record's s38(6) request stands refused while the child is held ("" if not)."""
    d = event.details or {}
    asked = ts(d.get("la_accommodation_requested_at"))
    if asked is None or d.get("released_at") or event.ended_at:
        return ""
    outcome = d.get("la_accommodation_outcome")
    if outcome == "not_provided":
        return "refused"
    if not outcome and now - asked > answer_within:
        return f"did not answer within {int(answer_within.total_seconds() // 3600)} hours"
    return ""


def escalate_transfer_refusals(
    *, clock: Clock = system_clock, policy: Policy | None = None
) -> list[PartnershipEscalation]:
    """Raises a partnership escalation for every child held in custody after a refused or
    unanswered s38(6) request that has none yet; returns those raised."""
    policy = policy or current_policy()
    now = clock.now()
    answer_within = policy.clause("C3").hours("answer")
    escalated = PartnershipEscalation.objects.filter(refusal__isnull=False).values("refusal_id")
    candidates = Event.live.filter(
        event_type="custody", details__la_accommodation_requested_at__isnull=False, occurred_at__lte=now
    ).exclude(pk__in=escalated)
    raised = []
    for event in candidates.order_by("occurred_at", "pk"):
        why = transfer_refused(event, now, answer_within)
        found = raise_for_record(event, TRANSFER_REASON.format(why=why), clock=clock, policy=policy) if why else None
        if found is not None:
            raised.append(found)
    if raised:
        log.info("work: %d refused or unanswered s38(6) request(s) escalated to the partnership", len(raised))
    return raised


def raise_for_record(event: Event, reason: str, *, clock: Clock, policy: Policy) -> PartnershipEscalation | None:
    raiser = _raiser(event.details or {}, event)
    if raiser is None:
        log.warning(
            "work: %s %s waits past the threshold with no officer to raise it",
            event.event_type.replace("_", " "),
            event.pk,
        )
        return None
    with transaction.atomic():
        # Claimed on the record's row: of two sweeps at once only the first raises it.
        Event.objects.select_for_update().filter(pk=event.pk).first()
        if PartnershipEscalation.objects.filter(refusal_id=event.pk).exists():
            return None
        try:
            return raise_escalation(
                acting_user=raiser,
                owner_agency=OWNER_AGENCY,
                reason=reason,
                refusal_id=event.pk,
                clock=clock,
                policy=policy,
            )
        except EscalationRefused as refused:
            log.warning("work: %s %s could not be escalated (%s)", event.event_type, event.pk, refused.field)
            return None
