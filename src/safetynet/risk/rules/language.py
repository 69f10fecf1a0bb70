"""The language check (LANG): language that blames the child, in any record about them."""

from __future__ import annotations

import datetime as dt

from safetynet.risk.picture import EventRec, Picture
from safetynet.risk.policy import Policy
from safetynet.risk.rules.base import (
    FindingDraft,
    a_or_an,
    child_words,
    draft,
    guarded,
    rule,
)


def event_texts(event: EventRec) -> list[str]:
    """The free text of an event a person wrote: summary, risk rationale, review rationales, decisions."""
    d = event.details
    texts = [event.summary, str(d.get("risk_rationale") or "")]
    texts += [str(r.get("rationale") or "") for r in d.get("reviews") or [] if isinstance(r, dict)]
    texts += [str(x) for x in d.get("decisions") or [] if isinstance(x, str)]
    for key in ("rationale", "end_rationale", "text", "findings"):
        if isinstance(d.get(key), str):
            texts.append(d[key])
    return [t for t in texts if t]


@rule("LANG")
def lang(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Language that blames the child, in any record about them."""
    if not picture.is_child:
        return []

    def check(item: tuple[EventRec, str]) -> list[FindingDraft]:
        event, _ = item
        matches = [m for text in event_texts(event) for m in policy.check_language(text, about_child=True)]
        if not matches:
            return []
        first = matches[0]
        return [
            draft(
                policy,
                "LANG",
                f"{a_or_an(event.event_type)} {event.event_type.replace('_', ' ')} record about "
                f"{child_words(picture, event.occurred_at)} says "
                f"'{first.matched}': {first.reason} Suggested: {first.suggestion}",
                [event.ref],
                key=event.ref,
            )
        ]

    return guarded(policy, "LANG", picture.events(), check)
