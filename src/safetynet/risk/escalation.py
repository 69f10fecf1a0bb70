"""The policy's escalation chains: who a passed deadline goes to next, per agency.

A task climbs the chain of the agency its owner role belongs to (`access.roles.AGENCY_OF_ROLE`),
so a social-care task climbs social-care roles and never police ranks. A role may have its
own chain instead (`escalation.roles`). A role off its chain goes to the chain's first step;
at the top (or with no chain at all) the task is marked `escalation_exhausted` and stays
with its owner. The same chains say who supervises whom: a role above another on that
role's chain may act on its tasks (`work.services.check_ownership`) and watches them
(`work.services.oversight`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, model_validator

from safetynet.access.roles import AGENCY_OF_ROLE

AgencyCode = Literal["police", "csc", "health", "education"]
RoleCode = Literal[
    "call_handler",
    "response_officer",
    "sergeant",
    "inspector",
    "superintendent",
    "mash_officer",
    "missing_persons_coordinator",
    "exploitation_coordinator",
    "public_protection_officer",
    "custody_officer",
    "ocait_officer",
    "digital_forensics_officer",
    "analyst",
    "auditor",
    "case_auditor",
    "partner_social_worker",
    "partner_health",
    "partner_education",
    "system_administrator",
]


class EscalationSpec(BaseModel):
    """`escalation:` in the policy file: `step_hours`, `chains` (agency -> roles, lowest
    first) and optional `roles` (role -> its own chain)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    chains: dict[AgencyCode, list[RoleCode]] = Field(min_length=1)
    roles: dict[RoleCode, list[RoleCode]] = Field(default_factory=dict)
    step_hours: StrictInt | StrictFloat = Field(gt=0)

    @model_validator(mode="before")
    @classmethod
    def _no_single_chain(cls, data: Any) -> Any:
        # Policies before 2026.5 had one chain for every task; refuse it by name rather than
        # as an unknown key, so a force's copied file says what to write instead.
        if isinstance(data, dict) and "chain" in data:
            raise ValueError(
                "`chain` (one chain for every agency) was replaced in policy 2026.5 by `chains`, "
                "one per agency: e.g. chains: {police: [sergeant, inspector, superintendent]}"
            )
        return data

    def chain_for(self, role: str) -> tuple[str, ...]:
        """The chain a task owned by `role` climbs: the role's own, else its agency's, else none."""
        own = self.roles.get(role)  # type: ignore[call-overload]
        if own is not None:
            return tuple(own)
        agency = AGENCY_OF_ROLE.get(role)
        return tuple(self.chains.get(agency, ())) if agency else ()  # type: ignore[call-overload]

    def after(self, role: str) -> str | None:
        """The next owner of an overdue task owned by `role` (None: the top, or no chain)."""
        chain = self.chain_for(role)
        if not chain:
            return None
        if role not in chain:
            return chain[0]
        index = chain.index(role)
        return chain[index + 1] if index + 1 < len(chain) else None

    def above(self, role: str) -> tuple[str, ...]:
        """The roles above `role` on its chain (every step for a role off the chain): who a
        task owned by `role` climbs to, and so who supervises it."""
        chain = self.chain_for(role)
        return chain[chain.index(role) + 1 :] if role in chain else chain

    def supervises(self, role: str) -> bool:
        """Whether `role` is a step of some chain, so overdue work comes to it."""
        return any(role in chain for chain in (*self.chains.values(), *self.roles.values()))

    def watched_by(self, role: str) -> tuple[str, ...]:
        """The owner roles whose tasks climb to `role` or are already `role`'s: its own, and
        every role with `role` above it on its chain."""
        return tuple(r for r in AGENCY_OF_ROLE if r == role or role in self.above(r))


class PartnershipLevelSpec(BaseModel):
    """One level of a partnership escalation: who answers it and in how many working days."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    working_days: StrictInt = Field(gt=0)


class PartnershipEscalationSpec(BaseModel):
    """`partnership_escalation:` in the policy file: the levels an escalation to another agency
    climbs when it is not answered in time, lowest first (level 1 is the first in the list)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    levels: list[PartnershipLevelSpec] = Field(min_length=1)

    def level(self, number: int) -> PartnershipLevelSpec:
        """Level `number` (1-based); the top level for a number above it."""
        return self.levels[min(max(number, 1), len(self.levels)) - 1]

    @property
    def top(self) -> int:
        return len(self.levels)


def escalation_errors(spec: EscalationSpec, owner_roles: dict[str, str]) -> list[tuple[tuple[Any, ...], str]]:
    """(location, expectation) for each chain the schema cannot refuse: a role of another
    agency in an agency's chain (or a role's own chain), a role twice in one chain, and a
    clause whose owner role has no chain to climb. `owner_roles` maps clause id -> owner role."""
    errors: list[tuple[tuple[Any, ...], str]] = []
    chains: list[tuple[tuple[Any, ...], str, list[str]]] = [
        (("escalation", "chains", agency), agency, list(roles)) for agency, roles in spec.chains.items()
    ]
    chains += [(("escalation", "roles", role), AGENCY_OF_ROLE[role], list(roles)) for role, roles in spec.roles.items()]
    for where, agency, roles in chains:
        if not roles:
            errors.append((where, f"at least one {agency} role in {'.'.join(where)}"))
        for index, role in enumerate(roles):
            if AGENCY_OF_ROLE[role] != agency:
                errors.append(
                    (
                        (*where, index),
                        f"only {agency} roles in {'.'.join(where)} (a task climbs its own agency's chain); "
                        f"{role} is a {AGENCY_OF_ROLE[role]} role",
                    )
                )
            elif role in roles[:index]:
                errors.append(((*where, index), f"each role once in {'.'.join(where)}; {role} is there twice"))
    for clause_id, owner in owner_roles.items():
        if not spec.chain_for(owner):
            errors.append(
                (
                    ("clauses", clause_id, "owner_role"),
                    f"an escalation chain for {AGENCY_OF_ROLE[owner]} (the agency of {clause_id}'s owner {owner}) "
                    "under escalation.chains",
                )
            )
    return errors
