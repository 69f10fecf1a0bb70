"""A child missing from care whose home has not recorded its own initial enquiries (the Philomena
protocol: search the home, phone the child, contact friends and family, visit known places) goes
to the partnership escalation log by itself (docs/missing.md): the deadline sweep raises one
escalation per episode, to children's social care (the placing authority, answerable for the
home's practice), in the name of the person who reported the episode, once the policy's
`home_enquiries` hours (M2's clocks, 2 by default) have passed since the report with no
enquiries recorded by then.

Only episodes reported within M2's work window (7 days) are looked at, so a force switching the
rule on does not escalate its history; an episode already escalated (by a person or an earlier
sweep) gets no second one; a child found before the deadline still needed the enquiries."""

from __future__ import annotations

import datetime as dt
import logging

from safetynet.lib.clock import Clock, system_clock
from safetynet.records.models import Event
from safetynet.risk.policy import Policy, current_policy
from safetynet.risk.rules.base import ts
from safetynet.work.accommodation import raise_for_record
from safetynet.work.models import PartnershipEscalation

log = logging.getLogger(__name__)

REASON = (
    "A child missing from care: the home has not recorded its own initial enquiries (Philomena protocol: "
    "searching the home, phoning the child, contacting friends, family and known places) within {hours} hours "
    "of the report (policy M2). Children's social care to ask the home to make and record them now, and say when."
)


def enquiries_missing(event: Event, deadline: dt.datetime) -> bool:
    """Whether the episode had no home enquiries recorded by `deadline`."""
    found = (event.details or {}).get("home_enquiries")
    if not isinstance(found, dict):
        return True
    recorded = ts(found.get("recorded_at")) or ts(found.get("made_at"))
    return recorded is None or recorded > deadline


def escalate_missing_home_enquiries(
    *, clock: Clock = system_clock, policy: Policy | None = None
) -> list[PartnershipEscalation]:
    """Raises a partnership escalation for every recent episode of a child missing from care
    whose home's enquiries were not recorded within the policy's hours; returns those raised."""
    policy = policy or current_policy()
    spec = policy.clause("M2")
    now = clock.now()
    within = spec.hours("home_enquiries")
    since = now - dt.timedelta(days=float(spec.work.window_days))
    escalated = PartnershipEscalation.objects.filter(refusal__isnull=False).values("refusal_id")
    candidates = Event.live.filter(
        event_type="missing_report",
        details__missing_from="care",
        reported_at__gt=since,
        reported_at__lte=now - within,
    ).exclude(pk__in=escalated)
    raised = []
    hours = int(within.total_seconds() // 3600)
    for event in candidates.order_by("reported_at", "pk"):
        assert event.reported_at is not None
        if not enquiries_missing(event, event.reported_at + within):
            continue
        found = raise_for_record(event, REASON.format(hours=hours), clock=clock, policy=policy)
        if found is not None:
            raised.append(found)
    if raised:
        log.info("work: %d missing episode(s) without the home's enquiries escalated to the partnership", len(raised))
    return raised
