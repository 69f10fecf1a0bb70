"""Triage and decision on a MASH referral, and the feedback to the referring officer.

Triage records the grade, a research record per system (what was checked, by whom, when and
what it found) and the minimum grade the policy asked; grading below that minimum needs a
rationale the language check accepts. The decision calls a strategy discussion (scheduled
through the meetings workspace, its trigger the referral), forwards the case, or takes no
further action with a language-checked rationale; the referring officer is then told in the app
and by email. Each step is one new version of the referral, or nothing is saved."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from safetynet.lib.clock import Clock, system_clock
from safetynet.mash import grading, transfers
from safetynet.mash.services import (
    DECISIONS,
    FORWARD_TO,
    ReferralRefused,
    _record_of,
    _require,
    _store,
    _text,
    checked_rationale,
    child_of,
    referral_of,
)
from safetynet.meetings import agendas
from safetynet.meetings import services as meetings
from safetynet.meetings.services import actor
from safetynet.records.models import Event
from safetynet.work import notifications
from safetynet.work.models import Notification


@dataclass(frozen=True)
class Research:
    """One system researched: which, and what it found ("Nothing held" when nothing)."""

    system: str
    found: str


def _research(entries: list[Research], by: dict[str, str], at: dt.datetime) -> list[dict[str, Any]]:
    if not entries:
        raise ReferralRefused("research", "expected at least one system researched, with what it found")
    out, seen = [], set()
    for entry in entries:
        if entry.system not in grading.SYSTEMS:
            raise ReferralRefused("research", f"expected systems from: {', '.join(grading.SYSTEMS)}")
        if entry.system in seen:
            raise ReferralRefused("research", "expected each system once")
        seen.add(entry.system)
        found = _text(f"research.{entry.system}", entry.found, "what the system held (or 'Nothing held')")
        out.append({"system": entry.system, "checked_by": by, "checked_at": at.isoformat(), "found": found})
    return out


def triage(
    referral_id: int,
    *,
    grade: str,
    research: list[Research],
    rationale: str = "",
    acting_user: Any,
    clock: Clock = system_clock,
) -> Event:
    """Grades the referral with its research; below the policy's minimum only with a rationale."""
    _require(acting_user, "triage_referrals", "triage a referral")
    if grade not in grading.GRADES:
        raise ReferralRefused("grade", f"expected a grade on the scale: {', '.join(grading.GRADES)}")
    referral = referral_of(referral_id)
    record = _record_of(referral, clock)
    details = record["details"]
    if isinstance(details.get("triage"), dict) and details["triage"].get("at"):
        raise ReferralRefused("referral", "expected a referral awaiting triage: this one is triaged")
    now = clock.now()
    by = actor(acting_user) if acting_user is not None else {"name": "safetynet"}
    records = _research(research, by, now)
    received = referral.occurred_at or now
    minimum = grading.minimum_grade(child_of(referral), received, list(details.get("concern") or []))
    out: dict[str, Any] = {
        "grade": grade,
        "at": now.isoformat(),
        "by": by,
        "research": [r["system"] for r in records],
        "research_records": records,
    }
    if minimum.grade:
        out["minimum_grade"] = minimum.grade
    if grading.below(grade, minimum.grade):
        if not str(rationale or "").strip():
            raise ReferralRefused(
                "rationale",
                f"expected a rationale: the policy asks at least {minimum.grade} ({minimum.why})",
            )
        out["rationale"] = checked_rationale("rationale", rationale, "why a grade below the policy's minimum")
    details["triage"] = out
    return _store(record, acting_user=acting_user, clock=clock, reason=f"triaged {grade}")


def _strategy_discussion(referral: Event, at: dt.datetime | None, acting_user: Any, clock: Clock) -> Event:
    when = at or clock.now() + dt.timedelta(hours=1)
    child = child_of(referral)
    return meetings.schedule(
        acting_user=acting_user,
        meeting_type="strategy_discussion",
        at=when,
        agenda=agendas.strategy_discussion(child, clock.now()),
        trigger_event_id=referral.pk,
        clock=clock,
    )


def decide(
    referral_id: int,
    *,
    decision: str,
    rationale: str = "",
    forward_to: str = "",
    strategy_at: dt.datetime | None = None,
    acting_user: Any,
    clock: Clock = system_clock,
) -> tuple[Event, Event | None]:
    """Records the decision on a triaged referral, calls the strategy discussion it asks for,
    and tells the referring officer; returns the referral and the meeting (if one)."""
    _require(acting_user, "triage_referrals", "decide on a referral")
    if decision not in DECISIONS:
        raise ReferralRefused("decision", f"expected one of {', '.join(DECISIONS)}")
    if decision == "forward" and forward_to not in FORWARD_TO:
        raise ReferralRefused("forward_to", f"expected who it goes to: {', '.join(FORWARD_TO)}")
    why = (
        checked_rationale("decision_rationale", rationale, "why no further action")
        if decision == "no_further_action"
        else _text("decision_rationale", rationale, "", required=False)
    )
    referral = referral_of(referral_id)
    record = _record_of(referral, clock)
    found = record["details"].get("triage")
    if not isinstance(found, dict) or not found.get("at"):
        raise ReferralRefused("referral", "expected a triaged referral: grade it first")
    if found.get("decision"):
        raise ReferralRefused("referral", "expected a referral awaiting its decision: this one is decided")
    now = clock.now()
    by = actor(acting_user) if acting_user is not None else {"name": "safetynet"}
    with transaction.atomic():
        meeting = (
            _strategy_discussion(referral, strategy_at, acting_user, clock)
            if decision == "strategy_discussion"
            else None
        )
        found.update(decision=decision, decided_at=now.isoformat(), decided_by=by)
        if why:
            found["decision_rationale"] = why
        if meeting is not None:
            found["strategy_discussion"] = {"source": meeting.source, "id": meeting.source_id}
        if decision == "forward":
            found["forwarded_to"] = forward_to
            record["details"]["transfer"] = transfers.new_transfer(forward_to, by, now)
        record["details"]["feedback"] = {
            "sent_at": now.isoformat(),
            "to": record["details"].get("referrer") or {},
            "text": feedback_text(found),
        }
        stored = _store(record, acting_user=acting_user, clock=clock, reason=f"decided: {DECISIONS[decision]}")
        tell_referrer(stored, clock=clock)
    return stored, meeting


def feedback_text(found: dict[str, Any]) -> str:
    """What the referring officer is told: the grade and the decision, no personal data."""
    grade = grading.GRADES.get(str(found.get("grade")), "")
    decision = DECISIONS.get(str(found.get("decision")), "")
    extra = f" ({FORWARD_TO[found['forwarded_to']].lower()})" if found.get("forwarded_to") in FORWARD_TO else ""
    return f"Triage complete: graded {grade.lower()}. Decision: {decision.lower()}{extra}."


def tell_referrer(referral: Event, *, clock: Clock = system_clock) -> int:
    """The referring officer's in-app notification and email (immediate or in their digest)."""
    referrer = (referral.details or {}).get("referrer") or {}
    username = referrer.get("username") if isinstance(referrer, dict) else None
    user = get_user_model().objects.filter(username=username, is_active=True).first() if username else None
    if user is None:
        return 0
    return notifications.notify(
        [user.pk],
        kind=Notification.Kind.REFERRAL_FEEDBACK,
        event_key=f"referral:{referral.pk}:feedback",
        link=reverse("web:mash_referral", args=[referral.pk]),
        clock=clock,
    )
