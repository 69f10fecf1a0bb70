"""The rules: one small pure function per policy clause, registered in `base.RULES`."""

from __future__ import annotations

from safetynet.risk.rules import (  # noqa: F401  (registers the rules)
    custody,
    data_quality,
    domestic_abuse,
    exploitation,
    language,
    mash,
    meetings,
    missing,
    offenders,
    online,
    protection,
)
from safetynet.risk.rules.base import RULES, FindingDraft, run_rules

__all__ = ["RULES", "FindingDraft", "run_rules"]
