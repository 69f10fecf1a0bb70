"""The MASH workspace's workflows: raise a referral about a child (from an incident or on its
own, with the ARTHUR prompt, ethnicity, body-worn video and for domestic abuse the DASH
checklist), triage it (grade, a research record per system, the policy's minimum grade), decide
(a strategy discussion, forward, or no further action) and tell the referring officer.

Capture is a source: a referral is an interchange `event` of type `referral` that the product
writes (`source = "safetynet"`); every change is a new version sent through the capture service
(door `web`), so validation, versions, the access log, linkage, risk (H1-H3 read the referral)
and task sync are the one path every door takes. H1 closes when the triage is recorded, H2 when
police systems are among the systems researched, H3 when the grade meets the minimum.

Every function takes a keyword-only `acting_user` and an injected clock, and refuses bad input
with `ReferralRefused(field, expected)` before anything is stored."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from safetynet.access.profiles import has_permission
from safetynet.identity.models import Membership
from safetynet.interchange.written import CaptureRejected, next_version, write, written_event
from safetynet.lib.clock import Clock, system_clock
from safetynet.mash import grading
from safetynet.meetings import services as meetings
from safetynet.meetings.services import actor, person_ref
from safetynet.records.models import Event
from safetynet.risk.policy import current_policy

SOURCE = "safetynet"
TEXT_MAX = 4000
RATIONALE_MIN_CHARACTERS = 20
DECISIONS = {
    "strategy_discussion": "Strategy discussion",
    "forward": "Forward to the allocated worker or early help",
    "no_further_action": "No further action",
}
FORWARD_TO = {"allocated_worker": "The allocated social worker", "early_help": "Early help"}


class ReferralRefused(Exception):
    """Bad input for a referral: `field` names the input, `expected` what was expected."""

    def __init__(self, field: str, expected: str) -> None:
        super().__init__(f"{field}: {expected}")
        self.field = field
        self.expected = expected


class NotYourReferral(Exception):
    """`acting_user` may not make this change (the message names the permission)."""


def _text(field: str, value: Any, what: str, minimum: int = 1, *, required: bool = True) -> str:
    text = str(value or "").strip()
    if not text and not required:
        return ""
    if not text:
        raise ReferralRefused(field, f"expected {what}")
    if len(text) < minimum:
        raise ReferralRefused(field, f"expected at least {minimum} characters: {what}")
    if len(text) > TEXT_MAX:
        raise ReferralRefused(field, f"expected {TEXT_MAX:,} characters or fewer")
    if "\x00" in text:
        raise ReferralRefused(field, "expected text without null characters")
    return text


def checked_rationale(field: str, value: Any, what: str) -> str:
    """A rationale of RATIONALE_MIN_CHARACTERS or more without language the policy flags
    (`Policy.language_spans`): refused naming each phrase and what to write instead."""
    text = _text(field, value, what, RATIONALE_MIN_CHARACTERS)
    spans = current_policy().language_spans(text)
    if spans:
        words = "; ".join(f"{m.matched!r}: {m.reason} Write instead: {m.suggestion}" for _, _, m in spans)
        raise ReferralRefused(field, f"expected wording that does not blame the child ({words})")
    return text


def _require(user: Any, permission: str, what: str) -> None:
    if user is not None and not has_permission(user, permission):
        raise NotYourReferral(f"expected a role with the {permission} permission to {what}")


def referral_of(pk: int) -> Event:
    """The referral written in safetynet with this id (ReferralRefused if there is none)."""
    found = written_event(pk, "referral")
    if found is None:
        raise ReferralRefused("referral", f"expected the id of a referral recorded in safetynet, not {pk}")
    return found


def child_of(referral: Event) -> int:
    """The individual the referral is about (its subject)."""
    person = referral.participations.filter(role="subject").values_list("person_id", flat=True).first()
    individual = (
        Membership.objects.filter(person_id=person).values_list("individual_id", flat=True).first() if person else None
    )
    if individual is None:
        raise ReferralRefused("child", "expected a referral about a known child")
    return int(individual)


def _store(record: dict[str, Any], *, acting_user: Any, clock: Clock, reason: str = "") -> Event:
    try:
        return write([record], acting_user=acting_user, clock=clock, reason=reason, label="referral")
    except CaptureRejected as rejected:
        raise ReferralRefused(rejected.field or "referral", rejected.reason) from rejected


def _record_of(referral: Event, clock: Clock) -> dict[str, Any]:
    """The referral's current version as a record to change and send as the next version."""
    return next_version(referral, clock)


@dataclass
class NewReferral:
    """What the referring officer records."""

    child: int | None
    concerns: list[str]
    what_happened: str
    arthur: dict[str, Any] = field(default_factory=dict)
    ethnicity: str = ""
    bwv_reference: str = ""
    dash_answers: dict[str, bool] | None = None
    from_event: int | None = None


ARTHUR_TEXTS = ("review_risk", "how_they_appear", "wishes_feelings", "child_words")
ARTHUR_FLAGS = ("children_present", "spoke_to_child")


def _arthur(given: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ARTHUR_FLAGS:
        if given.get(key) is not None:
            if not isinstance(given[key], bool):
                raise ReferralRefused(f"arthur.{key}", "expected yes or no")
            out[key] = given[key]
    for key in ARTHUR_TEXTS:
        text = _text(f"arthur.{key}", given.get(key), "text", required=False)
        if text:
            out[key] = text
    return out


def _dash(answers: dict[str, bool] | None, concerns: list[str]) -> dict[str, Any] | None:
    if answers is None:
        return None
    if "domestic_abuse" not in concerns:
        raise ReferralRefused("dash", "expected the DASH checklist only for a domestic abuse concern")
    clean: dict[str, bool] = {}
    for key, value in answers.items():
        if not str(key).isdigit() or not 1 <= int(key) <= grading.DASH_QUESTIONS or not isinstance(value, bool):
            raise ReferralRefused("dash", f"expected answers to questions 1-{grading.DASH_QUESTIONS}: yes or no")
        clean[str(int(key))] = value
    return {"answers": clean, "score": grading.dash_score(clean)}


def _validated(new: NewReferral) -> dict[str, Any]:
    if not new.child:
        raise ReferralRefused("child", "expected the child the referral is about")
    concerns = list(dict.fromkeys(new.concerns or []))
    if not concerns:
        raise ReferralRefused("concern", "expected at least one concern category")
    unknown = [c for c in concerns if c not in grading.CONCERNS]
    if unknown:
        raise ReferralRefused("concern", f"expected concern categories from: {', '.join(grading.CONCERNS)}")
    details: dict[str, Any] = {
        "concern": concerns,
        "what_happened": _text("what_happened", new.what_happened, "what happened, in the referrer's words", 10),
        "arthur": _arthur(new.arthur or {}),
    }
    ethnicity = _text("ethnicity", new.ethnicity, "", required=False)
    if ethnicity:
        details["ethnicity_self_defined"] = ethnicity
    bwv = _text("bwv_reference", new.bwv_reference, "", required=False)
    if len(bwv) > 80:
        raise ReferralRefused("bwv_reference", "expected a body-worn video reference of 80 characters or fewer")
    if bwv:
        details["bwv_reference"] = bwv
    dash = _dash(new.dash_answers, concerns)
    if dash is not None:
        details["dash"] = dash
    return details


def raise_referral(new: NewReferral, *, acting_user: Any, clock: Clock = system_clock) -> Event:
    """Records a referral about a child, received now; a DASH score of 14 or more or a repeat
    within 12 months puts the child on the next scheduled MARAC's agenda (`to_marac`)."""
    _require(acting_user, "raise_referral", "raise a referral")
    details = _validated(new)
    child = person_ref(int(new.child))  # type: ignore[arg-type]
    now = clock.now()
    referrer = actor(acting_user) if acting_user is not None else {"name": "safetynet"}
    details.update(referrer=referrer, received_at=now.isoformat())
    record: dict[str, Any] = {
        "kind": "event",
        "source": SOURCE,
        "id": f"referral-{uuid.uuid4().hex}",
        "event_type": "referral",
        "occurred_at": now.isoformat(),
        "summary": "Referral to the MASH: " + ", ".join(grading.CONCERNS[c].lower() for c in details["concern"]) + ".",
        "recorded_by": referrer,
        "participants": [{"person": child, "role": "subject"}],
        "details": details,
    }
    exclude: set[int] = set()
    if new.from_event is not None:
        origin = Event.live.filter(pk=new.from_event).first()
        if origin is None:
            raise ReferralRefused("from_event", f"expected the id of a record, not {new.from_event}")
        record["linked_events"] = [{"source": origin.source, "id": origin.source_id}]
        exclude.add(origin.pk)
    with transaction.atomic():
        stored = _store(record, acting_user=acting_user, clock=clock)
        score = (details.get("dash") or {}).get("score")
        criteria = grading.marac_criteria(int(new.child), now, score, exclude={*exclude, stored.pk})  # type: ignore[arg-type]
        if criteria:
            stored = to_marac(stored, int(new.child), criteria, clock=clock)  # type: ignore[arg-type]
    return stored


def next_marac(now: dt.datetime) -> Event | None:
    """The next scheduled MARAC (now or later), if one is scheduled."""
    return (
        Event.live.filter(event_type="meeting", source=SOURCE, details__meeting_type="marac", occurred_at__gte=now)
        .filter(details__status="scheduled")
        .order_by("occurred_at", "pk")
        .first()
    )


def to_marac(referral: Event, child: int, criteria: list[str], *, clock: Clock = system_clock) -> Event:
    """Records why the case meets the MARAC criteria and puts the child on the next scheduled
    MARAC's agenda (the chair sees who added them and why). With no MARAC scheduled the referral
    keeps its criteria: the MASH inbox and the triage page show "MARAC: none scheduled" and the
    MARAC coordinator schedules one (docs/mash.md)."""
    record = _record_of(referral, clock)
    record["details"]["marac_criteria"] = criteria
    meeting = next_marac(clock.now())
    if meeting is not None:
        listed = [i.get("person") for i in (meeting.details or {}).get("agenda") or [] if not i.get("removed_reason")]
        if person_ref(child) not in listed:
            entry = meetings.AgendaEntry(child, "MASH referral: " + "; ".join(criteria), "", "child")
            meetings.add_to_agenda(meeting.pk, entry, acting_user=None, clock=clock)
        record["details"]["marac"] = {"source": meeting.source, "id": meeting.source_id}
    return _store(record, acting_user=None, clock=clock, reason="MARAC criteria met: " + "; ".join(criteria))
