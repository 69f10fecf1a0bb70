"""Which children each role sees: scope, restriction, and 404 for anything else."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.http import Http404
from django.test import Client

from safetynet.accounts.services import add_to_caseload
from safetynet.lib.clock import FixedClock
from safetynet.reads.access import individual_for_user, visible_individuals
from tests.world import AccessWorld


def test_a_partner_teacher_lists_only_pupils_of_their_school(access_world: AccessWorld) -> None:
    teacher = access_world.users["partner_education"]
    assert set(visible_individuals(teacher)) == {access_world.pupil}


def test_a_partner_social_worker_sees_only_children_known_to_social_care(access_world: AccessWorld) -> None:
    assert set(visible_individuals(access_world.users["partner_social_worker"])) == {access_world.pupil}


def test_a_sergeant_sees_every_child_except_one_restricted_from_them(access_world: AccessWorld) -> None:
    assert set(visible_individuals(access_world.users["sergeant"])) == {access_world.pupil, access_world.police_only}


def test_a_restricted_child_is_visible_to_the_named_sergeant(access_world: AccessWorld) -> None:
    assert individual_for_user(access_world.named_sergeant, access_world.restricted.pk) == access_world.restricted


def test_auditors_and_administrators_see_no_child_records(access_world: AccessWorld) -> None:
    for role in ("auditor", "system_administrator"):
        assert not visible_individuals(access_world.users[role]).exists()


def test_a_caseload_entry_lets_a_partner_see_a_child_outside_their_scope(
    access_world: AccessWorld, clock: FixedClock
) -> None:
    teacher = access_world.users["partner_education"]
    with pytest.raises(Http404):
        individual_for_user(teacher, access_world.police_only.pk)
    add_to_caseload(
        acting_user=access_world.users["sergeant"], user=teacher, individual=access_world.police_only, clock=clock
    )
    assert individual_for_user(teacher, access_world.police_only.pk) == access_world.police_only


def test_missing_and_forbidden_people_answer_the_same_404(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    teacher = client_for("partner_education")
    forbidden = teacher.get(f"/people/{access_world.police_only.pk}/")
    missing = teacher.get("/people/999999/")
    restricted = client_for("sergeant").get(f"/people/{access_world.restricted.pk}/")
    assert forbidden.status_code == missing.status_code == restricted.status_code == 404
    assert forbidden.content == missing.content


def test_guessed_event_ids_answer_404_for_a_partner(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    teacher = client_for("partner_education")
    for event in (
        access_world.events["police_only"],
        access_world.intelligence,
        access_world.custody,
        access_world.health_event,
    ):
        assert teacher.get(f"/events/{event.pk}/").status_code == 404
    assert teacher.get("/events/999999/").status_code == 404
    assert teacher.get(f"/events/{access_world.incident.pk}/").status_code == 200


def test_an_event_about_a_restricted_child_is_hidden_from_other_officers(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    event = access_world.events["restricted"]
    assert client_for("sergeant").get(f"/events/{event.pk}/").status_code == 404
    named = Client()
    from tests.world import sign_in

    sign_in(named, access_world.named_sergeant)
    assert named.get(f"/events/{event.pk}/").status_code == 200
