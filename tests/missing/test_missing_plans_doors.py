"""The missing workspace's newer screens and API operations over the same services: a child's
trigger plans (list, record, change, a stale change 409, a role without `missing_plans` 403),
the care home's enquiries on an episode, a child not on record created from the report form,
the coordinator's list filtered in the URL and its CSV honouring the filters, and the report
form's query count (it must not grow with the child's history)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from safetynet.interchange.capture import capture
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Event, Location, Person, Plan
from tests.missing.conftest import CHILD, HOTEL, line, ref
from tests.world import AccessWorld

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def clock() -> FixedClock:
    """The screens and the API run on the system clock: the child is built as of now."""
    return FixedClock(dt.datetime.now(dt.UTC))


def _plan_body(**changes: Any) -> dict[str, Any]:
    return {
        "plan_type": "trigger_plan",
        "review_due": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
        "description": "Slim, long dark hair, grey hoodie.",
        "risks": "Exploitation by an older boyfriend.",
        "phones": ["07700 900123"],
        "places": [ref(HOTEL)],
        **changes,
    }


def test_plans_by_the_api_record_change_and_refuse(client_for: Callable[[str], Client], child: dict[str, int]) -> None:
    url = f"/api/v1/missing/children/{child['child']}/plans"
    coordinator, handler = client_for("missing_persons_coordinator"), client_for("call_handler")
    listed = handler.get(url)
    assert listed.status_code == 200 and [p["source"] for p in listed.json()] == ["csc"]
    assert handler.post(url, _plan_body(), content_type=JSON).status_code == 403
    bad = coordinator.post(url, _plan_body(review_due="2001-01-01"), content_type=JSON)
    assert bad.status_code == 422 and bad.json()["detail"].startswith("review_due:")
    made = coordinator.post(url, _plan_body(associates=[child["adult"]]), content_type=JSON)
    assert made.status_code == 200, made.content
    plan = made.json()
    assert plan["editable"] and plan["phones"] == ["07700 900123"] and not plan["overdue"]
    assert any(a["shown"] and "Adam Inventedolder" in a["text"] for a in plan["associates"])
    changed = coordinator.post(
        f"{url}/{plan['id']}", _plan_body(plan_type="philomena_profile", version=plan["version"]), content_type=JSON
    )
    assert changed.status_code == 200 and changed.json()["plan_type"] == "philomena_profile"
    stale = coordinator.post(f"{url}/{plan['id']}", _plan_body(version=plan["version"]), content_type=JSON)
    assert stale.status_code == 409
    source_plan = Plan.live.get(source="csc", source_id="TP1")
    assert coordinator.post(f"{url}/{source_plan.pk}", _plan_body(), content_type=JSON).status_code == 404


def test_plans_on_the_screens(client_for: Callable[[str], Client], child: dict[str, int]) -> None:
    social, handler = client_for("missing_persons_coordinator"), client_for("call_handler")
    page = handler.get(f"/missing/children/{child['child']}/plans/")
    assert page.status_code == 200 and b'data-testid="plan-new"' not in page.content
    assert handler.get(f"/missing/children/{child['child']}/plans/new/").status_code == 403
    form = social.get(f"/missing/children/{child['child']}/plans/new/")
    assert form.status_code == 200 and b"Adam Inventedolder" in form.content
    data = {
        "plan_type": "fast_action_response_plan",
        "review_due": (dt.date.today() + dt.timedelta(days=14)).isoformat(),
        "description": "Slim, long dark hair, grey hoodie.",
        "risks": "Exploitation by an older boyfriend.",
        "phones": "07700 900123\n07700 900456",
        "associates": [str(child["adult"])],
        "addresses": "3 Invented Close, Testtown",
    }
    refused = social.post(f"/missing/children/{child['child']}/plans/new/", {**data, "phones": "ring me"})
    assert refused.status_code == 422 and b"phone numbers of digits" in refused.content
    saved = social.post(f"/missing/children/{child['child']}/plans/new/", data)
    assert saved.status_code == 302
    plan = Plan.live.get(source="safetynet")
    assert plan.payload["phones"] == ["07700 900123", "07700 900456"] and plan.places.count() == 1
    edit = social.get(f"/missing/children/{child['child']}/plans/{plan.pk}/")
    assert edit.status_code == 200 and b"07700 900456" in edit.content
    listed = social.get(f"/missing/children/{child['child']}/plans/").content.decode()
    assert listed.count('data-testid="plan"') == 2 and "Fast action response plan" in listed


def _care_report(client: Client, child: dict[str, int], home: Location) -> dict[str, Any]:
    body = {
        "individual": child["child"],
        "last_seen_at": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat(),
        "missing_from": "care",
        "care_home": home.pk,
        "circumstances": "Left the home after tea.",
        "reported_by": "Home manager",
        "risk": "high",
        "ethnicity_self_defined": "W1",
    }
    answer = client.post("/api/v1/missing", body, content_type=JSON)
    assert answer.status_code == 200, answer.content
    return dict(answer.json())


def _home(clock: FixedClock) -> Location:
    home = line(
        "location", "csc", "CH1", address_lines=["Invented House"], town="Testtown", location_type="childrens_home"
    )
    assert capture([home], door="cli", clock=clock).rejected == 0
    return Location.live.get(source="csc", source_id="CH1")


def test_the_homes_enquiries_and_the_lists_filters(
    client_for: Callable[[str], Client], child: dict[str, int], clock: FixedClock
) -> None:
    handler, coordinator = client_for("call_handler"), client_for("missing_persons_coordinator")
    home = _home(clock)
    episode = _care_report(handler, child, home)
    assert episode["home_enquiries_due"] and episode["home_enquiries_escalation"] is None
    page = handler.get(f"/missing/{episode['id']}/").content.decode()
    assert 'data-testid="enquiries-form"' in page and "Invented House" in page
    made = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)).isoformat()
    bad = handler.post(
        f"/api/v1/missing/{episode['id']}/home-enquiries",
        {"made_at": made, "checks": [], "made_by": "Night worker", "findings": "Not in the home."},
        content_type=JSON,
    )
    assert bad.status_code == 422 and bad.json()["detail"].startswith("checks:")
    when = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)
    screen = handler.post(
        f"/missing/{episode['id']}/home-enquiries/",
        {
            "made_date": when.date().isoformat(),
            "made_time": when.strftime("%H:%M"),
            "checks": ["searched_home", "contacted_friends_family"],
            "made_by": "Night worker",
            "findings": "Not in the home; friends have not seen her.",
            "version": episode["version"],
        },
    )
    assert screen.status_code == 302
    stored = Event.live.get(pk=episode["id"]).details["home_enquiries"]
    assert stored["checks"] == ["searched_home", "contacted_friends_family"]

    listed = coordinator.get(f"/missing/?care_home={home.pk}&plan=current").content.decode()
    assert listed.count('data-testid="missing-row"') == 1 and f"care_home={home.pk}&amp;plan=current" in listed
    assert coordinator.get("/missing/?plan=none").content.decode().count('data-testid="missing-row"') == 0
    csv = coordinator.get(f"/missing/list.csv?list=now&care_home={home.pk}").content.decode().splitlines()
    assert len(csv) == 5 and csv[3].startswith("Mia Inventedlost,")
    assert len(coordinator.get("/missing/list.csv?list=now&plan=none").content.decode().splitlines()) == 4
    api = coordinator.get(f"/api/v1/missing?care_home={home.pk}&plan=current").json()
    assert [r["id"] for r in api["missing_now"]] == [episode["id"]] and api["missing_now"][0]["plan"] == "current"
    assert coordinator.get("/api/v1/missing?plan=sometimes").status_code == 422
    assert coordinator.get("/api/v1/missing?area=Atlantis").status_code == 422
    west = coordinator.get("/missing/?area=West").content.decode()
    assert west.count('data-testid="missing-row"') == 0 and 'value="West" selected' in west
    assert coordinator.get("/api/v1/missing?area=West").json()["missing_now"] == []


def test_a_child_not_on_record_from_the_report_form(client_for: Callable[[str], Client], child: dict[str, int]) -> None:
    handler = client_for("call_handler")
    listed = handler.get("/missing/?name=Nobodyatall").content.decode()
    assert 'data-testid="new-child"' in listed
    refused = handler.post("/missing/new/child/", {"given_names": "", "family_name": "Inventednew", "sex": "male"})
    assert refused.status_code == 422 and b"Enter the child&#x27;s given names" in refused.content
    made = handler.post(
        "/missing/new/child/",
        {"given_names": "Zed", "family_name": "Inventednew", "sex": "male", "date_of_birth": "2013-02-03"},
    )
    assert made.status_code == 302 and "/missing/new/?individual=" in made["Location"]
    assert handler.get(made["Location"]).status_code == 200
    assert Person.live.filter(source="safetynet", family_name="Inventednew").count() == 1
    api = handler.post(
        "/api/v1/missing/children/new", {"given_names": "Yan", "family_name": "Inventednew"}, content_type=JSON
    )
    assert api.status_code == 200 and api.json()["individual"]
    assert (
        client_for("partner_education").post("/api/v1/missing/children/new", {}, content_type=JSON).status_code == 403
    )


def _more_episodes(clock: FixedClock, n: int, start: int) -> None:
    lines = []
    for i in range(start, start + n):
        at = clock.now() - dt.timedelta(days=400 + i)
        lines.append(
            line(
                "event",
                "rms",
                f"MRX{i}",
                event_type="missing_report",
                occurred_at=at.isoformat(),
                participants=[{"person": ref(CHILD), "role": "missing_person"}],
                details={"initial_risk": "medium", "found_at": (at + dt.timedelta(hours=5)).isoformat()},
            )
        )
    assert capture(lines, door="cli", clock=clock).rejected == 0


def test_the_report_forms_queries_do_not_grow_with_the_childs_history(
    client_for: Callable[[str], Client], child: dict[str, int], clock: FixedClock, access_world: AccessWorld
) -> None:
    handler = client_for("call_handler")
    url = f"/missing/new/?individual={child['child']}"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert handler.get(url).status_code == 200
        return len(queries)

    handler.get(url)
    _more_episodes(clock, 5, 0)
    few = count()
    _more_episodes(clock, 40, 5)
    many = count()
    assert many == few, f"{few} queries with 8 episodes, {many} with 48"
