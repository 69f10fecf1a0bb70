"""The language check (LANG): language that blames the child, in any record about them."""

from __future__ import annotations

import datetime as dt
from typing import Any

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


def labelled_texts(summary: str, details: dict[str, Any]) -> list[tuple[str, str]]:
    """The free text of an event a person wrote, each with what it is ("Summary", "Risk
    rationale", "Review rationale", "Decision", ...): the texts the language check reads, for
    the rule and for the pages that mark the phrases it flags."""
    texts = [("Summary", summary or ""), ("Risk rationale", str(details.get("risk_rationale") or ""))]
    reviews = details.get("reviews") or []
    texts += [("Review rationale", str(r.get("rationale") or "")) for r in reviews if isinstance(r, dict)]
    texts += [("Decision", str(x)) for x in details.get("decisions") or [] if isinstance(x, str)]
    for key, title in (
        ("rationale", "Rationale"),
        ("end_rationale", "End rationale"),
        ("text", "Text"),
        ("findings", "Findings"),
    ):
        if isinstance(details.get(key), str):
            texts.append((title, details[key]))
    return [(title, text) for title, text in texts if text]


def event_texts(event: EventRec) -> list[str]:
    """The free text of an event a person wrote: summary, risk rationale, review rationales, decisions."""
    return [text for _title, text in labelled_texts(event.summary, event.details)]


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
