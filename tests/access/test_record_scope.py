"""Which children each role sees: scope, restriction, and 404 for anything else."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.http import Http404
from django.test import Client

from safetynet.accounts.services import add_to_caseload
from safetynet.lib.clock import FixedClock
from safetynet.reads.access import individual_for_user, visible_individuals
from tests.access.world import AccessWorld


def test_a_partner_teacher_lists_only_pupils_of_their_school(world: AccessWorld) -> None:
    teacher = world.users["partner_education"]
    assert set(visible_individuals(teacher)) == {world.pupil}


def test_a_partner_social_worker_sees_only_children_known_to_social_care(world: AccessWorld) -> None:
    assert set(visible_individuals(world.users["partner_social_worker"])) == {world.pupil}


def test_a_sergeant_sees_every_child_except_one_restricted_from_them(world: AccessWorld) -> None:
    assert set(visible_individuals(world.users["sergeant"])) == {world.pupil, world.police_only}


def test_a_restricted_child_is_visible_to_the_named_sergeant(world: AccessWorld) -> None:
    assert individual_for_user(world.named_sergeant, world.restricted.pk) == world.restricted


def test_auditors_and_administrators_see_no_child_records(world: AccessWorld) -> None:
    for role in ("auditor", "system_administrator"):
        assert not visible_individuals(world.users[role]).exists()


def test_a_caseload_entry_lets_a_partner_see_a_child_outside_their_scope(world: AccessWorld, clock: FixedClock) -> None:
    teacher = world.users["partner_education"]
    with pytest.raises(Http404):
        individual_for_user(teacher, world.police_only.pk)
    add_to_caseload(acting_user=world.users["sergeant"], user=teacher, individual=world.police_only, clock=clock)
    assert individual_for_user(teacher, world.police_only.pk) == world.police_only


def test_missing_and_forbidden_people_answer_the_same_404(
    world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    teacher = client_for("partner_education")
    forbidden = teacher.get(f"/people/{world.police_only.pk}/")
    missing = teacher.get("/people/999999/")
    restricted = client_for("sergeant").get(f"/people/{world.restricted.pk}/")
    assert forbidden.status_code == missing.status_code == restricted.status_code == 404
    assert forbidden.content == missing.content


def test_guessed_event_ids_answer_404_for_a_partner(world: AccessWorld, client_for: Callable[[str], Client]) -> None:
    teacher = client_for("partner_education")
    for event in (world.events["police_only"], world.intelligence, world.custody, world.health_event):
        assert teacher.get(f"/events/{event.pk}/").status_code == 404
    assert teacher.get("/events/999999/").status_code == 404
    assert teacher.get(f"/events/{world.incident.pk}/").status_code == 200


def test_an_event_about_a_restricted_child_is_hidden_from_other_officers(
    world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    event = world.events["restricted"]
    assert client_for("sergeant").get(f"/events/{event.pk}/").status_code == 404
    named = Client()
    from tests.access.support import sign_in

    sign_in(named, world.named_sergeant)
    assert named.get(f"/events/{event.pk}/").status_code == 200
