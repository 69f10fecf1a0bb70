"""The partnership escalation log: escalations to another agency (or the safeguarding
partnership), raised from a finding, a task, a meeting action or a custody/accommodation
refusal, answered by the owner agency, and raised a level by the deadline sweep when the
answer is late (docs/work.md "Partnership escalation log").

Every change is one atomic function with a keyword-only `acting_user` and an injected clock;
it writes the escalation's history and the access-log entry in the same transaction, and tells
the people who must answer (`work.notifications`)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from safetynet.access.models import Agency
from safetynet.access.profiles import has_permission, profile_of
from safetynet.access.roles import AgencyCode
from safetynet.audit.models import Action
from safetynet.audit.services import record_audit
from safetynet.identity.models import Membership
from safetynet.lib.clock import Clock, system_clock
from safetynet.records.models import Event, Participation
from safetynet.risk.models import Finding
from safetynet.risk.policy import Policy, current_policy
from safetynet.risk.rules.base import working_days_after
from safetynet.work import notifications
from safetynet.work.models import EscalationEvent, PartnershipEscalation, Task

log = logging.getLogger(__name__)

# The records whose refusal may be escalated: a child charged and refused bail whom the local
# authority did not accommodate (custody), or taken into police protection without a place; and
# a child missing from care whose home did not record its own initial enquiries (missing report).
REFUSAL_EVENT_TYPES = ("custody", "police_protection", "missing_report")
# An answer says what the agency will do, or why not: "noted" does not.
ANSWER_MIN_CHARACTERS = 20
REASON_MIN_CHARACTERS = 20


class EscalationRefused(Exception):
    """Bad input for an escalation: `field` names the input, the message what was expected."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.expected = message


class NotYourEscalation(Exception):
    """`acting_user` may not answer this escalation (not of its owner agency, or no permission)."""


def agency_of(user: Any) -> str:
    """The agency code of `user` ("" when they have no profile)."""
    profile = profile_of(user)
    return profile.agency.code if profile is not None else ""


def involving(agency: str) -> Q:
    """Escalations an agency is part of: raised by it, or owned by it (to answer)."""
    return Q(owner_agency__code=agency) | Q(raised_by_agency__code=agency)


def response_due(level: int, start: dt.datetime, policy: Policy) -> dt.datetime:
    """When an escalation at `level` must be answered, `start` being when it reached that level."""
    return working_days_after(start, policy.document.partnership_escalation.level(level).working_days)


def level_name(level: int, policy: Policy | None = None) -> str:
    return (policy or current_policy()).document.partnership_escalation.level(level).name


def _owner_agency(code: str | None, raiser_agency: str) -> Agency:
    others = [c for c in AgencyCode.values if c != raiser_agency]
    expected = f"the agency that must answer, one of {', '.join(others)}"
    if not code or not str(code).strip():
        raise EscalationRefused("owner_agency", f"expected {expected}")
    code = str(code).strip()
    if code == raiser_agency:
        raise EscalationRefused("owner_agency", f"expected another agency than your own: {expected}")
    agency = Agency.objects.filter(code=code).first() if code in AgencyCode.values else None
    if agency is None:
        raise EscalationRefused("owner_agency", f"expected {expected}; {code[:40]!r} is not an agency")
    return agency


def _check_text(field: str, text: str | None, minimum: int, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise EscalationRefused(field, f"expected {what}")
    if len(text) < minimum:
        raise EscalationRefused(field, f"expected at least {minimum} characters: {what}")
    if "\x00" in text:
        raise EscalationRefused(field, "expected text without null characters")
    return text


@dataclass(frozen=True)
class Source:
    """Where an escalation comes from, and the child it is about."""

    raised_from: str
    task: Task | None = None
    finding: Finding | None = None
    refusal: Event | None = None
    individual_id: int | None = None


def _source(task_id: int | None, finding_id: int | None, refusal_id: int | None, action_id: int | None) -> Source:
    given = [n for n, v in (("task", task_id), ("finding", finding_id), ("refusal", refusal_id)) if v is not None]
    if action_id is not None:
        given.append("meeting_action")
    if len(given) != 1:
        raise EscalationRefused("source", "expected exactly one of task, finding, refusal or meeting_action")
    if task_id is not None:
        task = Task.objects.filter(pk=task_id).first()
        if task is None:
            raise EscalationRefused("task", f"expected the id of an existing task, not {task_id}")
        return Source(PartnershipEscalation.RaisedFrom.TASK, task=task, individual_id=task.individual_id)
    if finding_id is not None:
        finding = Finding.objects.filter(pk=finding_id).first()
        if finding is None:
            raise EscalationRefused("finding", f"expected the id of an existing finding, not {finding_id}")
        return Source(PartnershipEscalation.RaisedFrom.FINDING, finding=finding, individual_id=finding.individual_id)
    if refusal_id is not None:
        event = Event.live.filter(pk=refusal_id, event_type__in=REFUSAL_EVENT_TYPES).first()
        if event is None:
            raise EscalationRefused(
                "refusal", f"expected the id of a {' or '.join(REFUSAL_EVENT_TYPES)} record, not {refusal_id}"
            )
        return Source(PartnershipEscalation.RaisedFrom.REFUSAL, refusal=event, individual_id=_child_of(event))
    # A meeting action is escalated through the task it became (policy clause X7): its child,
    # its finding and its owner come with it, and the task's page links the meeting.
    task = Task.objects.filter(pk=action_id or 0, clause="X7").first()
    if task is None:
        raise EscalationRefused("meeting_action", f"expected the task of a meeting action, not {action_id}")
    return Source(PartnershipEscalation.RaisedFrom.MEETING_ACTION, task=task, individual_id=task.individual_id)


def _child_of(event: Event) -> int | None:
    """The individual a custody or police protection record is about (its detainee or subject)."""
    people = Participation.objects.filter(event=event).order_by("pk")
    preferred = people.filter(role__in=("detainee", "subject", "missing_person")).values("person_id")
    for chosen in (preferred, people.values("person_id")):
        found = Membership.objects.filter(person_id__in=chosen).values_list("individual_id", flat=True).first()
        if found is not None:
            return int(found)
    return None


def _audit(escalation: PartnershipEscalation, acting_user: Any, action: str, fields: list[str], clock: Clock) -> None:
    record_audit(
        acting_user=acting_user,
        action=action,
        object_type="partnership_escalation",
        object_ids=[escalation.pk],
        individual_ids=[escalation.individual_id] if escalation.individual_id else [],
        fields=fields,
        clock=clock,
    )


def raise_escalation(
    *,
    acting_user: Any,
    owner_agency: str | None,
    reason: str | None,
    task_id: int | None = None,
    finding_id: int | None = None,
    refusal_id: int | None = None,
    meeting_action_task_id: int | None = None,
    clock: Clock = system_clock,
    policy: Policy | None = None,
) -> PartnershipEscalation:
    """Raises an escalation to `owner_agency` (a code) at level 1 with the policy's response
    time, from exactly one source; the owner agency's people who answer escalations are
    notified. EscalationRefused (naming the field and what was expected) for bad input; nothing
    is stored then. The caller has checked that `acting_user` may see the source."""
    policy = policy or current_policy()
    raiser = agency_of(acting_user)
    if not raiser:
        raise EscalationRefused("raised_by", "expected a user with an agency")
    agency = _owner_agency(owner_agency, raiser)
    text = _check_text("reason", reason, REASON_MIN_CHARACTERS, "what you are asking the agency to do, and why")
    flagged = policy.check_language(text)
    if flagged:
        raise EscalationRefused("reason", "expected wording that does not blame the child: " + flagged[0].message())
    source = _source(task_id, finding_id, refusal_id, meeting_action_task_id)
    now = clock.now()
    with transaction.atomic():
        escalation = PartnershipEscalation.objects.create(
            raised_from=source.raised_from,
            task=source.task,
            finding=source.finding or (source.task.finding if source.task else None),
            refusal=source.refusal,
            individual_id=source.individual_id,
            owner_agency=agency,
            raised_by=acting_user,
            raised_by_agency=profile_of(acting_user).agency,  # type: ignore[union-attr]
            raised_at=now,
            reason=text,
            level=1,
            response_due=response_due(1, now, policy),
        )
        EscalationEvent.objects.create(
            escalation=escalation,
            at=now,
            action=EscalationEvent.Action.RAISED,
            actor=acting_user,
            level=1,
            note=f"raised by {raiser} to {agency.code} ({level_name(1, policy)} level)",
        )
        _audit(escalation, acting_user, Action.CHANGE, ["escalation", "reason", "owner_agency"], clock)
        notifications.escalation_to_agency(escalation, clock=clock)
    return escalation


def may_answer(escalation: PartnershipEscalation, user: Any) -> bool:
    """Whether `user` may answer: a person of the owner agency whose role answers escalations."""
    return agency_of(user) == escalation.owner_agency.code and has_permission(user, "escalate")


def answer_escalation(
    escalation_id: int, *, acting_user: Any, outcome: str | None, answer: str | None, clock: Clock = system_clock
) -> PartnershipEscalation:
    """Records the owner agency's answer (an outcome and what it will do, or why not); the
    person who raised it is notified. EscalationRefused for bad input, NotYourEscalation when
    `acting_user` is not of the owner agency, IllegalMove when it was already answered."""
    if outcome not in PartnershipEscalation.Outcome.values:
        choices = ", ".join(PartnershipEscalation.Outcome.values)
        raise EscalationRefused("outcome", f"expected one of {choices}")
    text = _check_text("answer", answer, ANSWER_MIN_CHARACTERS, "what your agency will do, or why not")
    now = clock.now()
    with transaction.atomic():
        escalation = (
            PartnershipEscalation.objects.select_for_update().select_related("owner_agency").get(pk=escalation_id)
        )
        if not may_answer(escalation, acting_user):
            raise NotYourEscalation(
                f"escalation {escalation.pk} is for {escalation.owner_agency.code} to answer; "
                "expected a person of that agency whose role answers escalations"
            )
        escalation.answer_with(by=acting_user, outcome=outcome, answer=text, at=now)
        escalation.save(update_fields=["status", "outcome", "answer", "answered_by", "answered_at"])
        EscalationEvent.objects.create(
            escalation=escalation,
            at=now,
            action=EscalationEvent.Action.ANSWERED,
            actor=acting_user,
            level=escalation.level,
            note=f"answered by {escalation.owner_agency.code}: {outcome}",
        )
        _audit(escalation, acting_user, Action.DECISION, ["answer", "outcome", "status"], clock)
        notifications.escalation_answered(escalation, clock=clock)
    return escalation


@dataclass(frozen=True)
class EscalationStep:
    """One overdue escalation moved by the sweep (to_level None: already at the top)."""

    escalation_id: int
    from_level: int
    to_level: int | None


def sweep_escalations(*, clock: Clock = system_clock, policy: Policy | None = None) -> list[EscalationStep]:
    """Raises every open escalation whose response is overdue one level, with the next level's
    response time; one overdue at the top is marked exhausted once. Each row is claimed with a
    conditional update (`claim_step`), so two workers sweeping at once never move the same
    escalation twice. Returns what moved."""
    policy = policy or current_policy()
    now = clock.now()
    overdue = _overdue(now).order_by("response_due", "pk").values_list("pk", "level")
    steps = [step for pk, level in overdue if (step := claim_step(pk, level, clock=clock, policy=policy))]
    if steps:
        log.info("work: %d partnership escalation(s) overdue moved up", len(steps))
    return steps


def _overdue(now: dt.datetime) -> QuerySet[PartnershipEscalation]:
    return PartnershipEscalation.objects.filter(
        status=PartnershipEscalation.Status.OPEN, response_due__lt=now, exhausted=False
    )


def claim_step(pk: int, level: int, *, clock: Clock, policy: Policy) -> EscalationStep | None:
    """Moves escalation `pk`, read at `level`, one level up (or marks it exhausted at the top)
    if it is still open, still at that level and still overdue: one conditional UPDATE, so of
    two workers that read the same row only the first moves it (the other gets None)."""
    now = clock.now()
    top = policy.document.partnership_escalation.top
    with transaction.atomic():
        claim = _overdue(now).filter(pk=pk, level=level)
        if level >= top:
            if not claim.update(exhausted=True, escalated_at=now):
                return None
            action, to_level, note = EscalationEvent.Action.EXHAUSTED, None, "no answer at the top level"
        else:
            to_level = level + 1
            if not claim.update(level=to_level, response_due=response_due(to_level, now, policy), escalated_at=now):
                return None
            action = EscalationEvent.Action.ESCALATED
            note = f"no answer in time: {level_name(level, policy)} to {level_name(to_level, policy)} level"
        EscalationEvent.objects.create(escalation_id=pk, at=now, action=action, level=to_level or level, note=note)
        escalation = PartnershipEscalation.objects.select_related("owner_agency").get(pk=pk)
        _audit(escalation, None, Action.CHANGE, ["level"], clock)
        if to_level is not None:
            notifications.escalation_to_agency(escalation, clock=clock)
    return EscalationStep(pk, level, to_level)
