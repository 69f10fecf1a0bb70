"""Who is looking: the signed-in user's name, role and agency for the header and navigation.

The access app owns users, roles and agencies; until its profile is on main this reads
what Django's user offers, so the header shows at least the username.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse

from safetynet.access import matrix
from safetynet.access.profiles import has_permission
from safetynet.work.notifications import unread_count


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    url_name: str


@dataclass(frozen=True)
class Viewer:
    """What the header shows about the signed-in user; never anything about a child."""

    username: str
    display_name: str
    role_code: str = ""
    role_label: str = ""
    agency_code: str = ""
    agency_label: str = ""
    nav: list[NavItem] = field(default_factory=list)
    unread_notifications: int = 0
    # May open an adult's profile (the exploitation workspace): a finding naming an adult links it.
    adult_profiles: bool = False


# Every role's first screen after signing in: the work that role comes to do.
LANDING_BY_ROLE: dict[str, str] = {
    "call_handler": "web:search",
    "response_officer": "web:search",
    "custody_officer": "web:protection",
    "sergeant": "web:my_work",
    "inspector": "web:my_work",
    "superintendent": "web:my_work",
    "mash_officer": "web:mash_inbox",
    "missing_persons_coordinator": "web:missing",
    "exploitation_coordinator": "web:my_work",
    "public_protection_officer": "web:my_work",
    "ocait_officer": "web:my_work",
    "digital_forensics_officer": "web:online_backlog",
    "partner_social_worker": "web:my_work",
    "partner_health": "web:my_work",
    "partner_education": "web:school_notifications",
    "analyst": "web:dashboard",
    "auditor": "web:audit_log",
    "case_auditor": "web:case_audits",
}


def _role_and_agency(user: Any) -> tuple[str, str, str, str]:
    """(role code, role label, agency code, agency label) from the access profile when present."""
    profile = getattr(user, "profile", None)
    if profile is None:
        return "", "", "", ""
    role = str(getattr(profile, "role", "") or "")
    agency = getattr(profile, "agency", None)
    agency_code = str(getattr(agency, "code", agency) or "")
    role_label = getattr(profile, "get_role_display", lambda: role.replace("_", " ").capitalize())()
    agency_label = str(getattr(agency, "name", agency_code.upper()) or "")
    return role, str(role_label), agency_code, agency_label


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def viewer_for(user: Any) -> Viewer | None:
    """The header's view of `user`; None when nobody is signed in."""
    if user is None or not user.is_authenticated:
        return None
    role, role_label, agency, agency_label = _role_and_agency(user)
    full_name = (user.get_full_name() or "").strip()
    items: list[NavItem] = []
    for label, name in (
        ("My work", "web:my_work"),
        ("Oversight", "web:work_oversight"),
        ("Escalations", "web:escalations"),
        ("Meetings", "web:meetings"),
        ("Missing", "web:missing"),
        ("Exploitation", "web:exploitation"),
        ("Online abuse", "web:online"),
        ("Offender visits", "web:offender_schedule"),
        ("MASH", "web:mash_inbox"),
        ("Transfers", "web:mash_transfers"),
        ("Encompass", "web:encompass"),
        ("GP notifications", "web:gp_notifications"),
        # A school's and a GP practice's list are one list (what was sent to their organisation).
        ("From the police", "web:practice_notifications" if agency == "health" else "web:school_notifications"),
        ("Protection", "web:protection"),
        ("Accommodation requests", "web:protection_requests"),
        ("Search", "web:search"),
        ("Review queue", "web:review_queue"),
        ("Access log", "web:audit_log"),
        ("Case audit", "web:case_audits"),
    ):
        href = _url(name)
        if href is not None and may_use(user, name):
            items.append(NavItem(label, href, name))
    return Viewer(
        username=user.get_username(),
        display_name=full_name or user.get_username(),
        role_code=role,
        role_label=role_label,
        agency_code=agency,
        agency_label=agency_label,
        nav=items,
        unread_notifications=unread_count(user),
        adult_profiles=may_use(user, "web:exploitation_adult"),
    )


def may_use(user: Any, url_name: str) -> bool:
    """Whether `user` may open the screen `url_name`, as the access matrix says."""
    permission = matrix.load().permission_for_url(url_name)
    if permission is None:
        return False
    if permission in {"public", "signed_in", "authenticated"}:
        return bool(user.is_authenticated)
    return has_permission(user, permission)


def may(user: Any, permission: str) -> bool:
    """Whether `user` holds `permission` in the access matrix (e.g. "review_links")."""
    return has_permission(user, permission)


def landing_url_name(user: Any) -> str:
    """The URL name of `user`'s first screen after signing in."""
    role, _label, _agency, _agency_label = _role_and_agency(user)
    return LANDING_BY_ROLE.get(role, "web:my_work")


def role_code(user: Any) -> str:
    """The user's role code ("" when the user has no role)."""
    return _role_and_agency(user)[0]
