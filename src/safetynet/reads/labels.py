"""Plain labels for coded values, in sentence case as GOV.UK style asks ("Missing report",
"CSE risk"), keeping acronyms in capitals."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

ACRONYMS = {
    "cse",
    "cce",
    "mappa",
    "cawn",
    "dvpo",
    "thrive",
    "pnc",
    "nhs",
    "upn",
    "csc",
    "marac",
    "mace",
    "mash",
    "id",
    "rms",
}


def label(code: object) -> str:
    """ "missing_report" -> "Missing report", "cse_risk" -> "CSE risk"; "" for empty values."""
    text = str(code or "").replace("_", " ").strip()
    if not text:
        return ""
    words = [w.upper() if w.lower() in ACRONYMS else w.lower() for w in text.split()]
    first = words[0]
    words[0] = first if first.isupper() else first[:1].upper() + first[1:]
    return " ".join(words)


# GOV.UK tag colours by severity, the same on every screen that shows a finding or a task.
SEVERITY_TAG_COLOUR = {"critical": "red", "high": "orange", "medium": "yellow", "low": "grey"}


def severity_colour(severity: str) -> str:
    """The GOV.UK tag colour for a severity (grey for one the policy does not name)."""
    return SEVERITY_TAG_COLOUR.get(severity, "grey")


def uk_datetime(value: dt.datetime | None) -> str:
    """A moment in the GOV.UK style, in UK time: "5 December 2026 at 14:20"; "" for None."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def uk_date(value: dt.date | dt.datetime | None) -> str:
    """A date in the GOV.UK style: "5 December 2026"; "" for None."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.day} {value:%B %Y}"
