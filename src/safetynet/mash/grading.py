"""What the policy asks of a referral's triage, read the way the engine reads it (risk.rules.mash):
the clock of each grade (H1), the cumulative count of referrals and domestic-abuse incidents in
the window and the minimum grade it asks (H3; a referral about online sexual abuse is at least
amber), the police systems that hold history the triage must research (H2), and whether a
referral meets the MARAC criteria (a DASH score of 14 or more, or a repeat within 12 months)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from safetynet.identity.models import Membership
from safetynet.records.models import Event
from safetynet.risk.policy import Policy, current_policy
from safetynet.risk.rules.mash import amber_by_concern

GRADES = {"red": "Red", "amber": "Amber", "green": "Green", "blue": "Blue (record only)"}
GRADE_ORDER = ("blue", "green", "amber", "red")
GRADE_TAG = {
    "red": "govuk-tag--red",
    "amber": "govuk-tag--orange",
    "green": "govuk-tag--green",
    "blue": "govuk-tag--blue",
}
SYSTEMS = {
    "police_systems": "Local police systems",
    "national": "Police National Database",
    "local_authority": "Local authority (children's social care)",
    "health": "Health",
    "education": "Education",
}
CONCERNS = {
    "neglect": "Neglect",
    "physical": "Physical abuse",
    "sexual": "Sexual abuse",
    "emotional": "Emotional abuse",
    "domestic_abuse": "Domestic abuse",
    "exploitation": "Exploitation",
    "online": "Online harm",
    "missing": "Missing",
    "mental_health": "Mental health",
    "other": "Other",
}
DASH_QUESTIONS = 27
CHILD_AGE = 18
DASH_MARAC_AT = 14
MARAC_REPEAT_DAYS = 365


def clock_of(grade: str, policy: Policy | None = None) -> dt.timedelta | None:
    """How long triage may take at `grade` (H1); an untriaged referral runs on the red clock.
    None for blue (record only)."""
    if grade == "blue":
        return None
    return (policy or current_policy()).clause("H1").hours(grade if grade in GRADES else "red")


def records_of(individual_id: int) -> list[int]:
    return list(Membership.objects.filter(individual_id=individual_id).values_list("person_id", flat=True))


def counted_before(
    individual_id: int, received: dt.datetime, *, exclude: int | None = None, policy: Policy | None = None
) -> list[Event]:
    """The referrals and domestic-abuse incidents about the child in H3's window up to
    `received` (the referral itself included when it is stored), oldest first."""
    window = (policy or current_policy()).clause("H3").days("window_days")
    found = (
        Event.live.filter(participations__person_id__in=records_of(individual_id))
        .filter(Q(event_type="referral") | Q(event_type="incident", details__domestic_abuse=True))
        .filter(occurred_at__gte=received - window, occurred_at__lte=received)
        .distinct()
        .order_by("occurred_at", "pk")
    )
    return [e for e in found if e.pk != exclude]


@dataclass(frozen=True)
class Minimum:
    """The grade the policy asks at least (None: any grade), the count behind it and why."""

    count: int
    grade: str | None
    why: str


def minimum_grade(
    individual_id: int, received: dt.datetime, concerns: list[str], *, policy: Policy | None = None
) -> Minimum:
    """H3's minimum for this referral: at least amber from the `amber_at`th referral or
    domestic-abuse incident in the window, red from the `red_at`th; online sexual abuse amber."""
    spec = (policy or current_policy()).clause("H3")
    count = len(counted_before(individual_id, received, policy=policy))
    days = spec.days("window_days").days
    if count >= spec.number("red_at"):
        return Minimum(count, "red", f"{count} referrals or domestic abuse incidents in {days} days")
    if count >= spec.number("amber_at"):
        return Minimum(count, "amber", f"{count} referrals or domestic abuse incidents in {days} days")
    if amber_by_concern(concerns, spec.words("amber_concerns")):
        return Minimum(count, "amber", "a referral about " + " ".join(spec.words("amber_concerns")) + " abuse")
    return Minimum(count, None, "")


def below(grade: str, minimum: str | None) -> bool:
    return minimum is not None and GRADE_ORDER.index(grade) < GRADE_ORDER.index(minimum)


def police_history(individual_id: int, received: dt.datetime, *, policy: Policy | None = None) -> int:
    """How many earlier records about the child police systems hold (H2's `police_sources`)."""
    police = (policy or current_policy()).clause("H2").words("police_sources")
    return (
        Event.live.filter(
            participations__person_id__in=records_of(individual_id), source__in=police, occurred_at__lt=received
        )
        .distinct()
        .count()
    )


def dash_score(answers: dict[str, bool]) -> int:
    return sum(1 for v in answers.values() if v is True)


def marac_criteria(
    individual_id: int, received: dt.datetime, dash: int | None, *, exclude: set[int] | None = None
) -> list[str]:
    """Why the case goes to MARAC: a DASH score of 14 or more, or domestic abuse (an incident or
    a referral about it) within 12 months before this one (`exclude`: this referral and the
    record it was raised from)."""
    out = []
    if dash is not None and dash >= DASH_MARAC_AT:
        out.append(f"DASH score {dash} ({DASH_MARAC_AT} or more)")
    earlier = (
        Event.live.filter(
            participations__person_id__in=records_of(individual_id), event_type__in=("incident", "referral")
        )
        .filter(occurred_at__gte=received - dt.timedelta(days=MARAC_REPEAT_DAYS), occurred_at__lt=received)
        .exclude(pk__in=exclude or set())
        .distinct()
    )
    if any(_domestic_abuse(e) for e in earlier):
        out.append("repeat domestic abuse within 12 months")
    return out


def _domestic_abuse(event: Event) -> bool:
    d = event.details or {}
    if event.event_type == "incident":
        return d.get("domestic_abuse") is True
    concern = d.get("concern")
    return isinstance(concern, list) and "domestic_abuse" in concern
