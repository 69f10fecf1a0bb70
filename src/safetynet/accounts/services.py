"""State changes for access: agencies and teams, users with roles, caseloads, restrictions.

Each is atomic, takes a keyword-only `acting_user` and writes its access-log entry in the
same transaction (zulip's actions pattern).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from safetynet.access.models import Agency, Caseload, Restriction, Team, UserProfile
from safetynet.access.roles import AGENCY_OF_ROLE, AgencyCode, Role
from safetynet.audit.models import Action
from safetynet.audit.services import record_audit
from safetynet.identity.models import Individual
from safetynet.lib.clock import Clock, system_clock

# Each agency's own source systems (interchange `source` codes): an `agency`-scoped partner
# sees children known to these.
DEFAULT_SOURCES: dict[str, list[str]] = {
    AgencyCode.POLICE: ["rms", "mispers", "custody", "pnc"],
    AgencyCode.CSC: ["csc"],
    AgencyCode.HEALTH: ["health"],
    AgencyCode.EDUCATION: ["education"],
}


ADMINISTERED_APPS = ["auth", "access", "axes", "otp_totp", "otp_static"]


@transaction.atomic
def ensure_agencies(*, acting_user: Any) -> dict[str, Agency]:
    """Create the four agencies if missing; return them by code."""
    agencies: dict[str, Agency] = {}
    for code, label in AgencyCode.choices:
        agency, created = Agency.objects.get_or_create(
            code=code, defaults={"name": str(label), "source_systems": DEFAULT_SOURCES[code]}
        )
        if created:
            record_audit(acting_user=acting_user, action=Action.CHANGE, object_type="agency", object_ids=[agency.pk])
        agencies[code] = agency
    return agencies


@transaction.atomic
def create_team(*, acting_user: Any, agency: Agency, code: str, name: str, organisation_id: int | None = None) -> Team:
    """Create (or return the existing) team `code` in `agency`."""
    team, created = Team.objects.get_or_create(
        agency=agency, code=code, defaults={"name": name, "organisation_id": organisation_id}
    )
    if created:
        record_audit(acting_user=acting_user, action=Action.CHANGE, object_type="team", object_ids=[team.pk])
    return team


@transaction.atomic
def create_user_with_role(
    *,
    acting_user: Any,
    username: str,
    password: str,
    role: str,
    team: Team | None = None,
    first_name: str = "",
    last_name: str = "",
    check_password: bool = True,
) -> Any:
    """Create a user who can sign in with `role` in the role's agency; return the user.

    Refuses an unknown role, a team in another agency, an existing username and a weak
    password (ValidationError naming the field).
    """
    if role not in Role.values:
        raise ValidationError({"role": f"unknown role {role!r}; expected one of {', '.join(Role.values)}"})
    agency = (
        Agency.objects.filter(code=AGENCY_OF_ROLE[role]).first()
        or ensure_agencies(acting_user=acting_user)[AGENCY_OF_ROLE[role]]
    )
    if team is not None and team.agency_id != agency.pk:
        raise ValidationError({"team": f"team {team.code} is not in the {agency.code} agency the role belongs to"})
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"a user named {username!r} already exists"})
    user = User(username=username, first_name=first_name, last_name=last_name)
    # The admin site is for system administrators only; nobody else is staff.
    user.is_staff = role == Role.SYSTEM_ADMINISTRATOR
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    UserProfile.objects.create(user=user, role=role, agency=agency, team=team)
    if role == Role.SYSTEM_ADMINISTRATOR:
        # The admin site's own permissions: accounts, roles, teams, restrictions, second-factor
        # devices and lockouts. Nothing about children (least privilege).
        user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=ADMINISTERED_APPS))
    record_audit(
        acting_user=acting_user, action=Action.CHANGE, object_type="user", object_ids=[user.pk], fields=["role"]
    )
    return user


@transaction.atomic
def add_to_caseload(*, acting_user: Any, user: Any, individual: Individual, clock: Clock = system_clock) -> Caseload:
    """Allocate `individual` to `user` (their `own` scope); return the caseload entry."""
    entry, _created = Caseload.objects.get_or_create(
        user=user, individual=individual, defaults={"added_at": clock.now()}
    )
    record_audit(
        acting_user=acting_user,
        action=Action.CHANGE,
        object_type="caseload",
        object_ids=[user.pk],
        individual_ids=[individual.pk],
    )
    return entry


@transaction.atomic
def restrict_individual(
    *,
    acting_user: Any,
    individual: Individual,
    reason_code: str,
    named_users: list[Any],
    clock: Clock = system_clock,
) -> Restriction:
    """Make `individual` visible only to `named_users` (plus the restricting user)."""
    restriction, _created = Restriction.objects.update_or_create(
        individual=individual,
        defaults={"reason_code": reason_code, "restricted_at": clock.now(), "restricted_by": acting_user},
    )
    restriction.named_users.add(acting_user, *named_users)
    record_audit(
        acting_user=acting_user,
        action=Action.CHANGE,
        object_type="restriction",
        object_ids=[restriction.pk],
        individual_ids=[individual.pk],
        fields=["named_users", "reason_code"],
        reason=reason_code,
    )
    return restriction
