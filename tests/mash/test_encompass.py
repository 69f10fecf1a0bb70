"""Operation Encompass (#20): the police tell a child's school of a domestic abuse incident
before the next school day (D1 closes), the school acknowledges it in safetynet (service and
screens), and bad input is refused naming the field with nothing stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from safetynet.identity.memberships import individual_of_people
from safetynet.interchange.capture import capture
from safetynet.lib.clock import FixedClock
from safetynet.mash import encompass
from safetynet.reads import encompass as reads
from safetynet.records.models import Event, Person
from safetynet.risk.models import Finding
from safetynet.risk.services import refresh_findings
from safetynet.work.models import Task
from tests.meetings.conftest import NEW_CHILD
from tests.world import AccessWorld, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock() -> FixedClock:
    """Monday 08:00: the incident (two hours ago) must be told to the school by 09:00 today."""
    return FixedClock(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC))


INFORMATION = "Mum and Nina are staying with her grandmother; police attended at 22:00."


def _at_school(clock: FixedClock, run: Any) -> None:
    """Nina's social care record names the access world's school (a later version)."""
    person = {
        "kind": "person",
        "source": NEW_CHILD[0],
        "id": NEW_CHILD[1],
        "recorded_at": clock.now().isoformat(),
        "given_names": "Nina",
        "family_name": "Inventedfamily",
        "date_of_birth": "2017-06-06",
        "school": {"source": "education", "id": "SCH1"},
    }
    with run(execute=True):
        assert capture([person], door="cli", clock=clock).rejected == 0
    refresh_findings(
        individual_of_people(Person.live.filter(source=NEW_CHILD[0]).values_list("pk", flat=True)).values(), clock=clock
    )


@pytest.fixture
def told(mash: dict[str, int], clock: FixedClock, django_capture_on_commit_callbacks: Any) -> dict[str, int]:
    _at_school(clock, django_capture_on_commit_callbacks)
    return mash


def _d1(child: int) -> list[str]:
    """The states of D1's work findings about the child (tasks for the police)."""
    return list(Finding.objects.filter(clause="D1", individual_id=child, kind="work").values_list("state", flat=True))


def test_telling_the_school_in_time_closes_d1_and_the_school_acknowledges(
    told: dict[str, int], access_world: AccessWorld, clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    sergeant, school = access_world.users["sergeant"], access_world.users["partner_education"]
    assert _d1(told["new"]) == ["open"]
    assert [r.individual_id for r in reads.to_send(sergeant, clock.now())] == [told["new"]]

    with django_capture_on_commit_callbacks(execute=True):
        note = encompass.send(told["incident"], told["new"], INFORMATION, acting_user=sergeant, clock=clock)

    refresh_findings([told["new"]], clock=clock)  # as the task worker would, at the test's time
    assert note.details["to"] == {"source": "education", "id": "SCH1"}
    assert [e.pk for e in note.linked_events.all()] == [told["incident"]]
    assert _d1(told["new"]) == ["closed"]
    assert reads.to_send(sergeant, clock.now()) == []
    name, rows = reads.for_partner(school, clock.now())
    assert (name, [(r.individual_id, r.acknowledged_at) for r in rows]) == ("Invented Academy", [(told["new"], "")])

    clock.advance(minutes=40)
    with django_capture_on_commit_callbacks(execute=True):
        acknowledged = encompass.acknowledge(note.pk, acting_user=school, clock=clock)

    assert acknowledged.pk == note.pk and acknowledged.details["information"] == INFORMATION
    assert acknowledged.details["acknowledged_by"]["username"] == school.username
    assert [r.acknowledged_at for r in reads.sent(sergeant, clock.now())] == [clock.now().isoformat()]


def test_a_school_cannot_acknowledge_another_schools_notification_or_one_twice(
    told: dict[str, int], access_world: AccessWorld, clock: FixedClock
) -> None:
    sergeant, school = access_world.users["sergeant"], access_world.users["partner_education"]
    note = encompass.send(told["incident"], told["new"], INFORMATION, acting_user=sergeant, clock=clock)
    with pytest.raises(encompass.NotYourNotification):
        encompass.acknowledge(note.pk, acting_user=sergeant, clock=clock)
    encompass.acknowledge(note.pk, acting_user=school, clock=clock)
    with pytest.raises(encompass.NotificationRefused) as twice:
        encompass.acknowledge(note.pk, acting_user=school, clock=clock)
    assert twice.value.field == "notification"


@pytest.mark.parametrize(
    ("case", "field"),
    [("short", "information"), ("not_in_it", "child"), ("no_school", "child"), ("again", "incident")],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(
    case: str,
    field: str,
    mash: dict[str, int],
    access_world: AccessWorld,
    clock: FixedClock,
    django_capture_on_commit_callbacks: Any,
) -> None:
    sergeant = access_world.users["sergeant"]
    if case != "no_school":
        _at_school(clock, django_capture_on_commit_callbacks)
    child = mash["old"] if case == "not_in_it" else mash["new"]
    text = "Too short" if case == "short" else INFORMATION
    if case == "again":
        encompass.send(mash["incident"], child, INFORMATION, acting_user=sergeant, clock=clock)
    before = Event.live.filter(event_type="notification").count()

    with pytest.raises(encompass.NotificationRefused) as refused:
        encompass.send(mash["incident"], child, text, acting_user=sergeant, clock=clock)

    assert refused.value.field == field
    assert Event.live.filter(event_type="notification").count() == before


def test_only_police_roles_tell_a_school(told: dict[str, int], access_world: AccessWorld, clock: FixedClock) -> None:
    with pytest.raises(encompass.NotYourNotification):
        encompass.send(
            told["incident"], told["new"], INFORMATION, acting_user=access_world.users["partner_education"], clock=clock
        )


def test_the_police_tell_the_school_and_the_school_acknowledges(
    told: dict[str, int], access_world: AccessWorld, clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    sergeant = sign_in(Client(), access_world.users["sergeant"])
    page = sergeant.get(reverse("web:encompass"))
    assert page.status_code == 200 and page.content.decode().count('data-testid="to-send"') == 1
    send = reverse("web:encompass_send", args=[told["incident"], told["new"]])
    assert "Invented Academy" in sergeant.get(send).content.decode()

    refused = sergeant.post(send, {"information": "short"})
    assert refused.status_code == 400 and "At least 10 characters" in refused.content.decode()
    assert not Event.live.filter(event_type="notification").exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert sergeant.post(send, {"information": INFORMATION}).status_code == 302
    note = Event.live.get(event_type="notification")

    school = sign_in(Client(), access_world.users["partner_education"])
    listed = school.get(reverse("web:school_notifications")).content.decode()
    assert INFORMATION in listed and 'data-testid="acknowledge"' in listed
    with django_capture_on_commit_callbacks(execute=True):
        assert school.post(reverse("web:school_acknowledge", args=[note.pk])).status_code == 302
    assert 'data-testid="acknowledge"' not in school.get(reverse("web:school_notifications")).content.decode()
    assert "Acknowledged" in sergeant.get(reverse("web:encompass")).content.decode()


def test_a_school_does_not_see_the_police_list_and_the_police_cannot_acknowledge(
    told: dict[str, int], access_world: AccessWorld
) -> None:
    school = sign_in(Client(), access_world.users["partner_education"])
    assert school.get(reverse("web:encompass")).status_code == 403
    sergeant = sign_in(Client(), access_world.users["sergeant"])
    assert sergeant.get(reverse("web:school_notifications")).status_code == 403


def test_the_same_over_rest(
    told: dict[str, int], access_world: AccessWorld, clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    sergeant = sign_in(Client(), access_world.users["sergeant"])
    listed = sergeant.get("/api/v1/encompass/").json()
    assert [(r["individual"], r["incident"]) for r in listed["to_send"]] == [(told["new"], told["incident"])]
    body = {"incident": told["incident"], "individual": told["new"], "information": "short"}
    refused = sergeant.post("/api/v1/encompass/", body, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["detail"].startswith("information:")
    with django_capture_on_commit_callbacks(execute=True):
        sent = sergeant.post(
            "/api/v1/encompass/", {**body, "information": INFORMATION}, content_type="application/json"
        )
    assert sent.status_code == 200 and sent.json()["school"] == "Invented Academy"

    school = sign_in(Client(), access_world.users["partner_education"])
    assert [n["id"] for n in school.get("/api/v1/encompass/school").json()["notifications"]] == [sent.json()["id"]]
    assert sergeant.post(f"/api/v1/encompass/{sent.json()['id']}/acknowledge").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        acknowledged = school.post(f"/api/v1/encompass/{sent.json()['id']}/acknowledge")
    assert acknowledged.status_code == 200 and acknowledged.json()["acknowledged_by"]


def test_the_d1_task_page_leads_to_telling_the_school(told: dict[str, int], access_world: AccessWorld) -> None:
    task = Task.objects.get(clause="D1", individual_id=told["new"], state__in=["open", "acknowledged"])
    sergeant = sign_in(Client(), access_world.users["sergeant"])
    page = sergeant.get(reverse("web:task", args=[task.pk])).content.decode()
    send = reverse("web:encompass_send", args=[told["incident"], told["new"]])
    assert f'href="{send}" data-testid="act-here">Tell the school' in page
    coordinator = sign_in(Client(), access_world.users["missing_persons_coordinator"])  # no notify_partners
    other = coordinator.get(reverse("web:task", args=[task.pk]))
    assert other.status_code == 200 and 'data-testid="act-here"' not in other.content.decode()
