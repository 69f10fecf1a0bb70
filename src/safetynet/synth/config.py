"""Parameters of a synthetic county, checked before any work starts.

A `CountyConfig` is everything that decides the output: the same config (and package
version) always gives byte-identical files. Practice-failure rates are named after what
the inspection found; each says which risk-policy clause it plants (see docs/synth.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from safetynet.synth.errors import SynthConfigError

DEFAULT_CHILDREN = 150_000
SMALL_CHILDREN = 2_000
DEFAULT_YEARS = 3
DEFAULT_SEED = 1
# The shapes records are drawn in (synth/varied.py): the default, and the same failures drawn
# with other field combinations, missing fields and other wording.
PROFILES = ("default", "varied")
# The county's records end here: fixed, so that output never depends on the day it is run.
# It matches the frozen clock the test-suite uses (2026-03-02 09:00 UTC), so "as of now" in
# a test sees the county as it stood the morning after.
DEFAULT_END = dt.datetime(2026, 3, 1, 0, 0, tzinfo=dt.UTC)

# name -> (default, the clause it plants, what it means)
RATES: dict[str, tuple[float, str, str]] = {
    "missing_below_policy": (
        0.35,
        "M1",
        "missing report graded medium/low, rationale citing how often the child goes missing",
    ),
    "missing_late_review": (0.35, "M2", "supervisor review after 1 h / inspector after 2 h, or no officer in charge"),
    "generic_enquiry": (0.3, "M3", "a line of enquiry 'check addresses' with no address or person"),
    "repeat_no_plan": (0.5, "M4", "3+ episodes in 90 days and no trigger plan / Philomena profile"),
    "late_return_interview": (0.4, "M6", "return home interview after 72 h, or none"),
    "found_with_adult_no_referral": (
        0.3,
        "M6",
        "child found with an adult of the exploitation network, no safeguarding referral",
    ),
    "cawn_missing_marker": (0.35, "M7", "CAWN order with no marker on the child or the adult"),
    "victim_blaming": (0.12, "LANG", "victim-blaming wording added to a rationale or summary"),
    "no_voice_of_child": (0.35, "D4/Q2", "children present, no voice of the child (or no body-worn video)"),
    "encompass_missed": (0.25, "D1", "school not told before the next school day (or never)"),
    "marac_child_omitted": (0.5, "D2", "MARAC omits a perpetrator's child living in another household"),
    "no_safety_plan": (0.4, "D3", "suspect released (no further action) to a home with children, no safety plan"),
    "action_no_owner": (0.2, "X3", "meeting action with no owner or due date, or outcome not recorded"),
    "action_overdue": (0.2, "X3", "meeting action past its due date and never marked done"),
    "emerging_unscreened": (0.6, "X1", "child with emerging indicators (older partner, recent missing) never screened"),
    "cse_no_plan": (0.4, "X4", "CSE marker plus child protection plan and no CSE plan"),
    "consent_language": (0.3, "X5", "sexual offence against a child under 16 described as consensual"),
    "request_overdue": (0.4, "X6", "request to another force still open (or answered) after 14 days"),
    "triage_late": (0.15, "H1", "MASH triage after 4/24/48 h for red/amber/green"),
    "triage_la_only": (0.5, "H2", "triage researched only the local authority system despite police history"),
    "cumulative_missed": (0.4, "H3", "3+ referrals or domestic incidents in 12 months, triaged green"),
    "device_late": (0.3, "O1", "devices submitted after 7 days, or no CAID upload"),
    "forensic_late": (0.5, "O2", "forensic results after 30 (priority) / 75 (standard) days"),
    "protection_incomplete": (0.4, "P1", "police protection without designated officer, notification or end rationale"),
    "appropriate_adult_late": (0.3, "C1", "appropriate adult arrives after 2 h"),
    "accommodation_missed": (0.5, "C2", "charged child refused bail, no local authority accommodation requested"),
    "sex_offender_with_child": (0.06, "S1", "registered sex offender moves in with a family with children"),
    "no_ethnicity": (0.06, "Q1", "no ethnicity on any of the child's records"),
}


@dataclass(frozen=True)
class CountyConfig:
    children: int = DEFAULT_CHILDREN
    years: int = DEFAULT_YEARS
    seed: int = DEFAULT_SEED
    end: dt.datetime = DEFAULT_END
    rates: dict[str, float] = field(default_factory=lambda: {name: spec[0] for name, spec in RATES.items()})
    # "default", or "varied": the same failures drawn with other shapes (synth/varied.py)
    profile: str = "default"

    def rate(self, name: str) -> float:
        """Returns the rate for a named practice failure."""
        return self.rates[name]


def make_config(
    *,
    children: int,
    years: int,
    seed: int,
    end: dt.datetime = DEFAULT_END,
    rate_overrides: dict[str, float] | None = None,
    profile: str = "default",
) -> CountyConfig:
    """Returns a checked config; raises SynthConfigError naming the first impossible parameter."""
    if children < 1:
        raise SynthConfigError(f"--children must be at least 1 (got {children}).")
    if children > 2_000_000:
        raise SynthConfigError(f"--children must be at most 2,000,000 (got {children}).")
    if not 1 <= years <= 20:
        raise SynthConfigError(f"--years must be between 1 and 20 (got {years}).")
    if seed < 0:
        raise SynthConfigError(f"--seed must be zero or positive (got {seed}).")
    if profile not in PROFILES:
        raise SynthConfigError(f"--profile must be one of {', '.join(PROFILES)} (got {profile!r}).")
    rates = {name: spec[0] for name, spec in RATES.items()}
    for name, value in (rate_overrides or {}).items():
        if name not in RATES:
            raise SynthConfigError(f"unknown rate {name!r}; known rates: {', '.join(sorted(RATES))}.")
        if not 0.0 <= value <= 1.0:
            raise SynthConfigError(f"rate {name} must be between 0 and 1 (got {value}).")
        rates[name] = value
    return CountyConfig(children=children, years=years, seed=seed, end=end, rates=rates, profile=profile)


def parse_rate(text: str) -> tuple[str, float]:
    """Parses NAME=VALUE from the command line; returns (name, value) or raises SynthConfigError."""
    name, sep, raw = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep or not name:
        raise SynthConfigError(f"--rate expects NAME=VALUE, e.g. missing_below_policy=0.4 (got {text!r}).")
    try:
        value = float(raw)
    except ValueError:
        raise SynthConfigError(f"--rate {name} expects a number between 0 and 1 (got {raw!r}).") from None
    if value != value:  # NaN compares unequal to itself
        raise SynthConfigError(f"--rate {name} expects a number between 0 and 1 (got {raw!r}).")
    return name, value
