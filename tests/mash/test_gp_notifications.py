"""GP notifications (#20, "likewise for health"): after a domestic abuse incident with a child in
it, the police tell the GP practice the child is registered with (`gp_practice` on the person
record, an interchange field), and a health partner whose team stands for that practice
acknowledges it; the same service as Operation Encompass (mash.encompass.GP), no deadline and no
finding (shown, never escalated), screens and REST."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from safetynet.access.models import UserProfile
from safetynet.accounts.services import create_team, ensure_agencies
from safetynet.interchange.capture import capture
from safetynet.lib.clock import FixedClock
from safetynet.mash import encompass
from safetynet.reads import access
from safetynet.reads import encompass as reads
from safetynet.records.models import Event, Organisation, Person
from safetynet.risk.models import Finding
from tests.meetings.conftest import NEW_CHILD
from tests.world import AccessWorld, sign_in

pytestmark = pytest.mark.django_db

INFORMATION = "Nina was present at a domestic abuse incident at home last night; she is with her grandmother."


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC))


def _registered(clock: FixedClock, run: Any) -> None:
    """Nina's health record names the Invented Medical Practice as her GP practice."""
    lines: list[dict[str, Any]] = [
        {
            "kind": "organisation",
            "source": "directory",
            "id": "GP1",
            "recorded_at": clock.now().isoformat(),
            "name": "Invented Medical Practice",
            "org_type": "health",
        },
        {
            "kind": "person",
            "source": NEW_CHILD[0],
            "id": NEW_CHILD[1],
            "recorded_at": clock.now().isoformat(),
            "given_names": "Nina",
            "family_name": "Inventedfamily",
            "date_of_birth": "2017-06-06",
            "gp_practice": {"source": "directory", "id": "GP1"},
        },
    ]
    with run(execute=True):
        result = capture(lines, door="cli", clock=clock)
    assert result.rejected == 0, [a.reason for a in result.answers if a.outcome == "rejected"]


@pytest.fixture
def registered(
    mash: dict[str, int], access_world: AccessWorld, clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> dict[str, int]:
    """The household, the incident, Nina registered with GP1 and the health partner in GP1's team."""
    _registered(clock, django_capture_on_commit_callbacks)
    practice = Organisation.live.get(source="directory", source_id="GP1")
    team = create_team(
        acting_user=None,
        agency=ensure_agencies(acting_user=None)["health"],
        code="invented-practice",
        name="Invented Medical Practice safeguarding",
        organisation_id=practice.pk,
    )
    UserProfile.objects.filter(user=access_world.users["partner_health"]).update(team=team)
    user = access_world.users["partner_health"]
    access_world.users["partner_health"] = type(user).objects.get(pk=user.pk)  # the profile as now
    return mash


def test_the_police_tell_the_practice_and_the_practice_acknowledges_no_finding(
    registered: dict[str, int], access_world: AccessWorld, clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    sergeant, health = access_world.users["sergeant"], access_world.users["partner_health"]
    assert Person.live.get(source=NEW_CHILD[0], source_id=NEW_CHILD[1]).gp_practice is not None
    due = reads.gp_to_send(sergeant, clock.now())
    assert [(r.individual_id, r.partner, r.due_by) for r in due] == [
        (registered["new"], "Invented Medical Practice", None)
    ]
    assert not Finding.objects.filter(individual_id=registered["new"], reason__icontains="GP").exists()
    with django_capture_on_commit_callbacks(execute=True):
        note = encompass.send(
            registered["incident"],
            registered["new"],
            INFORMATION,
            acting_user=sergeant,
            clock=clock,
            scheme=encompass.GP,
        )
    assert note.details["scheme"] == "gp_notification" and note.details["to"] == {"source": "directory", "id": "GP1"}
    assert reads.gp_to_send(sergeant, clock.now()) == []
    assert reads.to_send(sergeant, clock.now()) == [] or all(
        r.partner != "Invented Medical Practice" for r in reads.to_send(sergeant, clock.now())
    ), "a GP notification does not count as telling the school"
    # The health partner sees the child through the registration (not a health source record).
    assert access.visible_individual_ids(health, [registered["new"]]) == [registered["new"]]
    name, rows = reads.for_partner(health, clock.now())
    assert (name, [r.individual_id for r in rows]) == ("Invented Medical Practice", [registered["new"]])
    with pytest.raises(encompass.NotYourNotification):
        encompass.acknowledge(note.pk, acting_user=access_world.users["partner_education"], clock=clock)
    clock.advance(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        done = encompass.acknowledge(note.pk, acting_user=health, clock=clock)
    assert done.details["acknowledged_by"]["username"] == health.username
    assert [r.acknowledged_at for r in reads.sent(sergeant, clock.now(), encompass.GP)] == [clock.now().isoformat()]
    with pytest.raises(encompass.NotificationRefused) as again:
        encompass.send(
            registered["incident"],
            registered["new"],
            INFORMATION,
            acting_user=sergeant,
            clock=clock,
            scheme=encompass.GP,
        )
    assert again.value.field == "incident" and "GP practice" in again.value.expected


def test_a_child_with_no_practice_on_record_is_refused_naming_the_child(
    mash: dict[str, int], access_world: AccessWorld, clock: FixedClock
) -> None:
    with pytest.raises(encompass.NotificationRefused) as refused:
        encompass.send(
            mash["incident"],
            mash["new"],
            INFORMATION,
            acting_user=access_world.users["sergeant"],
            clock=clock,
            scheme=encompass.GP,
        )
    assert refused.value.field == "child" and "GP practice" in refused.value.expected
    assert not Event.live.filter(event_type="notification").exists()


def test_screens_and_rest(
    registered: dict[str, int],
    access_world: AccessWorld,
    clock: FixedClock,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.SAFETYNET_CLOCK = clock  # the screens list incidents of the last 30 days
    sergeant = sign_in(Client(), access_world.users["sergeant"])
    page = sergeant.get(reverse("web:gp_notifications")).content.decode()
    assert "GP practices to tell" in page and page.count('data-testid="to-send"') == 1
    send = reverse("web:gp_send", args=[registered["incident"], registered["new"]])
    form = sergeant.get(send).content.decode()
    assert "Tell Invented Medical Practice" in form and "What does the GP practice need to know?" in form
    assert sergeant.post(send, {"information": "short"}).status_code == 400
    listed = sergeant.get("/api/v1/encompass/gp").json()
    assert [(r["individual"], r["practice"]) for r in listed["to_send"]] == [
        (registered["new"], "Invented Medical Practice")
    ]
    body = {"incident": registered["incident"], "individual": registered["new"], "information": INFORMATION}
    with django_capture_on_commit_callbacks(execute=True):
        sent = sergeant.post("/api/v1/encompass/gp", body, content_type="application/json")
    assert sent.status_code == 200 and sent.json()["scheme"] == "gp_notification"
    assert sent.json()["partner"] == "Invented Medical Practice"
    assert sergeant.post("/api/v1/encompass/gp", body, content_type="application/json").status_code == 422

    health = sign_in(Client(), access_world.users["partner_health"])
    assert health.get(reverse("web:gp_notifications")).status_code == 403
    own = health.get(reverse("web:practice_notifications")).content.decode()
    assert INFORMATION in own and 'data-testid="acknowledge"' in own
    assert reverse("web:practice_notifications") in own, "the health partner's menu has From the police"
    with django_capture_on_commit_callbacks(execute=True):
        answer = health.post(reverse("web:practice_acknowledge", args=[sent.json()["id"]]))
    assert answer.status_code == 302 and answer["Location"] == reverse("web:practice_notifications")
    assert 'data-testid="acknowledge"' not in health.get(reverse("web:practice_notifications")).content.decode()
    assert "Acknowledged" in sergeant.get(reverse("web:gp_notifications")).content.decode()
    assert [n["id"] for n in health.get("/api/v1/encompass/school").json()["notifications"]] == [sent.json()["id"]]
