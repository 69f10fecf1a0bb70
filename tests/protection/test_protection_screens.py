"""The protection workspace's screens without a browser: the list with the 72-hour limit counting
down and the flags, the record pages' forms, children's social care's requests, and every
refusal of the issue (an end before the start, a handover to a non-inspector, a review before
arrival, ending without a rationale) shown on screen with the GOV.UK error summary naming the
field, nothing stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from safetynet.accounts.services import restrict_individual
from safetynet.identity.models import Individual
from safetynet.lib.clock import FixedClock
from safetynet.protection import custody, police
from safetynet.records.models import Event, RecordVersion
from safetynet.risk.services import refresh_findings
from safetynet.work.models import Task
from tests.world import AccessWorld

H = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _screens_read_the_clock(frozen_screens: None) -> None:
    pass


def _pair(prefix: str, name: str, at: dt.datetime) -> dict[str, str]:
    return {f"{prefix}-{name}_date": at.date().isoformat(), f"{prefix}-{name}_time": at.strftime("%H:%M")}


def _taken(world: AccessWorld, child: int, clock: FixedClock) -> Event:
    return police.take(
        acting_user=world.users["response_officer"],
        individual_id=child,
        started_at=clock.now() - 2 * H,
        grounds="Found alone at night in a flat used for drug supply.",
        place_of_safety="Custody suite, Central police station",
        place_is_police_station=True,
        clock=clock,
    )


def _versions(event: Event) -> int:
    return RecordVersion.objects.filter(source=event.source, source_id=event.source_id).count()


def _refused(response: Any, *words: str) -> str:
    page = response.content.decode()
    assert response.status_code == 422, page[:500]
    summary = page.split('class="govuk-error-summary"', 1)[1].split("</div>", 3)
    for word in words:
        assert word in "".join(summary), (word, "".join(summary)[:800])
    return page


def test_the_list_counts_down_the_72_hour_limit_and_flags_a_police_station(
    access_world: AccessWorld, child: int, clock: FixedClock, client_for: Callable[[str], Client]
) -> None:
    pp = _taken(access_world, child, clock)
    page = client_for("inspector").get("/protection/").content.decode()
    assert f"/protection/police/{pp.pk}/" in page
    assert "70 h 0 min left" in page
    assert "Police station as place of safety" in page and "No designated officer" in page
    assert client_for("analyst").get("/protection/").status_code == 403


def test_the_person_page_links_recording_for_officers_only(
    access_world: AccessWorld, child: int, client_for: Callable[[str], Client]
) -> None:
    page = client_for("response_officer").get(f"/people/{child}/").content.decode()
    assert (
        f"/protection/police/new/?individual={child}" in page and f"/protection/custody/new/?individual={child}" in page
    )
    assert "/protection/police/new/" not in client_for("analyst").get(f"/people/{child}/").content.decode()


def test_taking_a_child_into_police_protection_on_screen(
    access_world: AccessWorld, child: int, clock: FixedClock, client_for: Callable[[str], Client]
) -> None:
    officer = client_for("response_officer")
    form = officer.get(f"/protection/police/new/?individual={child}")
    assert form.status_code == 200 and "Record police protection" in form.content.decode()
    body = {
        "started_at_date": (clock.now() - H).date().isoformat(),
        "started_at_time": (clock.now() - H).strftime("%H:%M"),
        "grounds": "Found alone at night.",
        "place_of_safety": "Foster carer's home",
    }
    done = officer.post(f"/protection/police/new/?individual={child}", body)
    pp = Event.live.get(source="safetynet", event_type="police_protection")
    assert done.status_code == 302 and done["Location"] == f"/protection/police/{pp.pk}/"
    future = {**body, "started_at_date": (clock.now() + 24 * H).date().isoformat()}
    _refused(officer.post(f"/protection/police/new/?individual={child}", future), "a date and time that has passed")


def test_a_handover_to_a_non_inspector_is_refused_beside_the_field(
    access_world: AccessWorld, child: int, clock: FixedClock, client_for: Callable[[str], Client]
) -> None:
    pp = _taken(access_world, child, clock)
    before = _versions(pp)
    body = {"designate-designated_officer": access_world.users["sergeant"].pk, **_pair("designate", "at", clock.now())}
    page = _refused(
        client_for("response_officer").post(f"/protection/police/{pp.pk}/designate/", body),
        "Expected an inspector as the designated officer",
        'href="#id_designate-designated_officer"',
    )
    assert "govuk-form-group--error" in page
    assert _versions(pp) == before


def test_an_end_before_the_start_and_an_end_without_a_rationale_are_refused(
    access_world: AccessWorld, child: int, clock: FixedClock, client_for: Callable[[str], Client]
) -> None:
    pp = _taken(access_world, child, clock)
    inspector = client_for("inspector")
    early = {**_pair("end", "ended_at", clock.now() - 3 * H), "end-end_rationale": "Returned to a parent, safe."}
    _refused(
        inspector.post(f"/protection/police/{pp.pk}/end/", early),
        "no earlier than the start of police protection",
        'href="#id_end-ended_at_date"',
    )
    bare = {**_pair("end", "ended_at", clock.now()), "end-end_rationale": ""}
    _refused(
        inspector.post(f"/protection/police/{pp.pk}/end/", bare),
        "why police protection is ending",
        'href="#id_end-end_rationale"',
    )
    assert not Event.live.get(pk=pp.pk).details.get("ended_at")
    ok = {**_pair("end", "ended_at", clock.now()), "end-end_rationale": "Returned to a parent, assessed as safe."}
    assert inspector.post(f"/protection/police/{pp.pk}/end/", ok).status_code == 302
    assert Event.live.get(pk=pp.pk).details["end_rationale"].startswith("Returned")


def test_a_review_before_arrival_is_refused(
    access_world: AccessWorld, child: int, clock: FixedClock, client_for: Callable[[str], Client]
) -> None:
    officer = client_for("custody_officer")
    body = {
        **{k.split("-", 1)[1]: v for k, v in _pair("x", "arrested_at", clock.now() - 4 * H).items()},
        **{k.split("-", 1)[1]: v for k, v in _pair("x", "arrived_at", clock.now() - 3 * H).items()},
        **{k.split("-", 1)[1]: v for k, v in _pair("x", "authorised_at", clock.now() - 3 * H).items()},
    }
    booked = officer.post(f"/protection/custody/new/?individual={child}", body)
    record = Event.live.get(source="safetynet", event_type="custody")
    assert booked.status_code == 302 and booked["Location"] == f"/protection/custody/{record.pk}/"
    review = {**_pair("review", "at", clock.now() - 5 * H), "review-child_present": "on"}
    _refused(
        officer.post(f"/protection/custody/{record.pk}/review/", review),
        "no earlier than arrival in custody",
        'href="#id_review-at_date"',
    )
    assert not Event.live.get(pk=record.pk).details.get("reviews")


def test_social_care_sees_and_answers_the_requests_addressed_to_it(
    access_world: AccessWorld, child: int, clock: FixedClock, client_for: Callable[[str], Client]
) -> None:
    users = access_world.users
    pp = _taken(access_world, child, clock)
    social = client_for("partner_social_worker")
    assert social.get(f"/protection/police/{pp.pk}/").status_code == 404  # not asked yet, not known to them
    police.request_accommodation(pp.pk, acting_user=users["response_officer"], at=clock.now() - H, clock=clock)
    listed = social.get("/protection/requests/").content.decode()
    assert f"/protection/police/{pp.pk}/" in listed and "Waiting 1 h 0 min" in listed
    page = social.get(f"/protection/police/{pp.pk}/").content.decode()
    assert 'data-testid="provided-form"' in page and 'data-testid="end-form"' not in page
    provided = social.post(f"/protection/police/{pp.pk}/provided/", _pair("provided", "at", clock.now()))
    assert provided.status_code == 302
    assert Event.live.get(pk=pp.pk).details["accommodation_provided_at"]
    assert f"/protection/police/{pp.pk}/" not in social.get("/protection/requests/").content.decode()
    officer = client_for("custody_officer")
    assert (
        officer.post(f"/protection/police/{pp.pk}/provided/", _pair("provided", "at", clock.now())).status_code == 403
    )
    record = custody.book_in(
        acting_user=users["custody_officer"],
        individual_id=child,
        arrested_at=clock.now() - 4 * H,
        arrived_at=clock.now() - 3 * H,
        authorised_at=clock.now() - 3 * H,
        clock=clock,
    )
    custody.charge(record.pk, acting_user=users["custody_officer"], at=clock.now() - H, bail_refused=True, clock=clock)
    custody.request_transfer(record.pk, acting_user=users["custody_officer"], at=clock.now() - H, clock=clock)
    assert f"/protection/custody/{record.pk}/" in social.get("/protection/requests/").content.decode()
    answer = {"answer-outcome": "not_provided", **_pair("answer", "at", clock.now())}
    page = social.get(f"/protection/custody/{record.pk}/").content.decode()
    assert 'data-testid="answer-form"' in page and 'data-testid="escalate-form"' not in page
    assert social.post(f"/protection/custody/{record.pk}/answer/", answer).status_code == 302
    assert Event.live.get(pk=record.pk).details["la_accommodation_outcome"] == "not_provided"


def test_a_restriction_still_hides_a_child_whose_accommodation_was_requested(
    access_world: AccessWorld, child: int, clock: FixedClock, client_for: Callable[[str], Client]
) -> None:
    users = access_world.users
    pp = _taken(access_world, child, clock)
    police.request_accommodation(pp.pk, acting_user=users["response_officer"], at=clock.now() - H, clock=clock)
    restrict_individual(
        acting_user=users["inspector"],
        individual=Individual.objects.get(pk=child),
        reason_code="sensitive_investigation",
        named_users=[],
        clock=clock,
    )
    social = client_for("partner_social_worker")
    assert f"/protection/police/{pp.pk}/" not in social.get("/protection/requests/").content.decode()
    assert social.get(f"/protection/police/{pp.pk}/").status_code == 404
    assert client_for("inspector").get(f"/protection/police/{pp.pk}/").status_code == 200  # named on it


def test_a_p1_task_page_leads_to_the_police_protection_record(
    access_world: AccessWorld, child: int, clock: FixedClock, client_for: Callable[[str], Client]
) -> None:
    pp = _taken(access_world, child, clock)
    refresh_findings([child], clock=clock)
    task = Task.objects.filter(clause="P1", individual_id=child).first()
    assert task is not None
    page = client_for("inspector").get(f"/work/tasks/{task.pk}/").content.decode()
    assert f'href="/protection/police/{pp.pk}/" data-testid="act-here">Open the police protection record' in page
