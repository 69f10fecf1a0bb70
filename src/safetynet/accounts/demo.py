"""Demo logins: one user per role, agencies and teams, printed for `safetynet demo`.

Elevated roles need a second factor. Each demo user of an elevated role gets a TOTP device
(its key and otpauth:// link are printed, so an authenticator app can be set up) and a
static device with printed single-use backup codes, so the demo can be tried without a phone.
Never run outside the demo: the passwords are printed.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safetynet.access.models import UserProfile
from safetynet.access.roles import AGENCY_OF_ROLE, ELEVATED_ROLES, Role
from safetynet.accounts.services import create_team, create_user_with_role, ensure_agencies
from safetynet.records.models import Organisation

DEMO_PASSWORD = "safetynet-demo-only"
DEMO_USERNAMES: dict[str, str] = {
    Role.CALL_HANDLER: "callhandler",
    Role.RESPONSE_OFFICER: "response",
    Role.SERGEANT: "sergeant",
    Role.INSPECTOR: "inspector",
    Role.SUPERINTENDENT: "superintendent",
    Role.MASH_OFFICER: "mash",
    Role.MISSING_PERSONS_COORDINATOR: "mispers",
    Role.EXPLOITATION_COORDINATOR: "exploitation",
    Role.PUBLIC_PROTECTION_OFFICER: "ppu",
    Role.CUSTODY_OFFICER: "custody",
    Role.ANALYST: "analyst",
    Role.AUDITOR: "auditor",
    Role.CASE_AUDITOR: "caseaudit",
    Role.PARTNER_SOCIAL_WORKER: "socialworker",
    Role.PARTNER_HEALTH: "health",
    Role.PARTNER_EDUCATION: "teacher",
    Role.SYSTEM_ADMINISTRATOR: "sysadmin",
    Role.OCAIT_OFFICER: "ocait",
    Role.DIGITAL_FORENSICS_OFFICER: "forensics",
}
# Each role's first screen (the web app's landing screens; "/" sends a role to its own).
FIRST_SCREEN: dict[str, str] = {Role.SYSTEM_ADMINISTRATOR: "admin:index"}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    first_screen: str
    totp_key: str = ""
    otpauth_uri: str = ""
    backup_codes: tuple[str, ...] = ()

    def line(self) -> str:
        text = f"  {self.role:<28} {self.username} / {self.password}   -> {self.first_screen}"
        if self.totp_key:
            codes = " ".join(self.backup_codes)
            text += f"\n  {'':<28}   second factor: TOTP key {self.totp_key} or a backup code: {codes}"
        return text


def _first_screen(role: str, landing: dict[str, str]) -> str:
    for name in (FIRST_SCREEN.get(role), landing.get(role), "web:home"):
        if not name:
            continue
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/"


@transaction.atomic
def create_demo_logins(landing: dict[str, str] | None = None) -> list[DemoLogin]:
    """Create (or reset) one demo user per role; return their logins in role order.

    `landing` maps a role to the URL name of its first screen (the web app's choice)."""
    agencies = ensure_agencies(acting_user=None)
    school = Organisation.live.filter(org_type=Organisation.OrgType.SCHOOL).order_by("pk").first()
    teams = {
        "police": create_team(
            acting_user=None, agency=agencies["police"], code="county-response", name="County response"
        ),
        "csc": create_team(acting_user=None, agency=agencies["csc"], code="mash-csc", name="Children's social care"),
        "health": create_team(
            acting_user=None, agency=agencies["health"], code="school-nursing", name="School nursing"
        ),
        "education": create_team(
            acting_user=None,
            agency=agencies["education"],
            code="demo-school",
            name="Demo school safeguarding",
            organisation_id=school.pk if school else None,
        ),
    }
    User = get_user_model()
    logins: list[DemoLogin] = []
    for role in Role.values:
        username = DEMO_USERNAMES[role]
        team = teams[AGENCY_OF_ROLE[role]]
        user = User.objects.filter(username=username).first()
        if user is None:
            user = create_user_with_role(
                acting_user=None, username=username, password=DEMO_PASSWORD, role=role, team=team, check_password=False
            )
        else:
            user.set_password(DEMO_PASSWORD)
            user.is_active = True
            user.save()
            UserProfile.objects.update_or_create(
                user=user, defaults={"role": role, "agency": agencies[AGENCY_OF_ROLE[role]], "team": team}
            )
        key, uri, codes = "", "", tuple[str, ...]()
        if role in ELEVATED_ROLES:
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
            totp = TOTPDevice.objects.create(user=user, name="demo authenticator", confirmed=True)
            key, uri = base64.b32encode(totp.bin_key).decode("ascii"), totp.config_url
            static = StaticDevice.objects.create(user=user, name="demo backup codes", confirmed=True)
            codes = tuple(f"{secrets.randbelow(10**8):08d}" for _ in range(5))
            StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
        logins.append(DemoLogin(role, username, DEMO_PASSWORD, _first_screen(role, landing or {}), key, uri, codes))
    return logins
