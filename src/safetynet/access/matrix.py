"""The permission matrix (matrix.yaml): loaded once, validated, and asked questions.

Everything that decides "may this user do this" reads from here, so the YAML file is the
single readable statement of the policy.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ImproperlyConfigured

from safetynet.access.roles import AGENCY_OF_ROLE, Role

MATRIX_PATH = Path(__file__).resolve().parent / "matrix.yaml"
PSEUDO_PERMISSIONS = frozenset({"public", "signed_in", "authenticated", "nobody", "api_key", "monitoring"})


@dataclass(frozen=True)
class RolePolicy:
    """One role's row of the matrix. None in a *_types field means "every type"."""

    role: str
    agency: str
    scope: str
    permissions: frozenset[str]
    event_types: frozenset[str] | None = None
    marker_types: frozenset[str] | None = None
    plan_types: frozenset[str] | None = None
    orders: bool = True
    # What the role sees of a finding it may not read in full: "notice" (a concern held by
    # the owner's agency, with the owner to contact) or "hide" (nothing).
    withheld_findings: str = "notice"


@dataclass(frozen=True)
class Content:
    intelligence_event_type: str
    intelligence_text_keys: tuple[str, ...]
    health_sources: frozenset[str]
    health_marker_types: frozenset[str]
    health_detail_keys: dict[str, tuple[str, ...]]
    # Handling codes whose records only roles with `view_handling_code_c` may see: 3x5x2 "C"
    # and the legacy 5x5x5 codes that do not permit sharing outside law enforcement.
    police_only_handling: tuple[str | int, ...] = ("C",)


@dataclass(frozen=True)
class Matrix:
    permissions: dict[str, str]
    roles: dict[str, RolePolicy]
    content: Content
    urls: dict[str, str]
    api: dict[str, str] = field(default_factory=dict)
    # agency code -> the other agencies its tasks may be assigned to (users and teams)
    may_assign_to: dict[str, frozenset[str]] = field(default_factory=dict)

    def permission_for_url(self, url_name: str) -> str | None:
        """The permission `url_name` needs; None when the matrix does not list it (refused)."""
        if url_name in self.urls:
            return self.urls[url_name]
        matches = [p for p in self.urls if p.endswith("*") and fnmatch.fnmatchcase(url_name, p)]
        return self.urls[max(matches, key=len)] if matches else None

    def assignable_agencies(self, agency: str) -> frozenset[str]:
        """The agencies whose users and teams a task of `agency` may be assigned to: its own
        and those the matrix lists under `agencies.<agency>.may_assign_to`."""
        return frozenset({agency}) | self.may_assign_to.get(agency, frozenset())

    def role_allows(self, role: str | None, permission: str) -> bool:
        """Whether a user of `role` (None: no role) holds `permission` (not a pseudo-permission)."""
        policy = self.roles.get(role or "")
        return policy is not None and permission in policy.permissions


def _types(raw: Any, where: str) -> frozenset[str] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise ImproperlyConfigured(f"matrix.yaml: {where} must be a list of codes.")
    return frozenset(raw)


WITHHELD_FINDINGS = ("notice", "hide")


def _withheld(raw: Any, role: str) -> str:
    if raw not in WITHHELD_FINDINGS:
        raise ImproperlyConfigured(
            f"matrix.yaml: roles.{role}.withheld_findings must be one of {list(WITHHELD_FINDINGS)}."
        )
    return str(raw)


def _handling(raw: Any) -> tuple[str | int, ...]:
    codes = raw if raw is not None else ["C"]
    if not isinstance(codes, list) or not all(isinstance(c, (str, int)) and not isinstance(c, bool) for c in codes):
        raise ImproperlyConfigured("matrix.yaml: content.police_only_handling must be a list of handling codes.")
    return tuple(codes)


def parse(data: Any) -> Matrix:
    """Build a Matrix from the YAML document, refusing anything unknown or missing."""
    if not isinstance(data, dict):
        raise ImproperlyConfigured("matrix.yaml must be a mapping.")
    permissions = dict(data.get("permissions") or {})
    scopes = set(data.get("scopes") or [])
    roles: dict[str, RolePolicy] = {}
    for role, row in (data.get("roles") or {}).items():
        if role not in Role.values:
            raise ImproperlyConfigured(f"matrix.yaml: roles.{role} is not a known role code.")
        perms = frozenset(row.get("permissions") or [])
        unknown = perms - set(permissions)
        if unknown:
            raise ImproperlyConfigured(f"matrix.yaml: roles.{role} names unknown permissions {sorted(unknown)}.")
        if row.get("scope") not in scopes:
            raise ImproperlyConfigured(f"matrix.yaml: roles.{role}.scope must be one of {sorted(scopes)}.")
        if row.get("agency") != AGENCY_OF_ROLE[role]:
            raise ImproperlyConfigured(f"matrix.yaml: roles.{role}.agency must be {AGENCY_OF_ROLE[role]}.")
        roles[role] = RolePolicy(
            role=role,
            agency=row["agency"],
            scope=row["scope"],
            permissions=perms,
            event_types=_types(row.get("event_types"), f"roles.{role}.event_types"),
            marker_types=_types(row.get("marker_types"), f"roles.{role}.marker_types"),
            plan_types=_types(row.get("plan_types"), f"roles.{role}.plan_types"),
            orders=bool(row.get("orders", True)),
            withheld_findings=_withheld(row.get("withheld_findings", "notice"), role),
        )
    missing = set(Role.values) - set(roles)
    if missing:
        raise ImproperlyConfigured(f"matrix.yaml: no row for roles {sorted(missing)}.")
    known = set(permissions) | PSEUDO_PERMISSIONS
    urls = {str(k): str(v) for k, v in (data.get("urls") or {}).items()}
    api = {str(k): str(v) for k, v in (data.get("api") or {}).items()}
    for section, table in (("urls", urls), ("api", api)):
        for name, permission in table.items():
            if permission not in known:
                raise ImproperlyConfigured(f"matrix.yaml: {section}.{name} needs unknown permission {permission!r}.")
    raw = data.get("content") or {}
    content = Content(
        intelligence_event_type=str(raw.get("intelligence_event_type", "intelligence")),
        intelligence_text_keys=tuple(raw.get("intelligence_text_keys") or ()),
        health_sources=frozenset(raw.get("health_sources") or ()),
        health_marker_types=frozenset(raw.get("health_marker_types") or ()),
        health_detail_keys={k: tuple(v) for k, v in (raw.get("health_detail_keys") or {}).items()},
        police_only_handling=_handling(raw.get("police_only_handling")),
    )
    may_assign_to = _may_assign_to(data.get("agencies"), roles)
    return Matrix(
        permissions=permissions, roles=roles, content=content, urls=urls, api=api, may_assign_to=may_assign_to
    )


def _may_assign_to(raw: Any, roles: dict[str, RolePolicy]) -> dict[str, frozenset[str]]:
    """The `agencies` section: every agency code, each with the other agencies its tasks may
    be assigned to; an agency none of whose roles may act on tasks cannot be one of them."""
    codes = set(AGENCY_OF_ROLE.values())
    if not isinstance(raw, dict) or set(raw) != codes:
        raise ImproperlyConfigured(f"matrix.yaml: agencies must have one entry for each of {sorted(codes)}.")
    acting = {row.agency for row in roles.values() if "resolve_task" in row.permissions}
    found: dict[str, frozenset[str]] = {}
    for agency, row in raw.items():
        targets = _types((row or {}).get("may_assign_to", []), f"agencies.{agency}.may_assign_to") or frozenset()
        for target in sorted(targets):
            if target not in codes or target == agency:
                raise ImproperlyConfigured(
                    f"matrix.yaml: agencies.{agency}.may_assign_to: {target!r} is not another agency "
                    f"(expected some of {sorted(codes - {agency})})."
                )
            if target not in acting:
                raise ImproperlyConfigured(
                    f"matrix.yaml: agencies.{agency}.may_assign_to: no {target} role may act on tasks "
                    "(resolve_task), so its users could never act on work handed to them."
                )
        found[agency] = targets
    return found


@lru_cache(maxsize=1)
def load() -> Matrix:
    """The matrix from matrix.yaml (read once per process)."""
    with MATRIX_PATH.open(encoding="utf-8") as handle:
        return parse(yaml.safe_load(handle))
