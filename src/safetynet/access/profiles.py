"""Who a user is to the access rules: their profile (role, agency, team), their role's row of
the permission matrix, and the permissions it grants.

This is what the access log's writer needs to stamp an entry with the actor's role, so it
depends on nothing of ours above `access`.
"""

from __future__ import annotations

from typing import Any

from safetynet.access.matrix import RolePolicy, load
from safetynet.access.models import UserProfile
from safetynet.access.roles import ELEVATED_ROLES, Role


def profile_of(user: Any) -> UserProfile | None:
    """The user's access profile, or None (anonymous users and users without a role)."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        profile: UserProfile = user.profile
    except UserProfile.DoesNotExist:
        return None
    return profile


def role_of(user: Any) -> str | None:
    """The user's role code. A superuser without a profile counts as a system administrator."""
    profile = profile_of(user)
    if profile is not None:
        return profile.role
    if getattr(user, "is_authenticated", False) and getattr(user, "is_superuser", False):
        return Role.SYSTEM_ADMINISTRATOR
    return None


def policy_of(user: Any) -> RolePolicy | None:
    """The matrix row for the user's role, or None when they have no role."""
    role = role_of(user)
    return load().roles.get(role) if role else None


def has_permission(user: Any, permission: str) -> bool:
    """Whether `user` holds `permission` under the matrix (an inactive user holds none)."""
    if not getattr(user, "is_active", False):
        return False
    return load().role_allows(role_of(user), permission)


def is_elevated(user: Any) -> bool:
    """Whether `user`'s role needs a second factor at sign-in."""
    return role_of(user) in ELEVATED_ROLES
