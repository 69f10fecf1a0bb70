"""Plain labels for coded values, in sentence case as GOV.UK style asks ("Missing report",
"CSE risk"), keeping acronyms in capitals."""

from __future__ import annotations

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
