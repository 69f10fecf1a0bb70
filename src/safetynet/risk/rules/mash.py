"""MASH referrals (H1-H3): triage within the grade's time, research across police systems,
the grade repeated referrals need."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from safetynet.lib.school_days import BANK_HOLIDAYS
from safetynet.risk.picture import EventRec, Picture
from safetynet.risk.policy import Policy
from safetynet.risk.rules.base import (
    FindingDraft,
    a_or_an,
    child_words,
    draft,
    event_time,
    guarded,
    hours,
    ordinal,
    rule,
    ts,
)

GRADE_ORDER = ("blue", "green", "amber", "red")


def _received(referral: EventRec) -> dt.datetime:
    return ts(referral.details.get("received_at")) or event_time(referral)


def mash_open(policy: Policy, at: dt.datetime) -> bool:
    """Whether the MASH is open at `at`: H1's `mash_open_days` and hours in the force's local
    time, never on a bank holiday (the policy's `school_calendar.bank_holidays`)."""
    spec = policy.clause("H1")
    local = at.astimezone(ZoneInfo(settings.TIME_ZONE))
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[local.weekday()]
    hour = local.hour + local.minute / 60
    if local.date() in BANK_HOLIDAYS[policy.document.school_calendar.bank_holidays]:
        return False
    return day in spec.words("mash_open_days") and spec.number("mash_opens_hour") <= hour < spec.number(
        "mash_closes_hour"
    )


def amber_by_concern(concerns: object, amber_concerns: tuple[str, ...]) -> bool:
    """Whether a referral's concerns include every one of H3's `amber_concerns` (by default online
    and sexual: a referral about online sexual abuse is at least amber whatever the count)."""
    given = {str(c).lower() for c in concerns} if isinstance(concerns, list) else set()
    return bool(amber_concerns) and set(amber_concerns) <= given


def _triage(referral: EventRec) -> dict[str, object]:
    triage = referral.details.get("triage")
    return triage if isinstance(triage, dict) else {}


@rule("H1")
def h1(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Triage within the grade's time: red 4 h, amber 24 h, green 48 h, blue record only."""
    spec = policy.clause("H1")

    def check(item: tuple[EventRec, str]) -> list[FindingDraft]:
        referral, _ = item
        received = _received(referral)
        if received > as_of:
            return []
        triage = _triage(referral)
        grade = str(triage.get("grade") or "")
        at = ts(triage.get("at"))
        if grade == "blue":
            return []
        if at is None or at > as_of:
            due = received + spec.hours("red")
            why = f"is not triaged {hours(as_of - received)} after it was received" if as_of > due else "awaits triage"
            closed = not mash_open(policy, received)
            return [
                draft(
                    policy,
                    "H1",
                    f"A MASH referral about {child_words(picture, received)} {why} "
                    f"(red referrals: {hours(spec.hours('red'))})"
                    + (
                        "; received when the MASH was closed: the out-of-hours duty inspector triages it."
                        if closed
                        else "."
                    ),
                    [referral.ref],
                    key=referral.ref,
                    due_by=due,
                    owner_role=spec.words("out_of_hours_owner")[0] if closed else None,
                )
            ]
        if grade not in ("red", "amber", "green"):
            return []
        limit = spec.hours(grade)
        if at - received <= limit:
            return []
        return [
            draft(
                policy,
                "H1",
                f"{a_or_an(grade)} {grade} MASH referral about {child_words(picture, received)} "
                f"was triaged {hours(at - received)} "
                f"after it was received (limit {hours(limit)}).",
                [referral.ref],
                key=referral.ref,
            )
        ]

    return guarded(policy, "H1", picture.events("referral") if picture.is_child else [], check)


@rule("H2")
def h2(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Triage that researched only the local authority system although police systems hold history."""
    police = set(policy.clause("H2").words("police_sources"))

    def check(item: tuple[EventRec, str]) -> list[FindingDraft]:
        referral, _ = item
        triage = _triage(referral)
        research = triage.get("research")
        systems = (
            {research} if isinstance(research, str) else set(research or []) if isinstance(research, list) else set()
        )
        if not systems or systems - {"local_authority"}:
            return []
        received = _received(referral)
        history = [
            e for e, _ in picture.events() if e.source in police and e.pk != referral.pk and event_time(e) < received
        ]
        if not history:
            return []
        return [
            draft(
                policy,
                "H2",
                f"A MASH referral about {child_words(picture, received)} was triaged on the local authority system "
                f"alone although police systems held {len(history)} earlier record(s) about the child.",
                [referral.ref, *(e.ref for e in history[-5:])],
                key=referral.ref,
            )
        ]

    return guarded(policy, "H2", picture.events("referral") if picture.is_child else [], check)


@rule("H3")
def h3(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """>= 3 referrals or domestic-abuse incidents in 12 months: at least amber; >= 5: red; a
    referral about online sexual abuse (`amber_concerns`) at least amber whatever the count."""
    spec = policy.clause("H3")
    window = spec.days("window_days")
    counted = [
        e
        for e, _ in picture.events("referral", "incident")
        if e.event_type == "referral" or e.details.get("domestic_abuse")
    ]

    def check(item: tuple[EventRec, str]) -> list[FindingDraft]:
        referral, _ = item
        received = _received(referral)
        grade = str(_triage(referral).get("grade") or "")
        if received > as_of or grade not in GRADE_ORDER:
            return []
        before = [e for e in counted if received - window <= event_time(e) <= received]
        need = (
            "red"
            if len(before) >= spec.number("red_at")
            else "amber"
            if len(before) >= spec.number("amber_at")
            else None
        )
        if need is not None:
            if GRADE_ORDER.index(grade) >= GRADE_ORDER.index(need):
                return []
            return [
                draft(
                    policy,
                    "H3",
                    f"A referral about {child_words(picture, received)} was triaged {grade} although it is the "
                    f"{ordinal(len(before))} referral or domestic abuse incident in {window.days} days "
                    f"(policy: at least {need}"
                    f"{'' if need == 'red' else ', strategy discussion considered'}).",
                    [referral.ref, *(e.ref for e in before if e.pk != referral.pk)],
                    key=referral.ref,
                )
            ]
        if not amber_by_concern(referral.details.get("concern"), spec.words("amber_concerns")):
            return []
        if GRADE_ORDER.index(grade) >= GRADE_ORDER.index("amber"):
            return []
        return [
            draft(
                policy,
                "H3",
                f"A referral about {child_words(picture, received)} was triaged {grade} although its concerns "
                f"({', '.join(spec.words('amber_concerns'))}) ask at least amber whatever the count.",
                [referral.ref],
                key=referral.ref,
            )
        ]

    return guarded(policy, "H3", picture.events("referral") if picture.is_child else [], check)
