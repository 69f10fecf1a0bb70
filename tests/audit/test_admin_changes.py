"""Administrators manage roles, teams, caseloads and restrictions in the admin site, and every
change they make there is in the access log (names of the fields changed, never their values)."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from safetynet.access.models import Restriction, UserProfile
from safetynet.audit.models import Action, AuditEntry
from tests.world import AccessWorld


def _changes(object_type: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=Action.CHANGE, object_type=object_type).order_by("seq"))


def test_an_administrator_restricts_a_child_in_the_admin_and_the_log_names_the_child(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    admin = client_for("system_administrator")
    named = access_world.users["sergeant"]
    response = admin.post(
        "/admin/access/restriction/add/",
        {
            "individual": access_world.police_only.pk,
            "reason_code": "sensitive_investigation",
            "restricted_by": access_world.users["system_administrator"].pk,
            "named_users": [named.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    restriction = Restriction.objects.get(individual=access_world.police_only)
    assert list(restriction.named_users.all()) == [named]
    entry = _changes("restriction")[-1]
    assert entry.reason == "admin: created" and entry.individual_ids == [access_world.police_only.pk]
    assert entry.actor_username == access_world.users["system_administrator"].username


def test_changing_a_users_role_in_the_admin_is_logged_with_the_field_not_its_value(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    profile = UserProfile.objects.get(user=access_world.users["response_officer"])
    admin = client_for("system_administrator")
    form = admin.get(f"/admin/access/userprofile/{profile.pk}/change/")
    assert form.status_code == 200
    response = admin.post(
        f"/admin/access/userprofile/{profile.pk}/change/",
        {"user": profile.user_id, "role": "sergeant", "agency": profile.agency_id, "team": ""},
    )
    assert response.status_code == 302
    entry = _changes("userprofile")[-1]
    assert (entry.reason, entry.fields, entry.object_ids) == ("admin: changed", ["role"], [str(profile.pk)])
    assert "sergeant" not in entry.reason and "sergeant" not in str(entry.fields)


def test_a_teacher_cannot_reach_the_admin(client_for: Callable[[str], Client]) -> None:
    assert client_for("partner_education").get("/admin/access/restriction/").status_code in (302, 403)
