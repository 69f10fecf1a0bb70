"""Role and agency codes (the shared contract in HELPERS.md) and which roles are elevated."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    CALL_HANDLER = "call_handler", "Call handler"
    RESPONSE_OFFICER = "response_officer", "Response officer"
    SERGEANT = "sergeant", "Sergeant"
    INSPECTOR = "inspector", "Inspector"
    SUPERINTENDENT = "superintendent", "Superintendent"
    MASH_OFFICER = "mash_officer", "MASH officer"
    MISSING_PERSONS_COORDINATOR = "missing_persons_coordinator", "Missing persons coordinator"
    EXPLOITATION_COORDINATOR = "exploitation_coordinator", "Exploitation coordinator"
    PUBLIC_PROTECTION_OFFICER = "public_protection_officer", "Public protection officer"
    CUSTODY_OFFICER = "custody_officer", "Custody officer"
    ANALYST = "analyst", "Analyst"
    AUDITOR = "auditor", "Auditor"
    CASE_AUDITOR = "case_auditor", "Case auditor"
    PARTNER_SOCIAL_WORKER = "partner_social_worker", "Social worker (partner)"
    PARTNER_HEALTH = "partner_health", "Health practitioner (partner)"
    PARTNER_EDUCATION = "partner_education", "Designated safeguarding lead (partner)"
    SYSTEM_ADMINISTRATOR = "system_administrator", "System administrator"
    OCAIT_OFFICER = "ocait_officer", "Online child abuse investigation officer"
    DIGITAL_FORENSICS_OFFICER = "digital_forensics_officer", "Digital forensics officer"


class AgencyCode(models.TextChoices):
    POLICE = "police", "Police"
    CSC = "csc", "Children's social care"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"


# The agency each role belongs to; creating a user with a role in another agency is refused.
AGENCY_OF_ROLE: dict[str, str] = {
    Role.PARTNER_SOCIAL_WORKER: AgencyCode.CSC,
    Role.PARTNER_HEALTH: AgencyCode.HEALTH,
    Role.PARTNER_EDUCATION: AgencyCode.EDUCATION,
    **{
        r: AgencyCode.POLICE
        for r in Role.values
        if r not in {Role.PARTNER_SOCIAL_WORKER, Role.PARTNER_HEALTH, Role.PARTNER_EDUCATION}
    },
}

# Roles whose sign-in needs a second factor (TOTP): those that see across every child at
# once (analyst), approve the most serious decisions (inspector, superintendent), read the
# access log (auditor) or can change who sees what (system administrator). A stolen
# password for one of these exposes the most, so a password alone is not enough.
ELEVATED_ROLES: frozenset[str] = frozenset(
    {Role.SYSTEM_ADMINISTRATOR, Role.AUDITOR, Role.CASE_AUDITOR, Role.SUPERINTENDENT, Role.INSPECTOR, Role.ANALYST}
)
