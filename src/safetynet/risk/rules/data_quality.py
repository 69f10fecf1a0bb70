"""Data quality (Q1, Q2): ethnicity recorded, the voice of the child."""

from __future__ import annotations

import datetime as dt

from safetynet.risk.picture import EventRec, Picture
from safetynet.risk.policy import Policy
from safetynet.risk.rules.base import (
    FindingDraft,
    child_words,
    draft,
    guarded,
    present,
    rule,
)


@rule("Q1")
def q1(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """A child with no ethnicity on any record."""
    if not picture.is_child or not picture.own:
        return []
    if any(picture.person(p).has_ethnicity for p in picture.own):  # type: ignore[union-attr]
        return []
    return [
        draft(
            policy,
            "Q1",
            f"No ethnicity is recorded for {child_words(picture)} on any of {len(picture.own)} linked record(s).",
            picture.refs,
        )
    ]


@rule("Q2")
def q2(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Children present at an incident (other than domestic abuse, see D4) with no voice of the child."""

    def check(item: tuple[EventRec, str]) -> list[FindingDraft]:
        incident, role = item
        if incident.details.get("domestic_abuse") or not present(incident, role):
            return []
        contact = incident.details.get("child_contact") or {}
        if contact.get("voice_of_child"):
            return []
        return [
            draft(
                policy,
                "Q2",
                f"Incident with {child_words(picture, incident.occurred_at)} present: "
                "the voice of the child is not recorded.",
                [incident.ref],
                key=incident.ref,
            )
        ]

    return guarded(policy, "Q2", picture.events("incident") if picture.is_child else [], check)
