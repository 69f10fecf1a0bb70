"""Offender management (S1): a registered sex offender linked to the child."""

from __future__ import annotations

import datetime as dt

from safetynet.risk.picture import MarkerRec, Picture
from safetynet.risk.policy import Policy
from safetynet.risk.rules.base import (
    FindingDraft,
    child_words,
    draft,
    rule,
)


@rule("S1")
def s1(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """A registered sex offender linked to the child's home or to an incident with the child."""
    if not picture.is_child:
        return []
    found: dict[int, tuple[MarkerRec, str]] = {}
    for home in picture.homes:
        for p in picture.residents_of(home):
            adult = picture.individual_of(p)
            if adult is None or adult == picture.individual_id:
                continue
            for marker in picture.markers(adult, "registered_sex_offender"):
                if home in picture.homes_of(adult):
                    found.setdefault(marker.pk, (marker, "lives at the child's address"))
    for event, _ in picture.events("incident", "crime"):
        for p, _ in picture.others_in(event):
            for marker in picture.markers(picture.individual_of(p), "registered_sex_offender"):
                found.setdefault(marker.pk, (marker, "is linked to an incident involving the child"))
    out = []
    for _, (marker, how) in sorted(found.items()):
        out.append(
            draft(
                policy,
                "S1",
                f"A registered sex offender {how} ({child_words(picture)}); the public protection unit must be "
                "alerted and responders shown the flag.",
                [marker.ref],
                key=marker.ref,
            )
        )
    return out
