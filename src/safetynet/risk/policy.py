"""The risk policy: a versioned YAML file a force can read and change without code.

`load_policy(path)` validates the file (pydantic) and returns a `Policy`, or raises
`PolicyError` naming the file, the line and what was expected. `current_policy()` is the
policy in force; `install_policy(path)` replaces it only when the new file is valid, so a bad
file never leaves the engine without a policy.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictFloat,
    StrictInt,
    field_validator,
    model_validator,
)

from safetynet.access.roles import AGENCY_OF_ROLE
from safetynet.lib.postcodes import area_errors
from safetynet.lib.school_days import SchoolCalendar
from safetynet.lib.yaml_documents import parse_document, read_text, yaml_line
from safetynet.risk.escalation import EscalationSpec, PartnershipEscalationSpec, escalation_errors
from safetynet.risk.escalation import RoleCode as Role

DEFAULT_POLICY_PATH = Path(__file__).parent / "policies" / "default.yaml"

Severity = Literal["critical", "high", "medium", "low"]
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low")

# What each clause needs from the file: numbers under `thresholds`/`clocks`, word lists.
# A missing or mistyped entry is refused on load, never discovered at 02:00 by a rule.
NUMBERS: dict[str, dict[str, tuple[str, ...]]] = {
    "M1": {},
    "M2": {
        "clocks": (
            "supervisor_review",
            "inspector_review",
            "officer_in_charge",
            "re_review_while_open",
            "home_enquiries",
        )
    },
    "M3": {},
    "M4": {"thresholds": ("episodes", "window_days")},
    "M5": {"thresholds": ("window_hours",)},
    "M6": {"clocks": ("return_home_interview", "safeguarding_referral")},
    "M7": {},
    "X1": {"thresholds": ("indicators", "window_days", "older_partner_years", "under_age_for_any_partner")},
    "X2": {"thresholds": ("children", "window_days")},
    "X3": {
        "clocks": ("outcome_working_days", "strategy_discussion_working_days"),
        "thresholds": ("emerging_intelligence_days", "repeat_missing_episodes", "repeat_missing_days"),
    },
    "X4": {"thresholds": ("missing_episodes", "window_days")},
    "X5": {"thresholds": ("age",)},
    "X6": {"clocks": ("request_days",)},
    "X7": {},
    "H1": {"clocks": ("red", "amber", "green"), "thresholds": ("mash_opens_hour", "mash_closes_hour")},
    "H2": {},
    "H3": {"thresholds": ("amber_at", "red_at", "window_days")},
    "D1": {"thresholds": ("school_day_starts_hour", "school_age_from", "school_age_to")},
    "D2": {"thresholds": ("repeat_days",)},
    "D3": {"clocks": ("safety_plan_days",)},
    "D4": {},
    "O1": {"clocks": ("device_submission_days",)},
    "O2": {"clocks": ("priority_days", "standard_days")},
    "P1": {
        "clocks": (
            "limit",
            "strategy_discussion_working_days",
            "accommodation_inspector",
            "accommodation_superintendent",
        )
    },
    "C1": {"clocks": ("appropriate_adult", "first_review", "next_review")},
    "C2": {},
    "C3": {"clocks": ("answer",)},
    "S1": {},
    "S2": {"clocks": ("very_high_days", "high_days", "medium_days", "low_days", "unassessed_days")},
    "Q1": {},
    "Q2": {},
    "LANG": {},
    "ID1": {"clocks": ("confirm_identity",)},
}
WORDS: dict[str, tuple[str, ...]] = {
    "M1": ("supervisor_roles", "frequency_words"),
    "M3": ("generic_phrases",),
    "M4": ("plan_types",),
    "M6": ("place_of_concern_types",),
    "X2": ("link_types",),
    "X5": ("words",),
    "H1": ("mash_open_days", "out_of_hours_owner"),
    "H3": ("amber_concerns",),
}
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLAUSES: tuple[str, ...] = tuple(NUMBERS)

Number = StrictInt | StrictFloat
Setting = StrictInt | StrictFloat | str | list[str]


class PolicyError(Exception):
    """A policy file that cannot be used; the message names file, line and what was expected."""


class ResolutionSpec(BaseModel):
    """How long a resolution keeps a finding quiet while its condition persists: `expiry:
    after_days` re-opens it `days` after it was resolved; `never` only on new evidence (a new
    record it would cite, a higher severity), which always re-opens it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    expiry: Literal["after_days", "never"] = "after_days"
    days: Number = Field(default=90, ge=0)


class WorkSpec(BaseModel):
    """Which of a clause's findings are work for someone now and which are practice quality.

    `always`: every finding is current risk (a plan or marker missing now, a child at risk now).
    `open_or_recent`: a finding about a record is work while that record's work is open (a
    child still missing, a referral untriaged, a custody running) or closed within
    `window_days`, or while its clock is still running; after that it is a breach on work
    already closed: practice, rolled up per child and clause for oversight, never a task.
    `practice`: every finding is practice."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["always", "open_or_recent", "practice"] = "always"
    window_days: Number = Field(default=7, ge=0)


class ClauseSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    severity: Severity
    owner_role: Role
    enabled: bool = True
    resolution: ResolutionSpec = Field(default_factory=ResolutionSpec)
    work: WorkSpec = Field(default_factory=WorkSpec)
    thresholds: dict[str, Setting] = Field(default_factory=dict)
    clocks: dict[str, Number] = Field(default_factory=dict)

    # Answers already given: rules ask the same few questions for every individual. Read
    # through `__pydantic_private__` directly: pydantic's attribute lookup for private names
    # cost more than the answers.
    _answers: dict[tuple[str, str], Any] = PrivateAttr(default_factory=dict)

    def _memo(self) -> dict[tuple[str, str], Any]:
        return self.__pydantic_private__["_answers"]  # type: ignore[index]

    def number(self, name: str) -> float:
        """Returns a numeric threshold or clock (validated on load)."""
        memo = self._memo()
        found = memo.get(("number", name))
        if found is None:
            value = self.thresholds.get(name, self.clocks.get(name))
            assert isinstance(value, int | float), name
            found = memo[("number", name)] = float(value)
        return found

    def hours(self, name: str) -> dt.timedelta:
        """Returns a clock given in hours as a duration."""
        memo = self._memo()
        found = memo.get(("hours", name))
        if found is None:
            found = memo[("hours", name)] = dt.timedelta(hours=self.number(name))
        return found

    def days(self, name: str) -> dt.timedelta:
        """Returns a threshold or clock given in days as a duration."""
        memo = self._memo()
        found = memo.get(("days", name))
        if found is None:
            found = memo[("days", name)] = dt.timedelta(days=self.number(name))
        return found

    def resolution_expires(self, resolved_at: dt.datetime) -> dt.datetime | None:
        """When a resolution made at `resolved_at` stops keeping the finding quiet (None: never)."""
        if self.resolution.expiry == "never":
            return None
        return resolved_at + dt.timedelta(days=float(self.resolution.days))

    def words(self, name: str) -> tuple[str, ...]:
        """Returns a word list threshold, lower-cased."""
        memo = self._memo()
        found = memo.get(("words", name))
        if found is None:
            value = self.thresholds.get(name, [])
            found = memo[("words", name)] = tuple(
                str(v).lower() for v in (value if isinstance(value, list) else [value])
            )
        return found


class PhraseSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    phrase: str
    pattern: str
    reason: str
    suggestion: str
    child_only: bool = False

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        compile_pattern(value)
        return value


class TermSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    first: dt.date
    last: dt.date

    @model_validator(mode="after")
    def _in_order(self) -> TermSpec:
        if self.last < self.first:
            raise ValueError("a term's last day on or after its first")
        return self


class SchoolCalendarSpec(BaseModel):
    """When schools are open, for D1's "before the next school day" (lib/school_days.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bank_holidays: Literal["england_and_wales", "none"] = "england_and_wales"
    terms: list[TermSpec] = Field(default_factory=list)
    closed: list[dt.date] = Field(default_factory=list)


class AreaSpec(BaseModel):
    """One area of the force (a district, a local policing area): the postcode districts it covers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=60)
    districts: list[str] = Field(min_length=1)


class PolicyDocument(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    name: str
    escalation: EscalationSpec
    partnership_escalation: PartnershipEscalationSpec
    response_hours: dict[Severity, Number]
    clauses: dict[str, ClauseSpec]
    language: list[PhraseSpec] = Field(min_length=1)
    school_calendar: SchoolCalendarSpec = Field(default_factory=SchoolCalendarSpec)
    areas: list[AreaSpec] = Field(default_factory=list)


_PRONOUN = r"(?:her|his|their|him|them|herself|himself|themselves|themself|own)"


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Returns the regex for a phrase pattern over normalised text (see `normalise`).

    `stem*` matches any ending; `{pronoun}` any personal pronoun; other words also match
    a plural; alternatives are separated by `|`.
    """
    alternatives = []
    for alternative in pattern.split("|"):
        words = alternative.strip().lower().split()
        if not words:
            raise ValueError("empty alternative in pattern")
        parts = []
        for word in words:
            if word == "{pronoun}":
                parts.append(_PRONOUN)
            elif word.endswith("*"):
                parts.append(re.escape(normalise(word[:-1])) + r"\w*")
            else:
                parts.append(re.escape(normalise(word)) + r"(?:s|es)?")
        alternatives.append(r"\s+".join(parts))
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")


def normalise(text: str) -> str:
    """Lower case, punctuation to spaces, runs of spaces to one."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """`normalise(text)` and, for each of its characters, the index in `text` it came from, so
    a phrase found in the normalised text can be marked where it was written."""
    chars: list[str] = []
    origin: list[int] = []
    gap = False
    for index, char in enumerate(text):
        for low in char.lower():
            if re.match(r"\w", low):
                if gap and chars:
                    chars.append(" ")
                    origin.append(index)
                gap = False
                chars.append(low)
                origin.append(index)
            else:
                gap = True
    return "".join(chars), origin


@dataclass(frozen=True)
class LanguageMatch:
    """A flagged phrase: what was written, why it matters and what to write instead."""

    phrase: str
    matched: str
    reason: str
    suggestion: str

    def message(self) -> str:
        """Returns the refusal shown to the writer."""
        return f"'{self.matched}' ({self.phrase}): {self.reason} Suggested wording: {self.suggestion}"


@dataclass(frozen=True)
class Policy:
    """A validated policy, with its source path for error messages and findings."""

    document: PolicyDocument
    path: str

    @property
    def version(self) -> str:
        return self.document.version

    def clause(self, clause_id: str) -> ClauseSpec:
        return self.document.clauses[clause_id]

    def school_calendar(self, zone: str) -> SchoolCalendar:
        """The policy's school calendar in the force's time zone (`settings.TIME_ZONE`)."""
        memo = self.__dict__.setdefault("_calendars", {})
        if zone not in memo:
            spec = self.document.school_calendar
            memo[zone] = SchoolCalendar.of(
                zone,
                bank_holidays=spec.bank_holidays,
                closed=spec.closed,
                terms=[(t.first, t.last) for t in spec.terms],
            )
        return memo[zone]

    @cached_property
    def enabled_clauses(self) -> frozenset[str]:
        """The clauses this policy has and has not switched off."""
        return frozenset(c for c, spec in self.document.clauses.items() if spec.enabled)

    @cached_property
    def _phrases(self) -> list[tuple[PhraseSpec, re.Pattern[str]]]:
        return [(p, compile_pattern(p.pattern)) for p in self.document.language]

    def check_language(self, text: str | None, *, about_child: bool = True) -> list[LanguageMatch]:
        """Returns every flagged phrase in `text` (empty when the wording is acceptable)."""
        if not text:
            return []
        plain = normalise(text)
        found = []
        for spec, regex in self._phrases:
            if spec.child_only and not about_child:
                continue
            match = regex.search(plain)
            if match:
                found.append(LanguageMatch(spec.phrase, match.group(0), spec.reason, spec.suggestion))
        return found

    def language_spans(self, text: str | None, *, about_child: bool = True) -> list[tuple[int, int, LanguageMatch]]:
        """Where in `text` (start, end: indexes into `text` as written) each flagged phrase
        stands, every occurrence, in order, overlaps dropped: the same phrases and patterns as
        `check_language`, for pages that mark the words in place."""
        if not text:
            return []
        plain, origin = normalise_with_offsets(text)
        spans: list[tuple[int, int, LanguageMatch]] = []
        for spec, regex in self._phrases:
            if spec.child_only and not about_child:
                continue
            for match in regex.finditer(plain):
                found = LanguageMatch(spec.phrase, match.group(0), spec.reason, spec.suggestion)
                spans.append((origin[match.start()], origin[match.end() - 1] + 1, found))
        spans.sort(key=lambda span: (span[0], -span[1]))
        kept: list[tuple[int, int, LanguageMatch]] = []
        for span in spans:
            if not kept or span[0] >= kept[-1][1]:
                kept.append(span)
        return kept

    def escalation_after(self, role: str) -> str | None:
        """Returns the next owner of an overdue task owned by `role`: up the chain of the role's
        agency (its first step for a role off the chain), or None at the top or with no chain."""
        return self.document.escalation.after(role)

    def escalation_chain(self, role: str) -> tuple[str, ...]:
        """The chain a task owned by `role` climbs (its agency's, or the role's own)."""
        return self.document.escalation.chain_for(role)

    def supervisors_of(self, role: str) -> tuple[str, ...]:
        """The roles above `role` on its chain: who may act on and watches its tasks."""
        return self.document.escalation.above(role)

    def response_time(self, severity: str) -> dt.timedelta:
        return dt.timedelta(hours=float(self.document.response_hours.get(severity, 72)))  # type: ignore[call-overload]


def _mash_hours_errors(doc: PolicyDocument) -> list[tuple[tuple[Any, ...], str]]:
    """H1's MASH hours: days are weekday names, the hours within the day, the owner a role."""
    spec = doc.clauses.get("H1")
    if spec is None:
        return []
    where = ("clauses", "H1", "thresholds")
    errors: list[tuple[tuple[Any, ...], str]] = []
    days = spec.thresholds.get("mash_open_days")
    if isinstance(days, list) and any(str(d).lower() not in WEEKDAYS for d in days):
        errors.append(((*where, "mash_open_days"), f"weekdays among {', '.join(WEEKDAYS)}"))
    opens, closes = spec.thresholds.get("mash_opens_hour"), spec.thresholds.get("mash_closes_hour")
    if isinstance(opens, int | float) and isinstance(closes, int | float) and not 0 <= opens < closes <= 24:
        errors.append(((*where, "mash_closes_hour"), "hours with 0 <= mash_opens_hour < mash_closes_hour <= 24"))
    owner = spec.thresholds.get("out_of_hours_owner")
    if isinstance(owner, list) and (len(owner) != 1 or owner[0] not in AGENCY_OF_ROLE):
        errors.append(((*where, "out_of_hours_owner"), "a list of one role (the out-of-hours duty inspector's)"))
    return errors


def _semantic_errors(doc: PolicyDocument) -> list[tuple[tuple[Any, ...], str]]:
    """Returns (location, expectation) for each clause problem the schema cannot see."""
    errors: list[tuple[tuple[Any, ...], str]] = []
    for clause_id in doc.clauses:
        if clause_id not in NUMBERS:
            errors.append((("clauses", clause_id), f"a known clause id ({', '.join(CLAUSES)}), not {clause_id!r}"))
    for clause_id in CLAUSES:
        spec = doc.clauses.get(clause_id)
        if spec is None:
            errors.append((("clauses",), f"clause {clause_id} (set `enabled: false` to switch it off)"))
            continue
        for section, names in NUMBERS[clause_id].items():
            values = getattr(spec, section)
            for name in names:
                value = values.get(name)
                if value is None:
                    errors.append((("clauses", clause_id, section), f"a number `{name}` under {clause_id}.{section}"))
                elif isinstance(value, bool) or not isinstance(value, int | float):
                    errors.append(
                        (
                            ("clauses", clause_id, section, name),
                            f"a number for {clause_id}.{section}.{name}, not {value!r}",
                        )
                    )
        for name in WORDS.get(clause_id, ()):
            value = spec.thresholds.get(name)
            if not isinstance(value, list) or not value:
                errors.append(
                    (
                        ("clauses", clause_id, "thresholds", name),
                        f"a list of words `{name}` under {clause_id}.thresholds",
                    )
                )
    errors += _mash_hours_errors(doc)
    errors += area_errors([(a.name, a.districts) for a in doc.areas])
    owners = {c: str(spec.owner_role) for c, spec in doc.clauses.items() if spec.enabled}
    errors += escalation_errors(doc.escalation, owners)
    return errors


def parse_policy(text: str, path: str = "<policy>") -> Policy:
    """Returns the validated policy in `text`; raises PolicyError naming `path`, line and expectation."""
    doc, root = parse_document(
        text,
        path,
        PolicyDocument,
        shape="a mapping with version, escalation, clauses and language",
        error=PolicyError,
    )
    problems = _semantic_errors(doc)
    if problems:
        raise PolicyError("; ".join(f"{path}:{yaml_line(root, loc)}: expected {what}" for loc, what in problems))
    return Policy(document=doc, path=path)


def load_policy(path: str | Path) -> Policy:
    """Returns the validated policy in the file at `path` (PolicyError if it cannot be used)."""
    return parse_policy(read_text(path, "policy file", PolicyError), str(path))


_current: Policy | None = None


def current_policy() -> Policy:
    """Returns the policy in force (the shipped default until another is installed)."""
    global _current
    if _current is None:
        _current = load_policy(DEFAULT_POLICY_PATH)
    return _current


def install_policy(path: str | Path) -> Policy:
    """Puts the policy at `path` in force and returns it; a bad file raises PolicyError and
    the running policy stays in force."""
    global _current
    policy = load_policy(path)
    _current = policy
    return policy
