"""What every rule shares: the finding draft, the registry, time helpers and error isolation.

A rule is a pure function `(picture, policy, as_of) -> list[FindingDraft]`, one per policy
clause, registered with `@rule("M1")`. It reads only the picture. A rule that raises on one
record produces an error finding for that record and carries on with the others
(`guarded`); a rule that raises outright produces one error finding and never stops the
other rules (`run_rules`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings

from safetynet.risk.picture import EventRec, Picture, Ref
from safetynet.risk.policy import Policy

log = logging.getLogger(__name__)

H = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class FindingDraft:
    """A finding as a rule raises it, before it is stored or compared with stored ones.

    `key` is the record the finding is about (its fingerprint with clause and subject);
    None for a finding about an absence (no plan, no ethnicity). `aspect` tells apart two
    findings of one clause about the same record (M6: the interview and the referral after
    one episode); empty for most.
    """

    clause: str
    severity: str
    reason: str
    cites: tuple[tuple[str, str], ...]
    owner_role: str
    key: tuple[str, str] | None = None
    due_by: dt.datetime | None = None
    error: bool = False
    extra: tuple[tuple[str, str], ...] = field(default=())
    aspect: str = ""
    # "work" (a task for someone now) or "practice" (breaches on work already closed, rolled up
    # per child and clause: risk/practice.py); `detail` holds a practice finding's breaches.
    kind: str = "work"
    detail: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def cite_refs(self) -> list[Ref]:
        return [{"source": s, "id": i} for s, i in self.cites]

    @property
    def key_ref(self) -> Ref | None:
        return {"source": self.key[0], "id": self.key[1]} if self.key else None


Rule = Callable[[Picture, Policy, dt.datetime], list[FindingDraft]]
RULES: dict[str, Rule] = {}
_R = TypeVar("_R", bound=Rule)


def rule(clause: str) -> Callable[[_R], _R]:
    """Registers a rule function for a policy clause."""

    def register(fn: _R) -> _R:
        RULES[clause] = fn
        return fn

    return register


def _pair(ref: Ref) -> tuple[str, str]:
    return (ref["source"], ref["id"])


def draft(
    policy: Policy,
    clause: str,
    reason: str,
    cites: Iterable[Ref],
    *,
    key: Ref | None = None,
    due_by: dt.datetime | None = None,
    severity: str | None = None,
    owner_role: str | None = None,
    extra: dict[str, str] | None = None,
    aspect: str = "",
    named: Iterable[dict[str, Any] | None] = (),
) -> FindingDraft:
    """Returns a finding draft with the clause's severity and owner unless overridden.

    `named` (made with `named_person` / `named_place`) lists the people and places the finding
    rests on beyond its subject: stored in the finding's `detail["named"]` as references and a
    plain role, never as names, and rendered for each viewer under the disclosure rule
    (`reads.naming`), so the stored reason may count while the screen names."""
    spec = policy.clause(clause)
    ordered: list[tuple[str, str]] = []
    for ref in cites:
        pair = _pair(ref)
        if pair not in ordered:
            ordered.append(pair)
    if key is not None and _pair(key) not in ordered:
        ordered.insert(0, _pair(key))
    return FindingDraft(
        clause=clause,
        severity=severity or spec.severity,
        reason=reason,
        cites=tuple(ordered),
        owner_role=owner_role or spec.owner_role,
        key=_pair(key) if key else None,
        due_by=due_by,
        extra=tuple(sorted((extra or {}).items())),
        aspect=aspect,
        detail=_named_detail(named),
    )


def named_person(role: str, ref: Ref | None, *, count: int | None = None) -> dict[str, Any] | None:
    """A person a finding names, by `role` in it ("adult without a warning marker"); None
    when there is no record to name (the renderer cannot name what is not recorded)."""
    if ref is None:
        return None
    entry: dict[str, Any] = {"kind": "person", "as": role, "ref": {"source": ref["source"], "id": ref["id"]}}
    if count is not None:
        entry["count"] = count
    return entry


def named_place(role: str, ref: Any, *, count: int | None = None) -> dict[str, Any] | None:
    """A place a finding names by its interchange reference (a location record); None when
    the value is not a reference."""
    if not isinstance(ref, dict) or not ref.get("source") or not ref.get("id"):
        return None
    entry: dict[str, Any] = {"kind": "place", "as": role, "ref": {"source": str(ref["source"]), "id": str(ref["id"])}}
    if count is not None:
        entry["count"] = count
    return entry


def _named_detail(named: Iterable[dict[str, Any] | None]) -> dict[str, Any] | None:
    entries: list[dict[str, Any]] = []
    for entry in named:
        if entry is not None and entry not in entries:
            entries.append(entry)
    return {"named": entries} if entries else None


def error_draft(policy: Policy, clause: str, record: Ref | None, exc: BaseException) -> FindingDraft:
    """Returns the finding recorded when a rule cannot read a record (never its content)."""
    what = "this record" if record else "this person's records"
    return FindingDraft(
        clause=clause,
        severity="low",
        reason=f"Clause {clause} could not be checked for {what}: it holds data the rule cannot read "
        f"({type(exc).__name__}); correct the record so the check can run.",
        cites=(_pair(record),) if record else (),
        owner_role="analyst",
        key=_pair(record) if record else None,
        error=True,
    )


_T = TypeVar("_T")


def guarded(
    policy: Policy, clause: str, items: Iterable[_T], check: Callable[[_T], list[FindingDraft]]
) -> list[FindingDraft]:
    """Runs `check` per item (an event or record); one that raises becomes an error finding."""
    out: list[FindingDraft] = []
    for item in items:
        try:
            out.extend(check(item))
        except Exception as exc:  # noqa: BLE001  strange data in one record must not stop the rest
            ref = getattr(item, "ref", None)
            if ref is None and isinstance(item, tuple) and item:
                ref = getattr(item[0], "ref", None)
            log.warning("risk: %s could not check %s: %s", clause, ref, type(exc).__name__)
            out.append(error_draft(policy, clause, ref, exc))
    return out


def run_rules(picture: Picture, policy: Policy, as_of: dt.datetime) -> list[FindingDraft]:
    """Returns every enabled rule's findings for the picture; a failing rule becomes one error finding."""
    out: list[FindingDraft] = []
    enabled = policy.enabled_clauses
    for clause, fn in RULES.items():
        if clause not in enabled:
            continue
        try:
            out.extend(fn(picture, policy, as_of))
        except Exception as exc:  # noqa: BLE001  one failing rule never stops the others
            log.warning("risk: rule %s failed for individual %s: %s", clause, picture.individual_id, type(exc).__name__)
            out.append(error_draft(policy, clause, None, exc))
    return out


def ts(value: Any) -> dt.datetime | None:
    """Returns an aware datetime from an RFC 3339 string (None for null); raises on garbage."""
    if value is None or isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise TypeError("expected an RFC 3339 datetime string")
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def day(value: Any) -> dt.date | None:
    """Returns a date from `YYYY-MM-DD` (or the date part of a datetime); None for null."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 22nd, 23rd, 101st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def hours(delta: dt.timedelta) -> str:
    """'15 minutes' / '3.5 hours' / '2 days' for a reason sentence."""
    h = delta.total_seconds() / 3600
    if h >= 48:
        return f"{h / 24:.0f} days"
    if h < 1:
        minutes = round(h * 60)
        return f"{minutes} minute{'' if minutes == 1 else 's'}"
    return f"{h:.1f} hours".replace(".0 hours", " hours")


def a_or_an(word: str) -> str:
    """ "A" or "An" for the coded word that follows ("An amber referral", "A MACE"), by its first letter."""
    return "An" if word[:1].lower() in "aeiou" else "A"


def child_words(picture: Picture, at: dt.datetime | None = None) -> str:
    """'a child aged 14' (or 'a child of unknown age'): how a reason names its subject."""
    age = picture.age(at)
    return f"a child aged {int(age)}" if age is not None else "a child of unknown age"


# Police ranks, lowest first: a review by a higher rank meets a lower rank's review.
RANKS = ("constable", "sergeant", "inspector", "chief_inspector", "superintendent", "chief_superintendent")
_RANK_WORDS = {"ps": "sergeant", "sgt": "sergeant", "insp": "inspector", "pc": "constable", "supt": "superintendent"}


def rank_of(staff: Any) -> str:
    """The police rank of a staff member as the interchange format defines it: the object's
    `rank`, falling back to its `role` (older records put the rank there); for free text, a
    rank word or its abbreviation ("PS 1234 Smith"). Empty when none is given."""
    if isinstance(staff, dict):
        for field_name in ("rank", "role"):
            value = str(staff.get(field_name) or "").strip().lower().replace(" ", "_")
            if value in RANKS:
                return value
        return ""
    if isinstance(staff, str):
        for word in staff.lower().replace(".", " ").split():
            if word in RANKS:
                return word
            if word in _RANK_WORDS:
                return _RANK_WORDS[word]
    return ""


def at_least(rank: str, floor: str) -> bool:
    """Whether `rank` is `floor` or above it (unknown ranks are not)."""
    return rank in RANKS and floor in RANKS and RANKS.index(rank) >= RANKS.index(floor)


def working_days_after(start: dt.datetime, days: int) -> dt.datetime:
    """Returns the moment `days` working days (Mon-Fri) after `start` (bank holidays not known)."""
    t = start
    left = days
    while left > 0:
        t += DAY
        if t.weekday() < 5:
            left -= 1
    return t


def next_school_day_start(policy: Policy, at: dt.datetime, hour: int) -> dt.datetime:
    """The start (`hour`:00 where the force is, `settings.TIME_ZONE`) of the first school day
    after `at`: weekdays, less bank holidays and closures, inside the terms the policy lists
    (its `school_calendar`, lib/school_days.py)."""
    return policy.school_calendar(settings.TIME_ZONE).next_start(at, hour)


def present(incident: EventRec, role: str) -> bool:
    """Whether a participant with `role` was a child present at the incident."""
    return role == "present_child" or (
        bool(incident.details.get("children_present")) and role in ("witness", "victim", "subject")
    )


def event_time(event: EventRec) -> dt.datetime:
    """When an event happened (occurred, else reported, else recorded)."""
    return event.occurred_at or event.reported_at or event.recorded_at
